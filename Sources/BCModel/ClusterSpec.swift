/// A long-lived compute cluster: groups of nodes of one instance type each.
public struct ClusterSpec: ResourceSpec, Equatable {
    public static let kind = Kind.Cluster

    public var description: String?
    public var imageId: String
    public var platform: Platform?
    public var instanceType: String?
    public var groups: [String: ClusterGroup]
    public var mounts: Mounts?
    public var disks: Disks?
    public var vpc: VPC?
    public var env: [String: EnvValue]?
    public var userData: [String: EnvValue]?
    public var bootstrap: String?
    public var notification: Notification?
    public var runtime: ClusterRuntime?

    public init(imageId: String, groups: [String: ClusterGroup]) { self.imageId = imageId; self.groups = groups }

    public static let typeDescription = "A compute cluster: named groups of nodes, mounts, network and environment."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "imageId": FieldDoc("Compute image of the nodes (img-… or m-…).", examples: ["img-ubuntu"]),
        "platform": FieldDoc("Linux (default) or Windows; decides how mount destinations are written."),
        "instanceType": FieldDoc("Default instance type of groups that name none."),
        "groups": FieldDoc("Node groups by name; capacity is the sum of desiredCount × vCPUs."),
        "mounts": FieldDoc("OSS and NAS mounts on every node."),
        "disks": FieldDoc("Disks of every node."),
        "vpc": FieldDoc("VPC of the nodes."),
        "env": FieldDoc("Environment exported to every node (bootstrap and tasks)."),
        "userData": FieldDoc("Key/value pairs handed to every node."),
        "bootstrap": FieldDoc("Command run on each node at start.", examples: ["/usr/local/bin/sge_bootstrap"]),
        "notification": FieldDoc("Where cluster events go."),
        "runtime": FieldDoc("container (default) runs Docker-image commands in containers; host runs them directly on the nodes."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        let os = platform ?? .Linux
        Rules.imageId(imageId, at: spec / "imageId", into: &sink)
        if let t = instanceType { Rules.instanceType(t, in: context, at: spec / "instanceType", into: &sink) }
        if groups.isEmpty { sink.error(spec / "groups", "a cluster needs at least one group") }
        for (name, group) in groups {
            group.validate(name: name, defaultInstanceType: instanceType, in: context, at: spec / "groups" / name, into: &sink)
        }
        if let m = mounts { Rules.mounts(m, platform: os, at: spec / "mounts", into: &sink) }
        if let d = disks { Rules.disks(d, platform: os, at: spec / "disks", into: &sink) }
        if let v = vpc { Rules.vpc(v, at: spec / "vpc", into: &sink) }
        if let e = env { Rules.env(e, at: spec / "env", into: &sink) }
        if let u = userData { Rules.env(u, at: spec / "userData", what: "user data key", into: &sink) }
        if let b = bootstrap, b.isBlank { sink.error(spec / "bootstrap", "must not be empty") }
    }
}

/// A group of identical nodes inside a cluster.
public struct ClusterGroup: Codable, Equatable, Sendable, SchemaDocumented {
    public var instanceType: String?
    public var desiredCount: Int
    public var resourceType: ResourceType?
    public var spotStrategy: SpotStrategy?
    public var spotPriceLimit: Double?
    public var imageId: String?
    public var hostnamePrefix: String?

    public init(instanceType: String? = nil, desiredCount: Int, resourceType: ResourceType? = nil) {
        self.instanceType = instanceType; self.desiredCount = desiredCount; self.resourceType = resourceType
    }

    public static let typeDescription = "Nodes of one instance type; resized in place by changing desiredCount."
    public static let fieldDocs: [String: FieldDoc] = [
        "instanceType": FieldDoc("Instance type of the group's nodes.", examples: ["ecs.sn2.medium"]),
        "desiredCount": FieldDoc("Number of nodes; 0 keeps the group without nodes.", minimum: 0),
        "resourceType": FieldDoc("OnDemand (default) or Spot."),
        "spotStrategy": FieldDoc("Spot only: SpotWithPriceLimit or SpotAsPriceGo."),
        "spotPriceLimit": FieldDoc("SpotWithPriceLimit only: highest hourly price, at most 3 decimals.", minimum: 0),
        "imageId": FieldDoc("Image of this group's nodes, overriding the cluster's."),
        "hostnamePrefix": FieldDoc("Prefix of the nodes' host names."),
    ]

    func validate(name: String, defaultInstanceType: String?, in context: ValidationContext,
                  at path: FieldPath, into sink: inout DiagnosticSink) {
        Rules.name(name, at: path, what: "group name", isKey: true, into: &sink)
        if let t = instanceType {
            Rules.instanceType(t, in: context, at: path / "instanceType", into: &sink)
        } else if defaultInstanceType == nil {
            sink.error(path / "instanceType", "group \"\(name)\" has no instanceType and the spec sets no default")
        }
        Rules.nonNegative(desiredCount, at: path / "desiredCount", what: "desiredCount", into: &sink)
        Rules.spot(resourceType: resourceType, strategy: spotStrategy, priceLimit: spotPriceLimit, at: path, into: &sink)
        if let image = imageId { Rules.imageId(image, at: path / "imageId", into: &sink) }
        if let prefix = hostnamePrefix { Rules.name(prefix, at: path / "hostnamePrefix", what: "hostname prefix", maxLength: 32, into: &sink) }
    }
}
