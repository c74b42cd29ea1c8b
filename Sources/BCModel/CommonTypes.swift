/// Values shared by several kinds.

public enum ResourceType: String, ManifestEnum { case OnDemand, Spot }

public enum SpotStrategy: String, ManifestEnum { case SpotWithPriceLimit, SpotAsPriceGo }

/// The operating system of a compute image; it decides how mount destinations are written.
public enum Platform: String, ManifestEnum { case Linux, Windows }

/// How a Docker-image command runs on a cluster's nodes.
public enum ClusterRuntime: String, ManifestEnum {
    /// In a container (podman or docker), the default.
    case container
    /// Directly on the node, for machines with no container runtime.
    case host
}

public enum DiskType: String, ManifestEnum { case cloud, ephemeral, cloud_efficiency, cloud_ssd }

/// A system or data disk.
public struct Disk: Codable, Equatable, Sendable, SchemaDocumented {
    public var type: DiskType?
    public var size: Int?
    public var mountPoint: String?

    public init(type: DiskType? = nil, size: Int? = nil, mountPoint: String? = nil) {
        self.type = type; self.size = size; self.mountPoint = mountPoint
    }

    public static let typeDescription = "A disk: type, size in GB and, for data disks, where it is mounted."
    public static let fieldDocs: [String: FieldDoc] = [
        "type": FieldDoc("Disk type."),
        "size": FieldDoc("Size in GB: system disks 40–500, data disks 5–2000 (ephemeral 5–1024).", minimum: 5, maximum: 2000),
        "mountPoint": FieldDoc("Data disks only: absolute path (Linux) or drive letter (Windows).", examples: ["/home/disk1", "E:"]),
    ]
}

public struct Disks: Codable, Equatable, Sendable, SchemaDocumented {
    public var systemDisk: Disk?
    public var dataDisk: Disk?

    public init(systemDisk: Disk? = nil, dataDisk: Disk? = nil) {
        self.systemDisk = systemDisk; self.dataDisk = dataDisk
    }

    public static let typeDescription = "System and data disks of each node."
    public static let fieldDocs: [String: FieldDoc] = [
        "systemDisk": FieldDoc("The system disk (40–500 GB)."),
        "dataDisk": FieldDoc("An extra data disk (5–2000 GB)."),
    ]
}

/// One OSS or NAS mount.
public struct MountEntry: Codable, Equatable, Sendable, SchemaDocumented {
    public var source: String
    public var destination: String
    public var writeSupport: Bool?

    public init(source: String, destination: String, writeSupport: Bool? = nil) {
        self.source = source; self.destination = destination; self.writeSupport = writeSupport
    }

    public static let typeDescription = "An OSS or NAS prefix made visible at a local path of every node."
    public static let fieldDocs: [String: FieldDoc] = [
        "source": FieldDoc("oss://bucket/prefix/ or nas://host:/path/; a trailing / mounts a directory.",
                           examples: ["oss://renderbucket/blender/", "nas://a/b/c:/"]),
        "destination": FieldDoc("Absolute local path, or a drive letter such as G: on Windows images.",
                                examples: ["/home/nas/", "G:"]),
        "writeSupport": FieldDoc("Allow local writes under the mount; they stay on the node and never reach OSS."),
    ]
}

public struct Mounts: Codable, Equatable, Sendable, SchemaDocumented {
    public var entries: [MountEntry]?
    public var locale: String?
    public var lock: Bool?
    public var cacheSupport: Bool?

    public init(entries: [MountEntry]? = nil, locale: String? = nil, lock: Bool? = nil, cacheSupport: Bool? = nil) {
        self.entries = entries; self.locale = locale; self.lock = lock; self.cacheSupport = cacheSupport
    }

    public static let typeDescription = "Mounts shared by every node."
    public static let fieldDocs: [String: FieldDoc] = [
        "entries": FieldDoc("The mounts."),
        "locale": FieldDoc("Character set of object names, GBK or UTF-8.", examples: ["GBK", "UTF-8"]),
        "lock": FieldDoc("Enable file locks on the mount (Windows only)."),
        "cacheSupport": FieldDoc("Use the cluster's distributed read cache."),
    ]
}

