import BCAPI

/// A JSON object read or written by one of the contract's keys (a `CodingKeys` or `Field`
/// case of a BCAPI type), so the wire's spelling stays in BCAPI. For the hand-written readers
/// of stored descriptions and the validating parser, which keep `[String: Any]` for speed or
/// for their error messages.
extension Dictionary where Key == String {
    subscript<K: RawRepresentable>(_ key: K) -> Value? where K.RawValue == String {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}

/// Short names for the contract's key sets the engine reads descriptions by.
typealias JobKey = BCAPI.JobDescription.Field
typealias TaskKey = BCAPI.JobDescription.TaskDescription.Field
typealias DAGKey = BCAPI.JobDescription.DAG.CodingKeys
typealias ParametersKey = BCAPI.JobDescription.Parameters.CodingKeys
typealias CommandKey = BCAPI.JobDescription.Command.CodingKeys
typealias AppRunKey = BCAPI.JobDescription.AppRun.CodingKeys
typealias AppRunConfigKey = BCAPI.JobDescription.AppRun.Config.Field
typealias LoggingKey = BCAPI.JobDescription.AppRun.Logging.CodingKeys
typealias AppKey = AppDescription.CodingKeys
typealias AppParameterKey = AppDescription.Parameter.CodingKeys
typealias AppItemKey = AppDescription.Item<String>.CodingKeys
typealias MountsKey = Wire.Mounts.CodingKeys
typealias MountEntryKey = Wire.MountEntry.CodingKeys
typealias DockerKey = Wire.Docker.CodingKeys
typealias AutoClusterKey = Wire.AutoCluster.CodingKeys
typealias InputMappingConfigKey = BCAPI.JobDescription.InputMappingConfig.CodingKeys
typealias NotificationKey = Wire.Notification.CodingKeys
typealias TopicKey = Wire.Topic.CodingKeys
typealias WireJobType = BCAPI.JobDescription.JobType

/// The spellings of a key set, for the validators' sets of known fields.
func wireKeys<K: CaseIterable & RawRepresentable>(_: K.Type) -> Set<String> where K.RawValue == String {
    Set(K.allCases.map(\.rawValue))
}
typealias ClusterKey = ClusterDescription.CodingKeys
typealias ClusterGroupKey = ClusterDescription.Group.CodingKeys
typealias ClusterChangeKey = ClusterModification.CodingKeys
typealias ConfigsKey = Wire.Configs.CodingKeys

extension JSONValue {
    /// An object's member by one of the contract's keys; nil for a missing key or a non-object.
    subscript<K: RawRepresentable>(_ key: K) -> JSONValue? where K.RawValue == String { self[key.rawValue] }
}
