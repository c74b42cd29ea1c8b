/// The one lifecycle BatchCompute gives jobs, tasks and instances alike. Spelled here once:
/// the engine stores these raw values, the reconciler and the CLI read them back.
public enum RunState: String, Codable, Sendable, CaseIterable, Comparable {
    case waiting = "Waiting"
    case running = "Running"
    case finished = "Finished"
    case failed = "Failed"
    case stopped = "Stopped"

    /// Finished, Failed or Stopped: nothing more will happen without a restart.
    public var isEnded: Bool { self == .finished || self == .failed || self == .stopped }
    /// Waiting or Running: stop applies, and the run still holds its place in the queue.
    public var isActive: Bool { !isEnded }

    /// The order BatchCompute's metrics list them in.
    public static func < (a: RunState, b: RunState) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

public typealias JobState = RunState
public typealias TaskState = RunState
public typealias InstanceState = RunState

/// A cluster's state: BatchCompute keeps a cluster `Active` until it is deleted.
public enum ClusterState: String, Codable, Sendable, CaseIterable {
    case active = "Active"
    case deleting = "Deleting"
}

/// A cluster VM's state. This engine's nodes are slots on the host, ready at once.
public enum ClusterVMState: String, Codable, Sendable, CaseIterable {
    case starting = "Starting"
    case running = "Running"
    case stopping = "Stopping"
    case stopped = "Stopped"
}
