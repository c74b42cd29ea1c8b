import BCAPI
import BCModel

/// SGECluster → `/clusters`: a cluster with the SGE image whose groups are the master's group
/// (recorded as `SgeMasterGroup`, the console's `sgeMasterGroup`, one node) and the worker
/// groups. As for a Cluster, a group's desired count and instance type change in place; the
/// set of groups cannot (the seed: "group 个数在 start 后不能变更", bcc needs stop and start),
/// so changing it replaces the cluster, and the plan says why (`Planner.replaceReason`).
enum SGEClusterLowering {
    typealias Key = ClusterDescription.CodingKeys
    typealias GroupKey = ClusterDescription.Group.CodingKeys
    typealias ConfigsKey = Wire.Configs.CodingKeys

    /// The master's group. A worker group may not take this name (lowering would merge them):
    /// the validator's group names are the user's, and this one has a capital letter no
    /// `bcc`-style name has.
    static let masterGroup = "sgeMaster"

    /// Where an `attach: cls-…` id travels from lowering to apply, in the resource's fixed
    /// parts: never sent (the applier takes it out), it makes a create an adoption.
    static let attachKey = "bcops.io/attach"

    static func lower(_ spec: SGEClusterSpec) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .replace, capacity: 16)
        let groups = Key.groups.rawValue
        r.set("description", [Key.description.rawValue], spec.description)
        r.set("imageId", [Key.imageId.rawValue], spec.imageId ?? spec.master.imageId)
        r.keys("groups", [groups], Array(spec.groups.keys) + [masterGroup], rule: .replace)
        r.set("master.instanceType", [groups, masterGroup, GroupKey.instanceType.rawValue], spec.master.instanceType, rule: .inPlace)
        r.set("master.imageId", [groups, masterGroup, GroupKey.imageId.rawValue], spec.master.imageId)
        ClusterLowering.recordGroupsAndConfigs(&r, groups: spec.groups, mounts: spec.mounts, disks: spec.disks, vpc: spec.vpc)
        // The seed's prepaid cluster: every worker learns its master from these two variables.
        var env = spec.env ?? [:]
        if let h = spec.master.hostname { env["SGE_MASTER_HOST_NAME"] = .literal(h) }
        if let ip = spec.master.ipAddress { env["SGE_MASTER_IP_ADDRESS"] = .literal(ip) }
        r.env("env", [Key.envVars.rawValue], env.isEmpty ? nil : env)
        r.env("userData", [Key.userData.rawValue], spec.userData)
        r.set("bootstrap", [Key.bootstrap.rawValue], spec.bootstrap ?? SGEClusterSpec.defaultBootstrap)
        r.set("runtime", [Key.runtime.rawValue], spec.runtime?.rawValue)
        return r.fields
    }

    /// What every SGE cluster body holds besides the user's settings: its name, the master
    /// group's one node and the `SgeMasterGroup` that marks it as an SGE cluster.
    static func fixed(_ spec: SGEClusterSpec, name: String) -> [String: JSONValue] {
        var o = Lowering.fixed(Lowering.cluster, name: name)
        o[Key.sgeMasterGroup.rawValue] = .string(masterGroup)
        o[Key.groups.rawValue] = .object([masterGroup: .object([GroupKey.desiredVMCount.rawValue: .integer(1)])])
        if let id = spec.attach { o[attachKey] = .string(id) }
        return o
    }
}
