/// A job as submitted (`CreateJob`'s body) and as `GetJob?description` answers it: a DAG of
/// tasks, or a run of an App. Every field the planner writes is typed (its coding keys are the
/// wire's spellings the lowering's API paths are made of); a field this type does not know
/// stays JSON in `other`, so a description read and written back loses nothing.
public struct JobDescription: Codable, Sendable, Equatable {
    public enum JobType: String, Codable, Sendable { case dag = "DAG", app = "App" }

    public var name: String
    public var type: JobType
    public var description: String?
    public var priority: Int?
    public var jobFailOnInstanceFail: Bool?
    public var autoRelease: Bool?
    public var notification: Wire.Notification?
    public var dag: DAG?
    public var app: AppRun?
    public var labels: [String: String]
    public var other: [String: JSONValue]

    public init(name: String, type: JobType, description: String? = nil, priority: Int? = nil, jobFailOnInstanceFail: Bool? = nil,
                autoRelease: Bool? = nil, notification: Wire.Notification? = nil, dag: DAG? = nil, app: AppRun? = nil,
                labels: [String: String] = [:], other: [String: JSONValue] = [:]) {
        self.name = name; self.type = type; self.description = description; self.priority = priority
        self.jobFailOnInstanceFail = jobFailOnInstanceFail; self.autoRelease = autoRelease; self.notification = notification
        self.dag = dag; self.app = app; self.labels = labels; self.other = other
    }

    /// A DAG job's tasks and which tasks wait for which (`Dependencies`: upstream → downstreams).
    public struct DAG: Codable, Sendable, Equatable {
        public var tasks: [String: TaskDescription]
        public var dependencies: [String: [String]]

        public init(tasks: [String: TaskDescription], dependencies: [String: [String]] = [:]) {
            self.tasks = tasks; self.dependencies = dependencies
        }
        public enum CodingKeys: String, CodingKey, CaseIterable { case tasks = "Tasks", dependencies = "Dependencies" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tasks = try c.field(.tasks, or: [:])
            dependencies = try c.field(.dependencies, or: [:])
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(tasks, forKey: .tasks)
            if !dependencies.isEmpty { try c.encode(dependencies, forKey: .dependencies) }
        }
    }

    /// One task of a DAG job: what each instance runs, where, how many instances, and the OSS
    /// locations mapped in and out.
    public struct TaskDescription: Codable, Sendable, Equatable {
        /// The cluster it runs on; nil (or empty) on an `AutoCluster`.
        public var clusterId: String?
        public var autoCluster: Wire.AutoCluster?
        public var instanceCount: Int?
        public var maxRetryCount: Int?
        /// Seconds an instance may run.
        public var timeout: Int?
        public var parameters: Parameters?
        /// OSS location → local path, before an instance starts.
        public var inputMapping: [String: String]?
        /// Local path → OSS location, after an instance ends.
        public var outputMapping: [String: String]?
        public var logMapping: [String: String]?
        public var mounts: Wire.Mounts?
        public var writeSupport: Bool?
        public var other: [String: JSONValue]

        public init(clusterId: String? = nil, autoCluster: Wire.AutoCluster? = nil, instanceCount: Int? = nil, maxRetryCount: Int? = nil,
                    timeout: Int? = nil, parameters: Parameters? = nil, inputMapping: [String: String]? = nil,
                    outputMapping: [String: String]? = nil, logMapping: [String: String]? = nil, mounts: Wire.Mounts? = nil,
                    writeSupport: Bool? = nil, other: [String: JSONValue] = [:]) {
            self.clusterId = clusterId; self.autoCluster = autoCluster; self.instanceCount = instanceCount
            self.maxRetryCount = maxRetryCount; self.timeout = timeout; self.parameters = parameters; self.inputMapping = inputMapping
            self.outputMapping = outputMapping; self.logMapping = logMapping; self.mounts = mounts; self.writeSupport = writeSupport
            self.other = other
        }

