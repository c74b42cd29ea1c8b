import Foundation
import Logging

/// What every executor that runs a task's command line on a filesystem of this host shares with
/// the local executor: the instance's environment, working directory and log files (`prepare`),
/// its package, OSS mappings and image (`adapt`), and, once it ended, the uploads of its logs
/// and outputs to OSS (`settle`). The local executor runs the prepared launch as a process here;
/// the Grid Engine and Slurm executors write it to a script that a node of the cluster runs,
/// on the same (shared) filesystem. One implementation, so an instance sees the same thing
/// whichever executor runs it.
protocol InstancePreparing: Sendable {
    var dataDirectory: String { get }
    var objects: ObjectStore { get }
    var logger: Logger { get }
    /// podman or docker when one can run containers here.
    var containerRuntime: String? { get }
    /// HOME for instances whose environment does not set it.
    var defaultHome: String { get }
    /// The directory of bcctl, first on every instance's PATH.
    var toolsDirectory: String? { get }
    /// Each instance's worker log, if this executor keeps one.
    var workerLogs: WorkerLogs? { get }
}

extension InstancePreparing {
    var workerLogs: WorkerLogs? { nil }
    typealias Prepared = PreparedInstance
    typealias Refusal = InstanceRefusal
}

/// An instance ready to start: its process, and where its logs and outputs go when it ends.
struct PreparedInstance: Sendable {
    var launch: ProcessLaunch
    var stdoutObject: String?
    var stderrObject: String?
    /// Per-instance directories bound at OutputMapping paths, uploaded to OSS at the end.
    var outputs: [(directory: String, oss: String)] = []
}

/// Why an instance cannot run on this backend; it fails with this, without retries unless the
/// cause may pass (a directory that could not be made).
struct InstanceRefusal: Error, Sendable {
    var code: String
    var message: String
    var retriable = false
}
