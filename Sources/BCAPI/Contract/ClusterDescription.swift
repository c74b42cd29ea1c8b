/// A cluster as created (`CreateCluster`'s body): its image, groups of nodes and what every
/// node gets. The engine echoes the parts it keeps in `ClusterStatus`.
public struct ClusterDescription: Codable, Sendable, Equatable, ClosedRequestBody {
    /// A group of like nodes: how many (`DesiredVMCount`), of which type, on demand or spot.
    public struct Group: Codable, Sendable, Equatable {
        public var desiredVMCount: Int?
        public var instanceType: String?
        public var resourceType: String?
        public var spotStrategy: String?
        public var spotPriceLimit: Double?
        public var imageId: String?
        public var hostnamePrefix: String?
        public var mode: String?
        public var disks: Wire.Disks?

        public init(desiredVMCount: Int? = nil, instanceType: String? = nil, resourceType: String? = nil, spotStrategy: String? = nil,
                    spotPriceLimit: Double? = nil, imageId: String? = nil, hostnamePrefix: String? = nil, mode: String? = nil,
                    disks: Wire.Disks? = nil) {
            self.desiredVMCount = desiredVMCount; self.instanceType = instanceType; self.resourceType = resourceType
            self.spotStrategy = spotStrategy; self.spotPriceLimit = spotPriceLimit; self.imageId = imageId
            self.hostnamePrefix = hostnamePrefix; self.mode = mode; self.disks = disks
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case desiredVMCount = "DesiredVMCount", instanceType = "InstanceType", resourceType = "ResourceType"
            case spotStrategy = "SpotStrategy", spotPriceLimit = "SpotPriceLimit", imageId = "ImageId"
            case hostnamePrefix = "HostnamePrefix", mode = "Mode", disks = "Disks"
        }
    }

    public var name: String
    public var description: String?
    public var imageId: String?
    public var instanceType: String?
    public var groups: [String: Group]?
    public var configs: Wire.Configs?
    public var envVars: [String: String]?
    public var userData: [String: String]?
    public var bootstrap: String?
    public var notification: Wire.Notification?
    /// bcops' extension: `container` (BatchCompute's own behaviour) or `host`.
    public var runtime: String?
    public var scheduleType: String?
    public var passwordInherit: Bool?
    public var dependencyIsvService: String?
    public var labels: [String: String]?
    /// bcops' extension, the console's `sgeMasterGroup`: the group holding an SGE cluster's
    /// master. Set only on SGE clusters; the engine realises the other groups as Grid Engine
    /// host groups and queues.
    public var sgeMasterGroup: String?

    public init(name: String, description: String? = nil, imageId: String? = nil, instanceType: String? = nil,
                groups: [String: Group]? = nil, configs: Wire.Configs? = nil, envVars: [String: String]? = nil,
                userData: [String: String]? = nil, bootstrap: String? = nil, notification: Wire.Notification? = nil,
                runtime: String? = nil, scheduleType: String? = nil, passwordInherit: Bool? = nil,
                dependencyIsvService: String? = nil, labels: [String: String]? = nil, sgeMasterGroup: String? = nil) {
        self.sgeMasterGroup = sgeMasterGroup
        self.name = name; self.description = description; self.imageId = imageId; self.instanceType = instanceType
        self.groups = groups; self.configs = configs; self.envVars = envVars; self.userData = userData; self.bootstrap = bootstrap
        self.notification = notification; self.runtime = runtime; self.scheduleType = scheduleType
        self.passwordInherit = passwordInherit; self.dependencyIsvService = dependencyIsvService; self.labels = labels
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name", description = "Description", imageId = "ImageId", instanceType = "InstanceType", groups = "Groups"
        case configs = "Configs", envVars = "EnvVars", userData = "UserData", bootstrap = "Bootstrap"
        case notification = "Notification", runtime = "Runtime", scheduleType = "ScheduleType"
        case passwordInherit = "PasswordInherit", dependencyIsvService = "DependencyIsvService", labels = "Labels"
        case sgeMasterGroup = "SgeMasterGroup"
    }

    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
}

/// `ModifyCluster`'s body: what changes on a live cluster without replacing it. A body of
/// `Labels` alone keeps the cluster's revision (bcops relabels that way).
public struct ClusterModification: Codable, Sendable, Equatable, ClosedRequestBody {
    /// What a group changes in place.
    public struct Group: Codable, Sendable, Equatable {
        public var desiredVMCount: Int?
        public var instanceType: String?
        public var spotStrategy: String?
        public var spotPriceLimit: Double?

        public init(desiredVMCount: Int? = nil, instanceType: String? = nil, spotStrategy: String? = nil, spotPriceLimit: Double? = nil) {
            self.desiredVMCount = desiredVMCount; self.instanceType = instanceType
            self.spotStrategy = spotStrategy; self.spotPriceLimit = spotPriceLimit
        }

        /// The settings of a group as created that change in place.
        public init(_ group: ClusterDescription.Group) {
            self.init(desiredVMCount: group.desiredVMCount, instanceType: group.instanceType, spotStrategy: group.spotStrategy,
                      spotPriceLimit: group.spotPriceLimit)
        }

        public enum CodingKeys: String, CodingKey, CaseIterable {
            case desiredVMCount = "DesiredVMCount", instanceType = "InstanceType", spotStrategy = "SpotStrategy"
            case spotPriceLimit = "SpotPriceLimit"
        }
        public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
    }

    public var groups: [String: Group]?
    public var imageId: String?
    public var envVars: [String: String]?
    public var userData: [String: String]?
    public var configs: Wire.Configs?
    public var inputMapping: [String: String]?
    public var labels: [String: String]?

    public init(groups: [String: Group]? = nil, imageId: String? = nil, envVars: [String: String]? = nil,
                userData: [String: String]? = nil, configs: Wire.Configs? = nil, inputMapping: [String: String]? = nil,
                labels: [String: String]? = nil) {
        self.groups = groups; self.imageId = imageId; self.envVars = envVars; self.userData = userData; self.configs = configs
        self.inputMapping = inputMapping; self.labels = labels
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case groups = "Groups", imageId = "ImageId", envVars = "EnvVars", userData = "UserData", configs = "Configs"
        case inputMapping = "InputMapping", labels = "Labels"
    }

    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
}
