import Foundation
import Logging

/// Where the engine runs instances (`bcctl engine serve --executor`).
public enum ExecutorChoice: Sendable, Equatable {
    /// Processes on this host.
    case local
    /// Array jobs on the Grid Engine this host is a submit host of, in `queue` (nil: its default).
    case gridengine(queue: String?)
    /// Array jobs on the Slurm cluster this host submits to, in `partition` (nil: its default).
    case slurm(partition: String?)
}

/// Runs instances on a batch scheduler, Grid Engine or Slurm (`GridBackend`): each batch the
/// scheduler hands over (a task's runnable instances) becomes one array job, `qsub -t 1-N` or
/// `sbatch --array=1-N`, whose task number picks the instance.
///
/// **Shared filesystem.** The nodes see this host's filesystem, as the nodes of an NFS-shared
/// cluster see the submit host's: each instance is prepared exactly as the local executor
/// prepares it (`InstancePreparing`: environment, working directory, stdout and stderr files,
/// package, mount prelude, image) in the data directory, and written as a launch script there,
/// which the node runs. Logs and outputs are uploaded to OSS by the engine once the scheduler
/// reports the end, as the local executor does. Nothing is copied to or from nodes, so the
/// scheduler needs no file staging and an instance's logs can be followed while it runs.
///
/// **The scheduler owns capacity** (`.ownedByBackend`): it queues the array and starts tasks as
/// slots free; the executor polls it (`pollInterval`, only while arrays are out) and reports
/// each start and end. Timeouts are the scheduler's (`h_rt`, `--time`); retries stay the
/// engine's (each retry is a new array of the instances that run again).
///
/// **Recovery by name.** Every array has a deterministic name, `bcops-<engine>-<n>-<job>-<task>`,
/// and a manifest in `DATA/grid/arrays/<name>/` (its instances by task number, the scheduler's
/// job id once known, the accounting cursor at submission), written before it is submitted. A
/// restarted engine reads the manifests, asks the scheduler, and adopts the arrays still queued
/// or running (and the ends recorded while it was down) instead of submitting them again.
///
/// Like the local executor, commands and what the scheduler said arrive in one mailbox and are
/// acted on in order by `run()`, which alone holds the table of arrays; what blocks (the
/// scheduler's clients, writing scripts, uploads) runs in tasks of its own, which report back
/// through the mailbox.
final class GridExecutor: InstanceExecutor, InstancePreparing {
    let capacity = ExecutorCapacity.ownedByBackend
    let backend: any GridBackend
    let dataDirectory: String
    let objects: ObjectStore
    let logger: Logger
    let containerRuntime: String?
    let defaultHome = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
    let toolsDirectory: String? = LocalExecutor.executableDirectory()
    /// The Grid Engine queue or Slurm partition; nil: the scheduler's default.
    let queue: String?
    /// Set when this executor runs only some clusters (`--sge-clusters`: those realised on Grid
    /// Engine): a cluster's queue list (`qsub -q a.q,b.q`), read from its row; nil for a
    /// cluster it does not run. Unset: it runs every cluster, into `queue`.
    let clusterQueues: (@Sendable (EngineStore.ClusterRow) -> String?)?
    /// Set with `clusterQueues`: how many slots of a cluster's nodes are up now (see
    /// `InstanceExecutor.slotsUp(on:)`).
    let clusterSlotsUp: (@Sendable (EngineStore.ClusterRow) -> Int?)?
    /// Where its arrays, instances and sequence are: `DATA/grid`, or `DATA/grid/<scope>` for an
    /// executor of its own (the SGE clusters' next to the main one), whose arrays are named
    /// with a prefix of their own, so neither adopts nor ends the other's after a restart.
    let gridDirectory: String
    /// How often the scheduler is asked how the arrays stand while any are out. One second:
    /// Grid Engine schedules once a second (`schedule_interval` in the setup), and Slurm's
    /// controller starts jobs on a one-second tick, so asking more often learns nothing sooner.
    let pollInterval: Duration
    /// How long the scheduler may go unanswering before the instances it holds fail (a
    /// scheduler that is down gives each instance an error naming it, not a hang).
    let unreachableLimit: TimeInterval
    /// How many looks in a row a task may be missing from the scheduler's answers before it is
    /// taken as gone (deleted while queued leaves Grid Engine no record at all).
    static let missingLooks = 3
    /// This engine's arrays are named so: `bcops-<hash of the data directory>-`.
    let prefix: String
    let commands = Mailbox<Command>()
    private let sequence: Locked<Int>

