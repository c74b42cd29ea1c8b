/// A cluster as `GetCluster` and `ListClusters` answer it. The parts BatchCompute passes
/// through as the user wrote them (`Configs`, `UserData`, `EnvVars`, …) stay JSON.
public struct ClusterStatus: Codable, Sendable, Equatable {
    /// A group as the cluster reports it: what was asked (`DesiredVMCount`) and what runs.
    public struct Group: Codable, Sendable, Equatable {
        public var desiredVMCount: Int
        public var actualVMCount: Int
        public var instanceType: String
        public var resourceType: String
        public var spotStrategy: String
        public var spotPriceLimit: Double
        public var disks: JSONValue

        public init(desiredVMCount: Int, actualVMCount: Int, instanceType: String, resourceType: String = "OnDemand",
                    spotStrategy: String = "", spotPriceLimit: Double = 0, disks: JSONValue = .object([:])) {
            self.desiredVMCount = desiredVMCount; self.actualVMCount = actualVMCount; self.instanceType = instanceType
            self.resourceType = resourceType; self.spotStrategy = spotStrategy; self.spotPriceLimit = spotPriceLimit; self.disks = disks
        }
        enum CodingKeys: String, CodingKey {
            case desiredVMCount = "DesiredVMCount", actualVMCount = "ActualVMCount", instanceType = "InstanceType"
            case resourceType = "ResourceType", spotStrategy = "SpotStrategy", spotPriceLimit = "SpotPriceLimit", disks = "Disks"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            desiredVMCount = try c.field(.desiredVMCount, or: 0)
            actualVMCount = try c.field(.actualVMCount, or: 0)
            instanceType = try c.field(.instanceType, or: "")
            resourceType = try c.field(.resourceType, or: "OnDemand")
            spotStrategy = try c.field(.spotStrategy, or: "")
            spotPriceLimit = try c.field(.spotPriceLimit, or: 0)
            disks = try c.field(.disks, or: .object([:]))
        }
    }

    /// VMs by state, over all groups.
    public struct Metrics: Codable, Sendable, Equatable {
        public var runningCount, startingCount, stoppingCount, stoppedCount: Int
        public init(runningCount: Int = 0, startingCount: Int = 0, stoppingCount: Int = 0, stoppedCount: Int = 0) {
            self.runningCount = runningCount; self.startingCount = startingCount
            self.stoppingCount = stoppingCount; self.stoppedCount = stoppedCount
        }
        enum CodingKeys: String, CodingKey {
            case runningCount = "RunningCount", startingCount = "StartingCount", stoppingCount = "StoppingCount", stoppedCount = "StoppedCount"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            runningCount = try c.field(.runningCount, or: 0); startingCount = try c.field(.startingCount, or: 0)
            stoppingCount = try c.field(.stoppingCount, or: 0); stoppedCount = try c.field(.stoppedCount, or: 0)
        }
    }

    public var id: String
    public var name: String
    public var ownerId: Int
    public var description: String
    public var revision: Int
    /// bcops' extension: `container` (BatchCompute's own behaviour) or `host`.
    public var runtime: String
    public var labels: [String: String]
    public var creationTime: String
    public var state: ClusterState
    public var instanceType: String
    public var imageId: String
    public var userData: JSONValue
    public var envVars: JSONValue
    public var inputMapping: JSONValue
    public var inputMappingConfig: JSONValue
    public var notification: JSONValue
    public var configs: JSONValue
    public var writeSupport: Bool
    public var bootstrap: String
    public var securityGroup: String
    public var groups: [String: Group]
    public var operationLogs: [String]
    public var metrics: Metrics
    /// bcops' extension (`SgeMasterGroup`, as in `ClusterDescription`): present on SGE clusters only.
    public var sgeMasterGroup: String?

