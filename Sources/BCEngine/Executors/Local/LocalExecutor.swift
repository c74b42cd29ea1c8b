import Foundation
import Logging

/// Runs instances as processes on this host. Each instance gets a slot directory of its pool
/// (`+Workspace`), its task's OSS mappings in a mount namespace of its own (`+Mounts`), a
/// container when its task names an image (`+Containers`), and is started through the
/// engine's `bcops-keeper` (`HostProcesses`); when it ends, its outputs and logs go to OSS
/// (`+Uploads`) before its end is reported. A restarted engine adopts what an earlier one left
/// running (`+Recovery`).
///
/// Commands arrive on one stream and are acted on in order by `run()`, which alone holds the
/// table of running instances: no lock, and a stop never overtakes the batch it stops.
final class LocalExecutor: InstanceExecutor {
    let capacity = ExecutorCapacity.countedByScheduler
    let events: AsyncStream<ExecutorEvent>
    private let reporter: AsyncStream<ExecutorEvent>.Continuation
    private let commands: AsyncStream<Command>
    let commander: AsyncStream<Command>.Continuation

    let dataDirectory: String
    let objects: ObjectStore
    let processes: HostProcesses
    let logger: Logger
    /// podman or docker when one can run containers here, found once at start.
    let containerRuntime: String?
    /// The engine's own HOME, the default for instances (read once: ProcessInfo copies the environment).
    let defaultHome = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
    /// The directory of the running bcctl: first on every instance's PATH, so node-side tools
    /// (`bcctl render node`) resolve as a BatchCompute image's software would.
    let toolsDirectory: String? = LocalExecutor.executableDirectory()

    enum Command: Sendable {
        case submit(InstanceBatch)
        case cancel(jobId: String)
        /// An instance a restarted engine found still running, to watch until it ends.
        case adopt(AdoptedInstance)
        /// The scheduler took these instances' ends: they leave the table.
        case forget([InstanceID])
        /// `BATCH_COMPUTE_OSS_HOST` for instances started from now on.
        case ossHost(String)
    }

    init(dataDirectory: String, objects: ObjectStore, logger: Logger = Logger(label: "bcops.engine"), processes: HostProcesses = HostProcesses(),
         containerRuntime: String? = LocalExecutor.findContainerRuntime()) {
        self.dataDirectory = dataDirectory
        self.objects = objects
        self.logger = logger
        self.processes = processes
        self.containerRuntime = containerRuntime
        (events, reporter) = AsyncStream.makeStream(of: ExecutorEvent.self)
        (commands, commander) = AsyncStream.makeStream(of: Command.self)
    }

    /// This host runs every cluster's tasks (and AutoClusters'): it is the executor of last resort.
    func runs(on cluster: EngineStore.ClusterRow?) -> Bool { true }

    func submit(_ batch: InstanceBatch) { commander.yield(.submit(batch)) }
    func cancel(jobId: String) { commander.yield(.cancel(jobId: jobId)) }

    /// Instances reach OSS at the engine's own port.
    func engineListening(host: String, port: Int) {
        commander.yield(.ossHost("\(host == "localhost" || host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"))
    }

    /// The status files of recorded ends have served: removed only now, so a crash before the
    /// commit still finds them. Said in the same turn as the next submit, so the run loop
    /// takes both at one wakeup.
    func endsRecorded(_ instances: [Placement]) {
        for p in instances {
            guard let dir = p.logDirectory else { continue }
            // Absent already (the instance was refused before it ran, or ran without a keeper): nothing to remove.
            unlink(LocalExecutor.statusPath(dir, p.id))
        }
        commander.yield(.forget(instances.map(\.id)))
    }

    func run() async {
        var running: [InstanceID: Task<Void, Never>] = [:]
        var ossHost = "127.0.0.1"
        for await command in commands {
            switch command {
            case .submit(let batch):
                for placement in batch.instances {
                    let host = ossHost
                    running[placement.id] = Task { await self.runInstance(placement, batch.run, ossHost: host) }
                }
            case .adopt(let adopted):
                running[adopted.placement.id] = Task { await self.watch(adopted) }
            case .cancel(let jobId):
                // Cancelling kills the instance's process group; its end is reported as usual.
                for (id, task) in running where id.jobId == jobId { task.cancel() }
            case .forget(let ids):
                for id in ids { running[id] = nil }
            case .ossHost(let host):
                ossHost = host
            }
        }
    }

    /// Prepares, runs and settles one instance, then reports its end.
    private func runInstance(_ placement: Placement, _ run: TaskRun, ossHost: String) async {
        report(placement.id, await execute(placement, run, ossHost: ossHost))
    }

    func execute(_ placement: Placement, _ run: TaskRun, ossHost: String) async -> InstanceReport {
        let directory = placement.logDirectory ?? slotDirectory(pool: run.pool, slot: placement.slot ?? 0)
        var prepared = prepare(placement.id, run, directory: directory, ossHost: ossHost)
        if let refusal = adapt(&prepared, run) {
            // Nothing ran, so nothing to upload: the instance fails with the reason.
            return refusal.retriable ? .failed(exitCode: nil, code: refusal.code, message: refusal.message)
                : .refused(code: refusal.code, message: refusal.message)
        }
        let outcome = await processes.run(prepared.launch)
        return settle(placement.id, run, prepared, outcome: outcome)
    }

    /// Reports an instance's end; it stays in the table until the scheduler took it
    /// (`endsRecorded`), a cancel reaching it meanwhile being harmless.
    func report(_ id: InstanceID, _ report: InstanceReport) {
        reporter.yield(.ended(id, report))
    }

    /// `/proc/self/exe`'s directory when it holds bcctl (the engine may be hosted by a test binary).
    static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let dir = (exe as NSString).deletingLastPathComponent
        return FileManager.default.isExecutableFile(atPath: dir + "/bcctl") ? dir : nil
    }
}
