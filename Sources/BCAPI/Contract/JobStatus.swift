/// A job as `GetJob` and `ListJobs` answer it.
public struct JobStatus: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var priority: Int
    public var owner: String
    public var state: JobState
    public var message: String
    /// Wire times (`WireTime`), empty until the moment has come.
    public var creationTime: String
    public var startTime: String
    public var endTime: String
    public var taskMetrics: StateCounts
    public var instanceMetrics: StateCounts
    /// bcops' labels on the job: ownership, workspace, the manifest's hash.
    public var labels: [String: String]

    public init(id: String, name: String, priority: Int = 0, owner: String = "", state: JobState, message: String = "",
                creationTime: String = "", startTime: String = "", endTime: String = "",
                taskMetrics: StateCounts = StateCounts(), instanceMetrics: StateCounts = StateCounts(), labels: [String: String] = [:]) {
        self.id = id; self.name = name; self.priority = priority; self.owner = owner; self.state = state; self.message = message
        self.creationTime = creationTime; self.startTime = startTime; self.endTime = endTime
        self.taskMetrics = taskMetrics; self.instanceMetrics = instanceMetrics; self.labels = labels
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", priority = "Priority", owner = "Owner", state = "State", message = "Message"
        case creationTime = "CreationTime", startTime = "StartTime", endTime = "EndTime"
        case taskMetrics = "TaskMetrics", instanceMetrics = "InstanceMetrics", labels = "Labels"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.field(.name, or: "")
        priority = try c.field(.priority, or: 0)
        owner = try c.field(.owner, or: "")
        state = try c.decode(JobState.self, forKey: .state)
        message = try c.field(.message, or: "")
        creationTime = try c.field(.creationTime, or: "")
        startTime = try c.field(.startTime, or: "")
        endTime = try c.field(.endTime, or: "")
        taskMetrics = try c.field(.taskMetrics, or: StateCounts())
        instanceMetrics = try c.field(.instanceMetrics, or: StateCounts())
        labels = try c.field(.labels, or: [:])
    }
}

/// A task of a job as `GetTask` and `ListTasks` answer it.
public struct TaskStatus: Codable, Sendable, Equatable {
    public var taskName: String
    public var state: TaskState
    public var startTime: String
    public var endTime: String
    public var instanceMetrics: StateCounts

    public init(taskName: String, state: TaskState, startTime: String = "", endTime: String = "",
                instanceMetrics: StateCounts = StateCounts()) {
        self.taskName = taskName; self.state = state; self.startTime = startTime; self.endTime = endTime
        self.instanceMetrics = instanceMetrics
    }

    enum CodingKeys: String, CodingKey {
        case taskName = "TaskName", state = "State", startTime = "StartTime", endTime = "EndTime", instanceMetrics = "InstanceMetrics"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        taskName = try c.decode(String.self, forKey: .taskName)
        state = try c.decode(TaskState.self, forKey: .state)
        startTime = try c.field(.startTime, or: "")
        endTime = try c.field(.endTime, or: "")
        instanceMetrics = try c.field(.instanceMetrics, or: StateCounts())
    }
}

/// An instance of a task as `GetInstance` and `ListInstances` answer it.
public struct InstanceStatus: Codable, Sendable, Equatable {
    public struct Result: Codable, Sendable, Equatable {
        public var exitCode: Int
        public var errorCode: String
        public var errorMessage: String
        public var detail: String

        public init(exitCode: Int = 0, errorCode: String = "", errorMessage: String = "", detail: String = "") {
            self.exitCode = exitCode; self.errorCode = errorCode; self.errorMessage = errorMessage; self.detail = detail
        }
        enum CodingKeys: String, CodingKey {
            case exitCode = "ExitCode", errorCode = "ErrorCode", errorMessage = "ErrorMessage", detail = "Detail"
        }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            exitCode = try c.field(.exitCode, or: 0)
            errorCode = try c.field(.errorCode, or: "")
            errorMessage = try c.field(.errorMessage, or: "")
            detail = try c.field(.detail, or: "")
        }
    }

    /// `Error` on the wire: the same code and message as the result's, as BatchCompute repeats them.
    public struct Failure: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public init(code: String = "", message: String = "") { self.code = code; self.message = message }
        enum CodingKeys: String, CodingKey { case code = "Code", message = "Message" }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            code = try c.field(.code, or: "")
            message = try c.field(.message, or: "")
        }
    }

    public var instanceId: Int
    public var state: InstanceState
    public var retryCount: Int
    public var progress: Int
    public var startTime: String
    public var endTime: String
    /// Where the instance's output went: the task's log directory plus `stdout.<job>.<task>.<n>`.
    public var stdoutRedirectPath: String
    public var stderrRedirectPath: String
    public var result: Result
    public var error: Failure
    public var outputs: [String: JSONValue]
    public var nodeIp: String

    public init(instanceId: Int, state: InstanceState, retryCount: Int = 0, progress: Int = 0, startTime: String = "", endTime: String = "",
                stdoutRedirectPath: String = "", stderrRedirectPath: String = "", result: Result = Result(),
                error: Failure = Failure(), outputs: [String: JSONValue] = [:], nodeIp: String = "") {
        self.instanceId = instanceId; self.state = state; self.retryCount = retryCount; self.progress = progress
        self.startTime = startTime; self.endTime = endTime
        self.stdoutRedirectPath = stdoutRedirectPath; self.stderrRedirectPath = stderrRedirectPath
        self.result = result; self.error = error; self.outputs = outputs; self.nodeIp = nodeIp
    }

    enum CodingKeys: String, CodingKey {
        case instanceId = "InstanceId", state = "State", retryCount = "RetryCount", progress = "Progress"
        case startTime = "StartTime", endTime = "EndTime"
        case stdoutRedirectPath = "StdoutRedirectPath", stderrRedirectPath = "StderrRedirectPath"
        case result = "Result", error = "Error", outputs = "Outputs", nodeIp = "NodeIp"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instanceId = try c.decode(Int.self, forKey: .instanceId)
        state = try c.decode(InstanceState.self, forKey: .state)
        retryCount = try c.field(.retryCount, or: 0)
        progress = try c.field(.progress, or: 0)
        startTime = try c.field(.startTime, or: "")
        endTime = try c.field(.endTime, or: "")
        stdoutRedirectPath = try c.field(.stdoutRedirectPath, or: "")
        stderrRedirectPath = try c.field(.stderrRedirectPath, or: "")
        result = try c.field(.result, or: Result())
        error = try c.field(.error, or: Failure())
        outputs = try c.field(.outputs, or: [:])
        nodeIp = try c.field(.nodeIp, or: "")
    }
}
