/// Node load (`GET /bcops/load/{job}`): CPU and memory of each running instance of a job, sampled
/// by the engine from the instance's process tree, with a short history so that a stuck node (no
/// CPU) or a thrashing one (memory climbing) shows. One call per job, for the dashboard's job page.

/// One sample of one instance's process tree.
public struct LoadSample: Codable, Sendable, Equatable {
    /// Wire time of the sample.
    public var time: String
    /// CPU used since the previous sample over the wall time between them, in percent of one
    /// core (200 is two cores busy); the first sample is over the process's life so far.
    public var cpuPercent: Double
    /// Resident memory summed over the tree, in bytes.
    public var rssBytes: Int64
    /// Processes in the tree.
    public var processes: Int

    public init(time: String, cpuPercent: Double, rssBytes: Int64, processes: Int) {
        self.time = time; self.cpuPercent = cpuPercent; self.rssBytes = rssBytes; self.processes = processes
    }
    enum CodingKeys: String, CodingKey { case time = "Time", cpuPercent = "CPUPercent", rssBytes = "RSSBytes", processes = "Processes" }
}

/// One running instance and its last samples, oldest first.
public struct InstanceLoad: Codable, Sendable, Equatable {
    public var taskName: String
    public var instanceId: Int
    /// The process group's leader, the instance's process.
    public var pid: Int
    public var samples: [LoadSample]

    public init(taskName: String, instanceId: Int, pid: Int, samples: [LoadSample]) {
        self.taskName = taskName; self.instanceId = instanceId; self.pid = pid; self.samples = samples
    }
    enum CodingKeys: String, CodingKey { case taskName = "TaskName", instanceId = "InstanceId", pid = "Pid", samples = "Samples" }
}

/// A job's node load. `Sampled` is false when the engine cannot see its instances' processes
/// (they run on Grid Engine or Slurm nodes): `Note` says so, and `Instances` is empty.
public struct JobLoad: Codable, Sendable, Equatable {
    public var jobId: String
    public var sampled: Bool
    /// Seconds between samples (`bcctl engine serve --load-interval`).
    public var intervalSeconds: Double
    public var note: String
    public var instances: [InstanceLoad]

    public init(jobId: String, sampled: Bool, intervalSeconds: Double, note: String = "", instances: [InstanceLoad]) {
        self.jobId = jobId; self.sampled = sampled; self.intervalSeconds = intervalSeconds; self.note = note; self.instances = instances
    }
    enum CodingKeys: String, CodingKey {
        case jobId = "JobId", sampled = "Sampled", intervalSeconds = "IntervalSeconds", note = "Note", instances = "Instances"
    }
}

/// The instance-log route's streams (`Stream=`): the instance's own output, and the engine's
/// worker log of what it did for the instance (dispatched, started, stopped, exited, uploaded).
public enum LogStream {
    public static let stdout = "stdout"
    public static let stderr = "stderr"
    public static let worker = "worker"
    public static let all = [stdout, stderr, worker]
}
