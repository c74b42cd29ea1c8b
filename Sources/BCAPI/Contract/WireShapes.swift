/// The shapes BatchCompute's job, cluster and app descriptions share: disks, mounts, networks,
/// notifications, Docker images and auto clusters. In their own namespace because the
/// manifests' model (BCModel) has types of the same names, with the manifest's spellings,
/// and most modules read both.
///
/// Every field is optional: nil is left out of the body, as the planner has always left out
/// what a manifest does not set (its spec hashes and plans depend on exactly that).
public enum Wire {
    /// A system or data disk: `Type` (cloud, cloud_efficiency, cloud_ssd, ephemeral), size in
    /// GB, and a data disk's mount point.
    public struct Disk: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var type: String?
        public var size: Int?
        public var mountPoint: String?

        public init(type: String? = nil, size: Int? = nil, mountPoint: String? = nil) {
            self.type = type; self.size = size; self.mountPoint = mountPoint
        }
        public enum CodingKeys: String, CodingKey, CaseIterable { case type = "Type", size = "Size", mountPoint = "MountPoint" }
    }

    public struct Disks: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var systemDisk: Disk?
        public var dataDisk: Disk?

        public init(systemDisk: Disk? = nil, dataDisk: Disk? = nil) { self.systemDisk = systemDisk; self.dataDisk = dataDisk }
        public enum CodingKeys: String, CodingKey, CaseIterable { case systemDisk = "SystemDisk", dataDisk = "DataDisk" }
    }

    /// One OSS or NAS location mounted on the nodes.
    public struct MountEntry: Codable, Sendable, Equatable {
        public var source: String
        public var destination: String
        public var writeSupport: Bool?

        public init(source: String, destination: String, writeSupport: Bool? = nil) {
            self.source = source; self.destination = destination; self.writeSupport = writeSupport
        }
        public enum CodingKeys: String, CodingKey, CaseIterable { case source = "Source", destination = "Destination", writeSupport = "WriteSupport" }
    }

    public struct Mounts: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var entries: [MountEntry]?
        public var locale: String?
        public var lock: Bool?
        public var cacheSupport: Bool?

        public init(entries: [MountEntry]? = nil, locale: String? = nil, lock: Bool? = nil, cacheSupport: Bool? = nil) {
            self.entries = entries; self.locale = locale; self.lock = lock; self.cacheSupport = cacheSupport
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case entries = "Entries", locale = "Locale", lock = "Lock", cacheSupport = "CacheSupport"
        }
    }

    public struct VPC: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var vpcId: String?
        public var cidrBlock: String?

        public init(vpcId: String? = nil, cidrBlock: String? = nil) { self.vpcId = vpcId; self.cidrBlock = cidrBlock }
        public enum CodingKeys: String, CodingKey, CaseIterable { case vpcId = "VpcId", cidrBlock = "CidrBlock" }
    }

    public struct Networks: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var vpc: VPC?

        public init(vpc: VPC? = nil) { self.vpc = vpc }
        public enum CodingKeys: String, CodingKey, CaseIterable { case vpc = "VPC" }
    }

    /// A cluster's or an auto cluster's `Configs`: what every node gets.
    public struct Configs: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var mounts: Mounts?
        public var disks: Disks?
        public var networks: Networks?

        public init(mounts: Mounts? = nil, disks: Disks? = nil, networks: Networks? = nil) {
            self.mounts = mounts; self.disks = disks; self.networks = networks
        }
        public enum CodingKeys: String, CodingKey, CaseIterable { case mounts = "Mounts", disks = "Disks", networks = "Networks" }
    }

    /// An MNS topic told about the object's events. The engine echoes `UserData` and
    /// `UserTemplate` too (empty), as BatchCompute does.
    public struct Topic: Codable, Sendable, Equatable {
        public var name: String
        public var endpoint: String?
        public var events: [String]?
        public var userData: String?
        public var userTemplate: String?

        public init(name: String, endpoint: String? = nil, events: [String]? = nil, userData: String? = nil, userTemplate: String? = nil) {
            self.name = name; self.endpoint = endpoint; self.events = events; self.userData = userData; self.userTemplate = userTemplate
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case name = "Name", endpoint = "Endpoint", events = "Events", userData = "UserData", userTemplate = "UserTemplate"
        }
    }

    public struct Notification: Codable, Sendable, Equatable {
        public var topic: Topic

        public init(topic: Topic) { self.topic = topic }
        public enum CodingKeys: String, CodingKey, CaseIterable { case topic = "Topic" }
    }

    /// A Docker image run on the node (`RegistryOSSPath`: a private registry kept in OSS).
    public struct Docker: Codable, Sendable, Equatable {
        public var image: String
        public var registryOSSPath: String?

        public init(image: String, registryOSSPath: String? = nil) { self.image = image; self.registryOSSPath = registryOSSPath }
        public enum CodingKeys: String, CodingKey, CaseIterable { case image = "Image", registryOSSPath = "RegistryOSSPath" }
    }

    /// A pool made for one task or App job and released after it.
    public struct AutoCluster: Codable, Sendable, Equatable {
        public var instanceType: String
        /// BatchCompute's spelling; the engine takes `ImageId` too.
        public var ecsImageId: String?
        public var imageId: String?
        public var resourceType: String?
        public var spotStrategy: String?
        public var spotPriceLimit: Double?
        public var configs: Configs?
        public var reserveOnFail: Bool?
        public var userData: [String: String]?

        public init(instanceType: String, ecsImageId: String? = nil, imageId: String? = nil, resourceType: String? = nil,
                    spotStrategy: String? = nil, spotPriceLimit: Double? = nil, configs: Configs? = nil, reserveOnFail: Bool? = nil,
                    userData: [String: String]? = nil) {
            self.instanceType = instanceType; self.ecsImageId = ecsImageId; self.imageId = imageId; self.resourceType = resourceType
            self.spotStrategy = spotStrategy; self.spotPriceLimit = spotPriceLimit; self.configs = configs
            self.reserveOnFail = reserveOnFail; self.userData = userData
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case instanceType = "InstanceType", ecsImageId = "ECSImageId", imageId = "ImageId", resourceType = "ResourceType"
            case spotStrategy = "SpotStrategy", spotPriceLimit = "SpotPriceLimit", configs = "Configs", reserveOnFail = "ReserveOnFail"
            case userData = "UserData"
        }
    }
}