    public init(id: String, name: String, ownerId: Int = 0, description: String = "", revision: Int = 1, runtime: String = "container",
                labels: [String: String] = [:], creationTime: String = "", state: ClusterState = .active, instanceType: String = "",
                imageId: String = "", userData: JSONValue = .object([:]), envVars: JSONValue = .object([:]),
                inputMapping: JSONValue = .object([:]), inputMappingConfig: JSONValue = .object([:]),
                notification: JSONValue = .object([:]), configs: JSONValue = .object([:]), writeSupport: Bool = false,
                bootstrap: String = "", securityGroup: String = "", groups: [String: Group] = [:], operationLogs: [String] = [],
                metrics: Metrics = Metrics()) {
        self.id = id; self.name = name; self.ownerId = ownerId; self.description = description; self.revision = revision
        self.runtime = runtime; self.labels = labels; self.creationTime = creationTime; self.state = state
        self.instanceType = instanceType; self.imageId = imageId; self.userData = userData; self.envVars = envVars
        self.inputMapping = inputMapping; self.inputMappingConfig = inputMappingConfig; self.notification = notification
        self.configs = configs; self.writeSupport = writeSupport; self.bootstrap = bootstrap; self.securityGroup = securityGroup
        self.groups = groups; self.operationLogs = operationLogs; self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", ownerId = "OwnerId", description = "Description", revision = "Revision", runtime = "Runtime"
        case labels = "Labels", creationTime = "CreationTime", state = "State", instanceType = "InstanceType", imageId = "ImageId"
        case userData = "UserData", envVars = "EnvVars", inputMapping = "InputMapping", inputMappingConfig = "InputMappingConfig"
        case notification = "Notification", configs = "Configs", writeSupport = "WriteSupport", bootstrap = "Bootstrap"
        case securityGroup = "SecurityGroup", groups = "Groups", operationLogs = "OperationLogs", metrics = "Metrics"
        case sgeMasterGroup = "SgeMasterGroup"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.field(.name, or: "")
        ownerId = try c.field(.ownerId, or: 0)
        description = try c.field(.description, or: "")
        revision = try c.field(.revision, or: 1)
        runtime = try c.field(.runtime, or: "container")
        labels = try c.field(.labels, or: [:])
        creationTime = try c.field(.creationTime, or: "")
        state = try c.field(.state, or: .active)
        instanceType = try c.field(.instanceType, or: "")
        imageId = try c.field(.imageId, or: "")
        userData = try c.field(.userData, or: .object([:]))
        envVars = try c.field(.envVars, or: .object([:]))
        inputMapping = try c.field(.inputMapping, or: .object([:]))
        inputMappingConfig = try c.field(.inputMappingConfig, or: .object([:]))
        notification = try c.field(.notification, or: .object([:]))
        configs = try c.field(.configs, or: .object([:]))
        writeSupport = try c.field(.writeSupport, or: false)
        bootstrap = try c.field(.bootstrap, or: "")
        securityGroup = try c.field(.securityGroup, or: "")
        groups = try c.field(.groups, or: [:])
        operationLogs = try c.field(.operationLogs, or: [])
        metrics = try c.field(.metrics, or: Metrics())
        sgeMasterGroup = try c.decodeIfPresent(String.self, forKey: .sgeMasterGroup)
    }
}

/// A cluster's VM (`ClusterInstance`): on this engine a slot of the host with an ECS-style id.
public struct ClusterVM: Codable, Sendable, Equatable {
    public var id: String
    public var hint: String
    public var state: ClusterVMState
    public var ipAddress: String
    public var hostName: String
    public var errorCode: Int
    public var errorMessage: String
    public var creationTime: String
    public var instancePassword: String

    public init(id: String, hint: String = "", state: ClusterVMState, ipAddress: String = "", hostName: String = "",
                errorCode: Int = 0, errorMessage: String = "", creationTime: String = "", instancePassword: String = "") {
        self.id = id; self.hint = hint; self.state = state; self.ipAddress = ipAddress; self.hostName = hostName
        self.errorCode = errorCode; self.errorMessage = errorMessage; self.creationTime = creationTime
        self.instancePassword = instancePassword
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", hint = "Hint", state = "State", ipAddress = "IpAddress", hostName = "HostName", errorCode = "ErrorCode"
        case errorMessage = "ErrorMessage", creationTime = "CreationTime", instancePassword = "InstancePassword"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        hint = try c.field(.hint, or: "")
        state = try c.decode(ClusterVMState.self, forKey: .state)
        ipAddress = try c.field(.ipAddress, or: "")
        hostName = try c.field(.hostName, or: "")
        errorCode = try c.field(.errorCode, or: 0)
        errorMessage = try c.field(.errorMessage, or: "")
        creationTime = try c.field(.creationTime, or: "")
        instancePassword = try c.field(.instancePassword, or: "")
    }
}