        public enum Field: String, CaseIterable {
            case clusterId = "ClusterId", autoCluster = "AutoCluster", instanceCount = "InstanceCount"
            case maxRetryCount = "MaxRetryCount", timeout = "Timeout", parameters = "Parameters", inputMapping = "InputMapping"
            case outputMapping = "OutputMapping", logMapping = "LogMapping", mounts = "Mounts", writeSupport = "WriteSupport"
        }

        public init(from decoder: Decoder) throws {
            var o = try OpenReader(decoder)
            clusterId = try o.take(Field.clusterId.rawValue)
            autoCluster = try o.take(Field.autoCluster.rawValue)
            instanceCount = try o.take(Field.instanceCount.rawValue)
            maxRetryCount = try o.take(Field.maxRetryCount.rawValue)
            timeout = try o.take(Field.timeout.rawValue)
            parameters = try o.take(Field.parameters.rawValue)
            inputMapping = try o.take(Field.inputMapping.rawValue)
            outputMapping = try o.take(Field.outputMapping.rawValue)
            logMapping = try o.take(Field.logMapping.rawValue)
            mounts = try o.take(Field.mounts.rawValue)
            writeSupport = try o.take(Field.writeSupport.rawValue)
            other = try o.rest()
        }

        public func encode(to encoder: Encoder) throws {
            var o = try OpenWriter(encoder, other)
            try o.put(Field.clusterId.rawValue, clusterId)
            try o.put(Field.autoCluster.rawValue, autoCluster)
            try o.put(Field.instanceCount.rawValue, instanceCount)
            try o.put(Field.maxRetryCount.rawValue, maxRetryCount)
            try o.put(Field.timeout.rawValue, timeout)
            try o.put(Field.parameters.rawValue, parameters)
            try o.put(Field.inputMapping.rawValue, inputMapping)
            try o.put(Field.outputMapping.rawValue, outputMapping)
            try o.put(Field.logMapping.rawValue, logMapping)
            try o.put(Field.mounts.rawValue, mounts)
            try o.put(Field.writeSupport.rawValue, writeSupport)
        }
    }

    /// What an instance runs and where its output goes.
    public struct Parameters: Codable, Sendable, Equatable {
        public var command: Command?
        public var inputMappingConfig: InputMappingConfig?
        /// OSS prefixes the instances' stdout and stderr are kept under.
        public var stdoutRedirectPath: String?
        public var stderrRedirectPath: String?

        public init(command: Command? = nil, inputMappingConfig: InputMappingConfig? = nil, stdoutRedirectPath: String? = nil,
                    stderrRedirectPath: String? = nil) {
            self.command = command; self.inputMappingConfig = inputMappingConfig
            self.stdoutRedirectPath = stdoutRedirectPath; self.stderrRedirectPath = stderrRedirectPath
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case command = "Command", inputMappingConfig = "InputMappingConfig", stdoutRedirectPath = "StdoutRedirectPath"
            case stderrRedirectPath = "StderrRedirectPath"
        }
    }

    /// The command line, the package unpacked before it runs, its environment and image.
    public struct Command: Codable, Sendable, Equatable {
        public var commandLine: String?
        public var packagePath: String?
        public var envVars: [String: String]?
        public var docker: Wire.Docker?

