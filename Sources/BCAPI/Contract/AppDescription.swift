/// An app as created or modified (`CreateApp`, `ModifyApp`: the whole description, each
/// modification a new revision): what it runs, on which image, its parameters and the
/// defaults of the jobs that run it. `GetApp` echoes it (`AppStatus.description`).
public struct AppDescription: Codable, Sendable, Equatable, ClosedRequestBody {
    /// An input or output parameter: `${name}` in the command line, optionally a local path
    /// its OSS location is mapped to.
    public struct Parameter: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable { case string = "String", number = "Number" }

        public var type: Kind?
        public var `default`: String?
        public var localPath: String?
        public var description: String?
        public var overwritable: Bool?

        public init(type: Kind? = nil, default: String? = nil, localPath: String? = nil, description: String? = nil,
                    overwritable: Bool? = nil) {
            self.type = type; self.default = `default`; self.localPath = localPath; self.description = description
            self.overwritable = overwritable
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case type = "Type", `default` = "Default", localPath = "LocalPath", description = "Description", overwritable = "Overwritable"
        }
    }

    /// An app on a VM image instead of a Docker image.
    public struct VM: Codable, Sendable, Equatable {
        public var ecsImageId: String
        public init(ecsImageId: String) { self.ecsImageId = ecsImageId }
        public enum CodingKeys: String, CodingKey, CaseIterable { case ecsImageId = "ECSImageId" }
    }

    /// One default of the jobs that run the app: its value, and whether a job may set another.
    public struct Item<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        public var `default`: Value?
        public var overwritable: Bool?
        public var description: String?

        public init(default: Value? = nil, overwritable: Bool? = nil, description: String? = nil) {
            self.default = `default`; self.overwritable = overwritable; self.description = description
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case `default` = "Default", overwritable = "Overwritable", description = "Description"
        }
    }

    /// The defaults of the jobs that run the app (`Config`), each an `Item`.
    public struct Config: Codable, Sendable, Equatable {
        public var resourceType: Item<String>?
        public var instanceType: Item<String>?
        public var instanceCount: Item<Int>?
        public var maxRetryCount: Item<Int>?
        public var timeout: Item<Int>?
        public var diskType: Item<String>?
        public var minDiskSize: Item<Int>?
        public var dataDiskType: Item<String>?
        public var minDataDiskSize: Item<Int>?
        public var dataDiskMountPoint: Item<String>?
        public var classicNetwork: Item<Bool>?

        public init(resourceType: Item<String>? = nil, instanceType: Item<String>? = nil, instanceCount: Item<Int>? = nil,
                    maxRetryCount: Item<Int>? = nil, timeout: Item<Int>? = nil, diskType: Item<String>? = nil,
                    minDiskSize: Item<Int>? = nil, dataDiskType: Item<String>? = nil, minDataDiskSize: Item<Int>? = nil,
                    dataDiskMountPoint: Item<String>? = nil, classicNetwork: Item<Bool>? = nil) {
            self.resourceType = resourceType; self.instanceType = instanceType; self.instanceCount = instanceCount
            self.maxRetryCount = maxRetryCount; self.timeout = timeout; self.diskType = diskType; self.minDiskSize = minDiskSize
            self.dataDiskType = dataDiskType; self.minDataDiskSize = minDataDiskSize; self.dataDiskMountPoint = dataDiskMountPoint
            self.classicNetwork = classicNetwork
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case resourceType = "ResourceType", instanceType = "InstanceType", instanceCount = "InstanceCount"
            case maxRetryCount = "MaxRetryCount", timeout = "Timeout", diskType = "DiskType", minDiskSize = "MinDiskSize"
            case dataDiskType = "DataDiskType", minDataDiskSize = "MinDataDiskSize", dataDiskMountPoint = "DataDiskMountPoint"
            case classicNetwork = "ClassicNetwork"
        }
    }

    public var name: String
    public var description: String?
    public var docker: Wire.Docker?
    public var vm: VM?
    public var commandLine: String?
    public var inputParameters: [String: Parameter]?
    public var outputParameters: [String: Parameter]?
    public var envVars: [String: String]?
    public var daemonize: Bool?
    public var config: Config?
    public var labels: [String: String]?

    public init(name: String, description: String? = nil, docker: Wire.Docker? = nil, vm: VM? = nil, commandLine: String? = nil,
                inputParameters: [String: Parameter]? = nil, outputParameters: [String: Parameter]? = nil,
                envVars: [String: String]? = nil, daemonize: Bool? = nil, config: Config? = nil, labels: [String: String]? = nil) {
        self.name = name; self.description = description; self.docker = docker; self.vm = vm; self.commandLine = commandLine
        self.inputParameters = inputParameters; self.outputParameters = outputParameters; self.envVars = envVars
        self.daemonize = daemonize; self.config = config; self.labels = labels
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name = "Name", description = "Description", docker = "Docker", vm = "VM", commandLine = "CommandLine"
        case inputParameters = "InputParameters", outputParameters = "OutputParameters", envVars = "EnvVars"
        case daemonize = "Daemonize", config = "Config", labels = "Labels"
    }

    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
}

extension AppStatus {
    /// The description to send back to `ModifyApp` with new labels: everything else as it is
    /// (the app's fields bcops does not set pass through untouched).
    public func description(labels: [String: String]) -> [String: JSONValue] {
        var d = description
        d[AppDescription.CodingKeys.labels.rawValue] = JSONValue(encoding: labels)
        return d
    }
}
