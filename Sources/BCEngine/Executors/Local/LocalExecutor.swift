import Foundation
import Logging

/// Runs instances as processes on this host. Each instance gets a slot directory of its pool
/// (`+Workspace`), its task's OSS mappings in a mount namespace of its own (`+Mounts`), a
/// container when its task names an image (`+Containers`), and is started through the
/// engine's `bcops-keeper` (`HostProcesses`); when it ends, its outputs and logs go to OSS
/// (`+Uploads`) before its end is reported. A restarted engine adopts what an earlier one left
/// running (`+Recovery`).
///
/// Commands and what happens to processes arrive in one mailbox and are acted on in order by
/// `run()`, which alone holds the table of running instances (`Running`): no lock, a stop
/// never overtakes the batch it stops, and an instance's end, the scheduler's answer and the
/// next start are each one turn of that loop, with nothing per instance in between.
final class LocalExecutor: InstanceExecutor, InstancePreparing {
    let capacity = ExecutorCapacity.countedByScheduler
    let commands = Mailbox<Command>()

    let dataDirectory: String
    let objects: ObjectStore
    /// The `bcops-keeper` to start instances with; nil: they are spawned directly.
    let keeperPath: String?
    /// Between SIGTERM and SIGKILL when an instance is stopped or times out.
    let stopGrace: Duration
    let logger: Logger
    /// podman or docker when one can run containers here, found once at start.
    let containerRuntime: String?
    /// The engine's own HOME, the default for instances (read once: ProcessInfo copies the environment).
    let defaultHome = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
    /// The directory of the running bcctl: first on every instance's PATH, so node-side tools
    /// (`bcctl render node`) resolve as a BatchCompute image's software would.
    let toolsDirectory: String? = LocalExecutor.executableDirectory()
    /// Where what this executor does for each instance is told (its worker log).
    let workerLogs: WorkerLogs?

    enum Command: Sendable {
        case submit(InstanceBatch)
        case cancel(jobId: String)
        /// An instance a restarted engine found still running, to watch until it ends.
        case adopt(AdoptedInstance)
        /// The scheduler took these instances' ends: they leave the table.
        case forget([Placement])
        /// `BATCH_COMPUTE_OSS_HOST` for instances started from now on.
        case ossHost(String)
        /// What happened to processes: the keeper's messages, a watched process's end, a deadline.
        case processes(HostProcesses.Event)
        /// An ended instance's uploads are done: how it ended.
        case settled(InstanceID, InstanceReport)
    }

    init(dataDirectory: String, objects: ObjectStore, logger: Logger = Logger(label: "bcops.engine"), keeper: String? = HostProcesses.findKeeper(),
         containerRuntime: String? = LocalExecutor.findContainerRuntime(), stopGrace: Duration = EngineLimits.defaultStopGrace,
         workerLogs: WorkerLogs? = nil) {
        self.workerLogs = workerLogs
        self.dataDirectory = dataDirectory
        self.objects = objects
        self.logger = logger
        self.keeperPath = keeper
        self.stopGrace = stopGrace
        self.containerRuntime = containerRuntime
    }

    /// This host runs every cluster's tasks (and AutoClusters'): it is the executor of last resort.
    func runs(on cluster: EngineStore.ClusterRow?) -> Bool { true }

    func submit(_ batch: InstanceBatch) { commands.send(.submit(batch)) }
    func cancel(jobId: String) { commands.send(.cancel(jobId: jobId)) }

    /// Instances reach OSS at the engine's own port.
    func engineListening(host: String, port: Int) {
        commands.send(.ossHost("\(host == "localhost" || host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"))
    }

    /// What was kept for a restart can go: the keeper forgets these ends (it would have written
    /// them to status files had the engine died first), and status files already written (by an
    /// earlier engine's keeper) are removed. Only now, so a crash before the commit still finds them.
    func endsRecorded(_ instances: [Placement]) { commands.send(.forget(instances)) }

    func run(reportingTo handler: isolated any ExecutorEventHandler, as index: Int) async {
        let running = Running(self)
        while case let turn = await commands.take(), !turn.isEmpty {
            for command in turn {
                switch command {
                case .submit(let batch): for placement in batch.instances { running.start(placement, batch.run) }
                case .adopt(let adopted): running.adopt(adopted)
                case .cancel(let jobId): running.cancel(jobId)
                case .forget(let placements): running.forget(placements)
                case .ossHost(let host): running.ossHost = host
                case .processes(let event): running.handle(event)
                case .settled(let id, let report): running.reports.append(.ended(id, report))
                }
            }
            running.flush()
            let ends = running.takeReports()
            if !ends.isEmpty { handler.handle(ends, from: index) }
        }
    }

    /// `/proc/self/exe`'s directory when it holds bcctl (the engine may be hosted by a test binary).
    static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let dir = (exe as NSString).deletingLastPathComponent
        return FileManager.default.isExecutableFile(atPath: dir + "/bcctl") ? dir : nil
    }
}