public struct VPC: Codable, Equatable, Sendable, SchemaDocumented {
    public var vpcId: String?
    public var cidrBlock: String?
    public var vpcCidrBlock: String?

    public init(vpcId: String? = nil, cidrBlock: String? = nil, vpcCidrBlock: String? = nil) {
        self.vpcId = vpcId; self.cidrBlock = cidrBlock; self.vpcCidrBlock = vpcCidrBlock
    }

    public static let typeDescription = "The VPC the nodes join."
    public static let fieldDocs: [String: FieldDoc] = [
        "vpcId": FieldDoc("The VPC id.", pattern: "^vpc-[A-Za-z0-9]+$", examples: ["vpc-2zelezxypuombayu0dsbf"]),
        "cidrBlock": FieldDoc("The cluster's address block; it must lie inside the VPC's block.", examples: ["192.168.1.0/24"]),
        "vpcCidrBlock": FieldDoc("The VPC's own address block, checked against cidrBlock (default: the private range that contains cidrBlock).",
                                 examples: ["192.168.0.0/16"]),
    ]
}

public struct Topic: Codable, Equatable, Sendable, SchemaDocumented {
    public var name: String
    public var endpoint: String?
    public var events: [String]?

    public static let typeDescription = "An MNS topic that receives events."
    public static let fieldDocs: [String: FieldDoc] = [
        "name": FieldDoc("Topic name."),
        "endpoint": FieldDoc("MNS endpoint.", examples: ["http://123.mns.cn-shenzhen.aliyuncs.com/"]),
        "events": FieldDoc("Event names such as OnJobFinished or OnInstanceCreated."),
    ]
}

public struct Notification: Codable, Equatable, Sendable, SchemaDocumented {
    public var topic: Topic

    public static let typeDescription = "Where job or cluster events are sent."
    public static let fieldDocs: [String: FieldDoc] = ["topic": FieldDoc("The topic.")]
}

/// A Docker image and, optionally, the OSS registry that holds it.
public struct DockerImage: Codable, Equatable, Sendable, SchemaDocumented {
    public var image: String
    public var registryOSSPath: String?

    public init(image: String, registryOSSPath: String? = nil) {
        self.image = image; self.registryOSSPath = registryOSSPath
    }

    public static let typeDescription = "A Docker image."
    public static let fieldDocs: [String: FieldDoc] = [
        "image": FieldDoc("Image name with tag.", examples: ["localhost:5000/demodockerimage:0.1"]),
        "registryOSSPath": FieldDoc("OSS prefix of the registry holding the image.", examples: ["oss://demo-bucket/dockers/"]),
    ]
}

/// A per-job pool of nodes created for one job and released after it (BatchCompute's AutoCluster).
public struct AutoClusterSpec: Codable, Equatable, Sendable, SchemaDocumented {
    public var instanceType: String
    public var imageId: String?
    public var resourceType: ResourceType?
    public var spotStrategy: SpotStrategy?
    public var spotPriceLimit: Double?
    public var disks: Disks?
    public var vpc: VPC?
    public var userData: [String: EnvValue]?
    public var reserveOnFail: Bool?

    public init(instanceType: String, imageId: String? = nil, resourceType: ResourceType? = nil) {
        self.instanceType = instanceType; self.imageId = imageId; self.resourceType = resourceType
    }

    public static let typeDescription = "A pool created for one job and released when it ends."
    public static let fieldDocs: [String: FieldDoc] = [
        "instanceType": FieldDoc("Instance type of every node.", examples: ["ecs.sn1.medium"]),
        "imageId": FieldDoc("Compute image (img-… or m-…); defaults to the project's or app's image.", examples: ["img-ubuntu"]),
        "resourceType": FieldDoc("OnDemand (default) or Spot."),
        "spotStrategy": FieldDoc("Spot only: SpotWithPriceLimit or SpotAsPriceGo."),
        "spotPriceLimit": FieldDoc("SpotWithPriceLimit only: the highest hourly price, at most 3 decimals.", minimum: 0),
        "disks": FieldDoc("Disks of each node."),
        "vpc": FieldDoc("VPC of the nodes."),
        "userData": FieldDoc("Key/value pairs handed to each node."),
        "reserveOnFail": FieldDoc("Keep the nodes after a failure, for debugging."),
    ]
}