    enum Command: Sendable {
        case submit(InstanceBatch)
        case cancel(jobId: String)
        case forget([Placement])
        case ossHost(String)
        /// Arrays a restarted engine found still out.
        case adopt([Tracked])
        /// An array was prepared and submitted (or could not be): its job id, its prepared tasks.
        case submitted(String, Result<Submitted, GridError>)
        /// How the arrays with these ids stood.
        case observed(Set<String>, Result<[String: [Int: GridTaskState]], GridError>)
        /// Ends whose uploads are done.
        case settled([ExecutorEvent])
    }

    /// What a submission task hands back.
    struct Submitted: Sendable {
        var jobId: String
        var prepared: [Int: PreparedInstance]
        /// Instances refused at preparation (no container runtime, mounts that need root…).
        var refused: [ExecutorEvent]
    }

    enum Kind: String, Sendable { case gridengine, slurm }

    init(kind: Kind, dataDirectory: String, objects: ObjectStore, logger: Logger = Logger(label: "bcops.engine"), queue: String? = nil,
         scope: String? = nil, clusterQueues: (@Sendable (EngineStore.ClusterRow) -> String?)? = nil,
         clusterSlotsUp: (@Sendable (EngineStore.ClusterRow) -> Int?)? = nil,
         pollInterval: Duration = .seconds(1), unreachableLimit: TimeInterval = 60,
         containerRuntime: String? = LocalExecutor.findContainerRuntime(), clientEnvironment: [String: String]? = nil) {
        self.dataDirectory = dataDirectory
        self.objects = objects
        self.logger = logger
        self.queue = queue
        self.clusterQueues = clusterQueues
        self.clusterSlotsUp = clusterSlotsUp
        gridDirectory = dataDirectory + "/grid" + (scope.map { "/" + $0 } ?? "")
        self.pollInterval = pollInterval
        self.unreachableLimit = unreachableLimit
        self.containerRuntime = containerRuntime
        var hash: UInt32 = 2_166_136_261  // FNV-1a: stable across runs, unlike Hasher
        for byte in (dataDirectory + (scope.map { "#" + $0 } ?? "")).utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        prefix = "bcops-" + String(hash, radix: 16) + "-"
        switch kind {
        case .gridengine: backend = GridEngineBackend(prefix: prefix, environment: clientEnvironment)
        case .slurm: backend = SlurmBackend(environment: clientEnvironment)
        }
        let last = (try? String(contentsOfFile: gridDirectory + "/sequence", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        sequence = Locked(last ?? 0)
    }

    func runs(on cluster: EngineStore.ClusterRow?) -> Bool {
        guard let clusterQueues else { return true }
        return cluster.flatMap(clusterQueues) != nil
    }

    func slotsUp(on cluster: EngineStore.ClusterRow) -> Int? { clusterSlotsUp?(cluster) }

    /// The queue (or partition) a task's array goes to: its cluster's, or the engine's.
    func queue(for run: TaskRun) -> String? {
        guard let clusterQueues else { return queue }
        return run.cluster.flatMap(clusterQueues) ?? queue
    }
    func submit(_ batch: InstanceBatch) { commands.send(.submit(batch)) }
    func cancel(jobId: String) { commands.send(.cancel(jobId: jobId)) }
    func endsRecorded(_ instances: [Placement]) { commands.send(.forget(instances)) }

    func engineListening(host: String, port: Int) {
        commands.send(.ossHost("\(host == "localhost" || host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"))
    }

    /// Not used: every instance has a directory of its own (`logDirectory(pool:slot:for:)`).
    func logDirectory(pool: String, slot: Int?) -> String? { nil }

    /// `DATA/grid[/<scope>]/instances/<job>.<task>.<index>`: instances of an array run at once, each in
    /// its own directory (working directory, stdout, stderr), kept across its retries.
    func logDirectory(pool: String, slot: Int?, for id: InstanceID) -> String? {
        instanceDirectory(id)
    }

    func instanceDirectory(_ id: InstanceID) -> String {
        gridDirectory + "/instances/" + GridExecutor.safe("\(id.jobId).\(id.task).\(id.index)")
    }

    var arraysDirectory: String { gridDirectory + "/arrays" }

    /// A name part the schedulers accept (Grid Engine refuses `/`, `:`, `@`, `*`, `?` and more).
    static func safe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }

    /// The next array's name; the counter is kept in `DATA/grid[/<scope>]/sequence`, so names never repeat.
    func nextName(_ id: InstanceID) -> String {
        let n = sequence.withLock { n -> Int in
            n += 1
            try? FileManager.default.createDirectory(atPath: gridDirectory, withIntermediateDirectories: true)
            // Lost: a later restart may reuse a number, which the manifest of that name, if any, is removed for.
            try? String(n).write(toFile: gridDirectory + "/sequence", atomically: true, encoding: .utf8)
            return n
        }
        return prefix + String(n) + "-" + GridExecutor.safe(id.jobId) + "-" + GridExecutor.safe(id.task)
    }

    func run(reportingTo handler: isolated any ExecutorEventHandler, as index: Int) async {
        let arrays = Arrays(self)
        defer { arrays.stop() }
        while case let turn = await commands.take(), !turn.isEmpty {
            for command in turn {
                switch command {
                case .submit(let batch): arrays.submit(batch)
                case .cancel(let jobId): arrays.cancel(jobId)
                case .forget(let placements): arrays.forget(placements)
                case .ossHost(let host): arrays.ossHost = host
                case .adopt(let tracked): arrays.adopt(tracked)
                case .submitted(let name, let result): arrays.submitted(name, result)
                case .observed(let ids, let result): arrays.observed(ids, result)
                case .settled(let events): arrays.reports += events
                }
            }
            arrays.pollIfDue()
            let reports = arrays.takeReports()
            if !reports.isEmpty { handler.handle(reports, from: index) }
        }
    }
}

/// What is kept of an array on disk, for a restarted engine: `DATA/grid/arrays/<name>/array.json`.
struct GridManifest: Codable, Sendable {
    var name: String
    var jobId: String
    var task: String
    /// The instance index of each task number (task n runs `instances[n - 1]`).
    var instances: [Int]
    /// The scheduler's job id, once `qsub`/`sbatch` answered.
    var arrayId: String?
    /// Where the scheduler's records of ended jobs stood before submission.
    var cursor: Int64
}

/// An array as the run loop tracks it.
struct Tracked: Sendable {
    var manifest: GridManifest
    var run: TaskRun
    /// By task number: what was prepared (absent for a refused instance).
    var prepared: [Int: PreparedInstance] = [:]
    var cancelled = false
    /// Adopted after a restart: a task that vanished may have ended unseen, so it runs again.
    var adopted = false
    var seenRunning: Set<Int> = []
    var ended: Set<Int> = []
    /// Task numbers whose ends the scheduler has recorded.
    var forgotten: Set<Int> = []
    var missing: [Int: Int] = [:]

    func id(of task: Int) -> InstanceID {
        InstanceID(jobId: manifest.jobId, task: manifest.task, index: manifest.instances[task - 1])
    }
    var taskNumbers: ClosedRange<Int> { 1...max(1, manifest.instances.count) }
}