        public init(commandLine: String? = nil, packagePath: String? = nil, envVars: [String: String]? = nil, docker: Wire.Docker? = nil) {
            self.commandLine = commandLine; self.packagePath = packagePath; self.envVars = envVars; self.docker = docker
        }
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case commandLine = "CommandLine", packagePath = "PackagePath", envVars = "EnvVars", docker = "Docker"
        }
    }

    /// How the input mapping mounts: its file names' encoding and whether it locks files.
    public struct InputMappingConfig: Codable, Sendable, Equatable, OmittedWhenEmpty {
        public var locale: String?
        public var lock: Bool?

        public init(locale: String? = nil, lock: Bool? = nil) { self.locale = locale; self.lock = lock }
        public enum CodingKeys: String, CodingKey, CaseIterable { case locale = "Locale", lock = "Lock" }
    }

    /// An App job: which app, its inputs and outputs, and how it runs (`Config`).
    public struct AppRun: Codable, Sendable, Equatable {
        public var appName: String
        public var inputs: [String: JSONValue]
        public var outputs: [String: JSONValue]
        public var config: Config?
        public var logging: Logging?

        public init(appName: String, inputs: [String: JSONValue] = [:], outputs: [String: JSONValue] = [:], config: Config? = nil,
                    logging: Logging? = nil) {
            self.appName = appName; self.inputs = inputs; self.outputs = outputs; self.config = config; self.logging = logging
        }

        /// What the run sets of the App's defaults: where and how many instances, their retries
        /// and time, and the nodes of an auto cluster. A field this type does not know stays JSON.
        public struct Config: Codable, Sendable, Equatable {
            public var instanceCount: Int?
            public var clusterId: String?
            public var autoCluster: Wire.AutoCluster?
            public var maxRetryCount: Int?
            public var timeout: Int?
            public var resourceType: String?
            public var instanceType: String?
            public var diskType: String?
            public var minDiskSize: Int?
            public var dataDiskType: String?
            public var minDataDiskSize: Int?
            public var dataDiskMountPoint: String?
            public var classicNetwork: Bool?
            public var other: [String: JSONValue]

            public init(instanceCount: Int? = nil, clusterId: String? = nil, autoCluster: Wire.AutoCluster? = nil, maxRetryCount: Int? = nil,
                        timeout: Int? = nil, resourceType: String? = nil, instanceType: String? = nil, diskType: String? = nil,
                        minDiskSize: Int? = nil, dataDiskType: String? = nil, minDataDiskSize: Int? = nil,
                        dataDiskMountPoint: String? = nil, classicNetwork: Bool? = nil, other: [String: JSONValue] = [:]) {
                self.instanceCount = instanceCount; self.clusterId = clusterId; self.autoCluster = autoCluster
                self.maxRetryCount = maxRetryCount; self.timeout = timeout; self.resourceType = resourceType
                self.instanceType = instanceType; self.diskType = diskType; self.minDiskSize = minDiskSize
                self.dataDiskType = dataDiskType; self.minDataDiskSize = minDataDiskSize; self.dataDiskMountPoint = dataDiskMountPoint
                self.classicNetwork = classicNetwork; self.other = other
            }

            public enum Field: String, CaseIterable {
                case instanceCount = "InstanceCount", clusterId = "ClusterId", autoCluster = "AutoCluster"
                case maxRetryCount = "MaxRetryCount", timeout = "Timeout", resourceType = "ResourceType"
                case instanceType = "InstanceType", diskType = "DiskType", minDiskSize = "MinDiskSize"
                case dataDiskType = "DataDiskType", minDataDiskSize = "MinDataDiskSize"
                case dataDiskMountPoint = "DataDiskMountPoint", classicNetwork = "ClassicNetwork"
            }

            public init(from decoder: Decoder) throws {
                var o = try OpenReader(decoder)
                instanceCount = try o.take(Field.instanceCount.rawValue)
                clusterId = try o.take(Field.clusterId.rawValue)
                autoCluster = try o.take(Field.autoCluster.rawValue)
                maxRetryCount = try o.take(Field.maxRetryCount.rawValue)
                timeout = try o.take(Field.timeout.rawValue)
                resourceType = try o.take(Field.resourceType.rawValue)
                instanceType = try o.take(Field.instanceType.rawValue)
                diskType = try o.take(Field.diskType.rawValue)
                minDiskSize = try o.take(Field.minDiskSize.rawValue)
                dataDiskType = try o.take(Field.dataDiskType.rawValue)
                minDataDiskSize = try o.take(Field.minDataDiskSize.rawValue)
                dataDiskMountPoint = try o.take(Field.dataDiskMountPoint.rawValue)
                classicNetwork = try o.take(Field.classicNetwork.rawValue)
                other = try o.rest()
            }

            public func encode(to encoder: Encoder) throws {
                var o = try OpenWriter(encoder, other)
                try o.put(Field.instanceCount.rawValue, instanceCount)
                try o.put(Field.clusterId.rawValue, clusterId)
                try o.put(Field.autoCluster.rawValue, autoCluster)
                try o.put(Field.maxRetryCount.rawValue, maxRetryCount)
                try o.put(Field.timeout.rawValue, timeout)
                try o.put(Field.resourceType.rawValue, resourceType)
                try o.put(Field.instanceType.rawValue, instanceType)
                try o.put(Field.diskType.rawValue, diskType)
                try o.put(Field.minDiskSize.rawValue, minDiskSize)
                try o.put(Field.dataDiskType.rawValue, dataDiskType)
                try o.put(Field.minDataDiskSize.rawValue, minDataDiskSize)
                try o.put(Field.dataDiskMountPoint.rawValue, dataDiskMountPoint)
                try o.put(Field.classicNetwork.rawValue, classicNetwork)
            }
        }

        /// Where the instances' stdout and stderr are kept (OSS prefixes).
        public struct Logging: Codable, Sendable, Equatable {
            public var stdoutPath: String?
            public var stderrPath: String?
            public init(stdoutPath: String? = nil, stderrPath: String? = nil) { self.stdoutPath = stdoutPath; self.stderrPath = stderrPath }
            public enum CodingKeys: String, CodingKey, CaseIterable { case stdoutPath = "StdoutPath", stderrPath = "StderrPath" }
        }

        public enum CodingKeys: String, CodingKey, CaseIterable {
            case appName = "AppName", inputs = "Inputs", outputs = "Outputs", config = "Config", logging = "Logging"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            appName = try c.field(.appName, or: "")
            inputs = try c.field(.inputs, or: [:])
            outputs = try c.field(.outputs, or: [:])
            config = try c.decodeIfPresent(Config.self, forKey: .config)
            logging = try c.decodeIfPresent(Logging.self, forKey: .logging)
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(appName, forKey: .appName)
            if !inputs.isEmpty { try c.encode(inputs, forKey: .inputs) }
            if !outputs.isEmpty { try c.encode(outputs, forKey: .outputs) }
            try c.encodeIfPresent(config, forKey: .config)
            try c.encodeIfPresent(logging, forKey: .logging)
        }
    }

    public enum Field: String, CaseIterable {
        case name = "Name", type = "Type", description = "Description", priority = "Priority"
        case jobFailOnInstanceFail = "JobFailOnInstanceFail", autoRelease = "AutoRelease", notification = "Notification"
        case dag = "DAG", app = "App", labels = "Labels"
    }

    public init(from decoder: Decoder) throws {
        var o = try OpenReader(decoder)
        name = try o.take(Field.name.rawValue) ?? ""
        // BatchCompute's default: a description without `Type` is a DAG job.
        type = try o.take(Field.type.rawValue) ?? .dag
        description = try o.take(Field.description.rawValue)
        priority = try o.take(Field.priority.rawValue)
        jobFailOnInstanceFail = try o.take(Field.jobFailOnInstanceFail.rawValue)
        autoRelease = try o.take(Field.autoRelease.rawValue)
        notification = try o.take(Field.notification.rawValue)
        dag = try o.take(Field.dag.rawValue)
        app = try o.take(Field.app.rawValue)
        labels = try o.take(Field.labels.rawValue) ?? [:]
        other = try o.rest()
    }

    public func encode(to encoder: Encoder) throws {
        var o = try OpenWriter(encoder, other)
        try o.put(Field.name.rawValue, name)
        try o.put(Field.type.rawValue, type)
        try o.put(Field.description.rawValue, description)
        try o.put(Field.priority.rawValue, priority)
        try o.put(Field.jobFailOnInstanceFail.rawValue, jobFailOnInstanceFail)
        try o.put(Field.autoRelease.rawValue, autoRelease)
        try o.put(Field.notification.rawValue, notification)
        try o.put(Field.dag.rawValue, dag)
        try o.put(Field.app.rawValue, app)
        try o.put(Field.labels.rawValue, labels.isEmpty ? nil : labels)
    }
}
