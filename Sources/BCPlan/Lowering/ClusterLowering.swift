import BCModel

/// Cluster → `/clusters`. A group's desired count and instance type (and spot settings)
/// change in place; the image, the group set, the network and everything else force a
/// replacement (DESIGN.md's table).
enum ClusterLowering {
    static func lower(_ spec: ClusterSpec) -> [DesiredField] {
        var r = FieldRecorder(defaultRule: .replace)
        r.set("description", ["Description"], spec.description)
        r.set("imageId", ["ImageId"], spec.imageId)
        r.set("instanceType", ["InstanceType"], spec.instanceType)
        r.keys("groups", ["Groups"], Array(spec.groups.keys), rule: .replace)
        for (g, group) in spec.groups.sorted(by: { $0.key < $1.key }) {
            let base = "groups.\(g)"
            r.set("\(base).desiredCount", ["Groups", g, "DesiredVMCount"], group.desiredCount, rule: .inPlace)
            r.set("\(base).instanceType", ["Groups", g, "InstanceType"], group.instanceType, rule: .inPlace)
            r.set("\(base).resourceType", ["Groups", g, "ResourceType"], group.resourceType?.rawValue)
            r.set("\(base).spotStrategy", ["Groups", g, "SpotStrategy"], group.spotStrategy?.rawValue, rule: .inPlace)
            r.set("\(base).spotPriceLimit", ["Groups", g, "SpotPriceLimit"], group.spotPriceLimit, rule: .inPlace)
            r.set("\(base).imageId", ["Groups", g, "ImageId"], group.imageId)
            r.set("\(base).hostnamePrefix", ["Groups", g, "HostnamePrefix"], group.hostnamePrefix)
        }
        r.set("mounts", ["Configs", "Mounts"], APIShapes.mounts(spec.mounts))
        r.set("disks", ["Configs", "Disks"], APIShapes.disks(spec.disks))
        r.set("vpc", ["Configs", "Networks"], APIShapes.vpc(spec.vpc))
        r.env("env", ["EnvVars"], spec.env)
        r.env("userData", ["UserData"], spec.userData)
        r.set("bootstrap", ["Bootstrap"], spec.bootstrap)
        r.set("notification", ["Notification"], APIShapes.notification(spec.notification))
        r.set("runtime", ["Runtime"], spec.runtime?.rawValue)
        return r.fields
    }
}
