/// An SGE cluster as the seed's `bcc` tool builds it: a master node and worker groups
/// whose nodes join the master's Grid Engine on boot.
public struct SGEClusterSpec: ResourceSpec, Equatable {
    public static let kind = Kind.SGECluster

    public var description: String?
    public var master: SGEMaster
    public var imageId: String?
    public var groups: [String: ClusterGroup]
    public var mounts: Mounts?
    public var disks: Disks?
    public var vpc: VPC
    public var env: [String: EnvValue]?
    public var userData: [String: EnvValue]?
    public var bootstrap: String?
    public var runtime: ClusterRuntime?
    public var attach: String?

    public init(master: SGEMaster, groups: [String: ClusterGroup], vpc: VPC) {
        self.master = master; self.groups = groups; self.vpc = vpc
    }

    /// The bootstrap every SGE worker runs (the seed: "must be this value").
    public static let defaultBootstrap = "/usr/local/bin/sge_bootstrap"

    public static let typeDescription = "A Grid Engine cluster: one master and worker groups, each with its own instance type, count and image."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "master": FieldDoc("The master node that runs qmaster and accepts qsub."),
        "imageId": FieldDoc("Default image of the worker groups (the BatchCompute SGE image or one built from it).", examples: ["img-sge"]),
        "groups": FieldDoc("Worker groups by name (bcc names them default, group1, group2, …)."),
        "mounts": FieldDoc("OSS and NAS mounts on every worker."),
        "disks": FieldDoc("Disks of every worker."),
        "vpc": FieldDoc("SGE runs only in a VPC: cidrBlock must lie inside the master's VPC block."),
        "env": FieldDoc("Extra environment of the workers; SGE_MASTER_* are set from master."),
        "userData": FieldDoc("Key/value pairs handed to every worker."),
        "bootstrap": FieldDoc("Worker bootstrap; defaults to /usr/local/bin/sge_bootstrap."),
        "runtime": FieldDoc("container (default) or host, as for Cluster."),
        "attach": FieldDoc("Manage an existing cluster (a prepaid one bought in the console) instead of creating one, as `bcc attach` does.",
                           pattern: "^cls-[a-z0-9]+$", examples: ["cls-6ki4fsea5ldlvsupbrk01q"]),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        master.validate(in: context, at: spec / "master", into: &sink)
        if let image = imageId { Rules.imageId(image, at: spec / "imageId", into: &sink) }
        if groups.isEmpty { sink.error(spec / "groups", "an SGE cluster needs at least one worker group") }
        for (name, group) in groups {
            let path = spec / "groups" / name
            group.validate(name: name, defaultInstanceType: nil, in: context, at: path, into: &sink)
            if group.imageId == nil && imageId == nil {
                sink.error(path / "imageId", "group \"\(name)\" has no imageId and the spec sets no default imageId")
            }
        }
        if let m = mounts { Rules.mounts(m, platform: .Linux, at: spec / "mounts", into: &sink) }
        if let d = disks { Rules.disks(d, platform: .Linux, at: spec / "disks", into: &sink) }
        Rules.vpc(vpc, at: spec / "vpc", into: &sink)
        if vpc.cidrBlock == nil { sink.error(spec / "vpc" / "cidrBlock", "SGE clusters run only in a VPC: set the cluster's cidrBlock") }
        if let e = env {
            Rules.env(e, at: spec / "env", into: &sink)
            for reserved in ["SGE_MASTER_IP_ADDRESS", "SGE_MASTER_HOST_NAME"] where e[reserved] != nil {
                sink.errorAtKey(spec / "env" / reserved, "\(reserved) is set from spec.master; remove it here")
            }
        }
        if let u = userData { Rules.env(u, at: spec / "userData", what: "user data key", into: &sink) }
        if let a = attach, !a.hasPrefix("cls-") || a.utf8.count < 5 || a.hasWhitespace {
            sink.error(spec / "attach", "attach takes an existing cluster id such as cls-6ki4fsea5ldlvsupbrk01q")
        }
    }
}

public struct SGEMaster: Codable, Equatable, Sendable, SchemaDocumented {
    public var instanceType: String
    public var imageId: String
    public var hostname: String?
    public var ipAddress: String?

    public init(instanceType: String, imageId: String, hostname: String? = nil) {
        self.instanceType = instanceType; self.imageId = imageId; self.hostname = hostname
    }

    public static let typeDescription = "The SGE master: at least 2 vCPUs and 4 GB, as the seed requires."
    public static let fieldDocs: [String: FieldDoc] = [
        "instanceType": FieldDoc("Instance type of the master.", examples: ["ecs.sn1.medium"]),
        "imageId": FieldDoc("Image of the master.", examples: ["img-sge"]),
        "hostname": FieldDoc("Host name workers use to reach qmaster (SGE_MASTER_HOST_NAME)."),
        "ipAddress": FieldDoc("Address workers use to reach qmaster (SGE_MASTER_IP_ADDRESS)."),
    ]

    func validate(in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        Rules.instanceType(instanceType, in: context, at: path / "instanceType", into: &sink)
        if let t = context.catalog[instanceType], t.cpu < 2 || t.memoryGiB < 4 {
            sink.error(path / "instanceType", "the SGE master needs at least 2 vCPUs and 4 GB; \(instanceType) has \(t.cpu) vCPU and \(t.memoryGiB.formatted) GB")
        }
        Rules.imageId(imageId, at: path / "imageId", into: &sink)
        if let h = hostname, h.isEmpty || h.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) {
            sink.error(path / "hostname", "\"\(h)\" is not a host name")
        }
        if let ip = ipAddress, CIDRBlock(ip + "/32") == nil {
            sink.error(path / "ipAddress", "\"\(ip)\" is not an IPv4 address")
        }
    }
}

extension Double {
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
