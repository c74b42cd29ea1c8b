import BCAPI
import BCModel

/// Cluster → `/clusters` (a `ClusterDescription`). A group's desired count and instance type
/// (and spot settings) change in place; the image, the group set, the network and everything
/// else force a replacement (DESIGN.md's table).
enum ClusterLowering {
    typealias Key = ClusterDescription.CodingKeys
    typealias GroupKey = ClusterDescription.Group.CodingKeys
    typealias ConfigsKey = Wire.Configs.CodingKeys

    static func lower(_ spec: ClusterSpec) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .replace)
        let groups = Key.groups.rawValue
        r.set("description", [Key.description.rawValue], spec.description)
        r.set("imageId", [Key.imageId.rawValue], spec.imageId)
        r.set("instanceType", [Key.instanceType.rawValue], spec.instanceType)
        r.keys("groups", [groups], Array(spec.groups.keys), rule: .replace)
        recordGroupsAndConfigs(&r, groups: spec.groups, mounts: spec.mounts, disks: spec.disks, vpc: spec.vpc)
        r.env("env", [Key.envVars.rawValue], spec.env)
        r.env("userData", [Key.userData.rawValue], spec.userData)
        r.set("bootstrap", [Key.bootstrap.rawValue], spec.bootstrap)
        r.set("notification", [Key.notification.rawValue], APIShapes.json(APIShapes.notification(spec.notification)))
        r.set("runtime", [Key.runtime.rawValue], spec.runtime?.rawValue)
        return r.fields
    }

    /// The worker groups (count, type and spot settings in place, the rest by replacement)
    /// and the cluster's mounts, disks and network: the same for a Cluster and an SGECluster.
    static func recordGroupsAndConfigs(_ r: inout FieldRecorder, groups specGroups: [String: ClusterGroup], mounts: Mounts?, disks: Disks?, vpc: VPC?) {
        let groups = Key.groups.rawValue
        for (g, group) in specGroups.sorted(by: { $0.key < $1.key }) {
            let base = "groups.\(g)"
            r.set("\(base).desiredCount", [groups, g, GroupKey.desiredVMCount.rawValue], group.desiredCount, rule: .inPlace)
            r.set("\(base).instanceType", [groups, g, GroupKey.instanceType.rawValue], group.instanceType, rule: .inPlace)
            r.set("\(base).resourceType", [groups, g, GroupKey.resourceType.rawValue], group.resourceType?.rawValue)
            r.set("\(base).spotStrategy", [groups, g, GroupKey.spotStrategy.rawValue], group.spotStrategy?.rawValue, rule: .inPlace)
            r.set("\(base).spotPriceLimit", [groups, g, GroupKey.spotPriceLimit.rawValue], group.spotPriceLimit, rule: .inPlace)
            r.set("\(base).imageId", [groups, g, GroupKey.imageId.rawValue], group.imageId)
            r.set("\(base).hostnamePrefix", [groups, g, GroupKey.hostnamePrefix.rawValue], group.hostnamePrefix)
        }
        let configs = Key.configs.rawValue
        r.set("mounts", [configs, ConfigsKey.mounts.rawValue], APIShapes.json(APIShapes.mounts(mounts)))
        r.set("disks", [configs, ConfigsKey.disks.rawValue], APIShapes.json(APIShapes.disks(disks)))
        r.set("vpc", [configs, ConfigsKey.networks.rawValue], APIShapes.json(APIShapes.networks(vpc)))
    }
}
