/// What a region offers, as `GET /quotas` (`GetQuotas`) answers it. This engine offers every
/// instance type of its catalog, on demand and spot alike.
public struct Quotas: Codable, Sendable, Equatable {
    public var availableClusterInstanceType: [String]
    public var availableSpotInstanceType: [String]
    public var availableClusterResourceType: [String]
    public var availableClusterInstanceSystemDiskType: [String]
    public var availableClusterInstanceDataDiskType: [String]

    public init(availableClusterInstanceType: [String], availableSpotInstanceType: [String], availableClusterResourceType: [String],
                availableClusterInstanceSystemDiskType: [String], availableClusterInstanceDataDiskType: [String]) {
        self.availableClusterInstanceType = availableClusterInstanceType
        self.availableSpotInstanceType = availableSpotInstanceType
        self.availableClusterResourceType = availableClusterResourceType
        self.availableClusterInstanceSystemDiskType = availableClusterInstanceSystemDiskType
        self.availableClusterInstanceDataDiskType = availableClusterInstanceDataDiskType
    }

    enum CodingKeys: String, CodingKey {
        case availableClusterInstanceType = "AvailableClusterInstanceType", availableSpotInstanceType = "AvailableSpotInstanceType"
        case availableClusterResourceType = "AvailableClusterResourceType"
        case availableClusterInstanceSystemDiskType = "AvailableClusterInstanceSystemDiskType"
        case availableClusterInstanceDataDiskType = "AvailableClusterInstanceDataDiskType"
    }
}

/// The instance types, resource types and disk types a region has, with each type's size, as
/// `GET /available` (`GetAvailableResource`) answers it.
public struct AvailableResources: Codable, Sendable, Equatable {
    /// One instance type: its vCPUs, memory (GiB) and the networks it can join.
    public struct Offer: Codable, Sendable, Equatable {
        public struct Network: Codable, Sendable, Equatable {
            public var classic: Bool
            public var vpc: Bool
            public init(classic: Bool, vpc: Bool) { self.classic = classic; self.vpc = vpc }
            enum CodingKeys: String, CodingKey { case classic = "Classic", vpc = "Vpc" }
        }

        public var instanceType: String
        public var cpuCore: Int
        public var memorySize: Double
        public var network: Network

        public init(instanceType: String, cpuCore: Int, memorySize: Double, network: Network = Network(classic: false, vpc: true)) {
            self.instanceType = instanceType; self.cpuCore = cpuCore; self.memorySize = memorySize; self.network = network
        }
        enum CodingKeys: String, CodingKey {
            case instanceType = "InstanceType", cpuCore = "CpuCore", memorySize = "MemorySize", network = "Network"
        }
    }

    public var availableClusterInstanceType: [Offer]
    public var availableSpotInstanceType: [Offer]
    public var availablePrepaidInstanceType: [Offer]
    public var availableResourceType: [String]
    public var availableSystemDiskType: [String]
    public var availableDataDiskType: [String]

    public init(availableClusterInstanceType: [Offer], availableSpotInstanceType: [Offer], availablePrepaidInstanceType: [Offer],
                availableResourceType: [String], availableSystemDiskType: [String], availableDataDiskType: [String]) {
        self.availableClusterInstanceType = availableClusterInstanceType; self.availableSpotInstanceType = availableSpotInstanceType
        self.availablePrepaidInstanceType = availablePrepaidInstanceType; self.availableResourceType = availableResourceType
        self.availableSystemDiskType = availableSystemDiskType; self.availableDataDiskType = availableDataDiskType
    }

    enum CodingKeys: String, CodingKey {
        case availableClusterInstanceType = "AvailableClusterInstanceType", availableSpotInstanceType = "AvailableSpotInstanceType"
        case availablePrepaidInstanceType = "AvailablePrepaidInstanceType", availableResourceType = "AvailableResourceType"
        case availableSystemDiskType = "AvailableSystemDiskType", availableDataDiskType = "AvailableDataDiskType"
    }
}
