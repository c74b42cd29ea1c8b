import Foundation

/// The seam between deciding and running. The scheduler decides which instances run, when, and
/// in which pool, and records every state change; an executor runs what it is handed on one
/// backend and reports back how each instance ended. Everything that touches the backend
/// (directories, mounts, containers, processes, uploads of outputs and logs) is the executor's.
///
/// Commands go one way, as values, and return at once (`submit`, `cancel`, `endsRecorded`): an
/// executor acts on them in the order given, so a stop can never overtake the batch it stops.
/// What happened comes back on `events`, which the scheduler reads alongside the API's wakeups.
///
/// A backend that takes a whole instance array at once and queues it itself (Grid Engine's
/// `qsub -t 1-N`, Slurm's `sbatch --array=1-N`: `GridExecutor`) gets a task's instances as one batch, declares
/// `capacity == .ownedByBackend`, and reports each start and end as its backend sees it; the
/// local executor gets as many instances as its pool has free slots.
protocol InstanceExecutor: Sendable {
    /// Who counts the capacity instances run in.
    var capacity: ExecutorCapacity { get }

    /// Whether this executor runs the tasks placed on `cluster` (nil: an AutoCluster). The
    /// scheduler hands each pool to the first of its executors that says yes.
    func runs(on cluster: EngineStore.ClusterRow?) -> Bool

    /// How many slots of `cluster` can take instances now, when this executor knows better than
    /// the cluster's groups (Σ DesiredVMCount × vCPUs): a cluster whose nodes are real hosts
    /// that start later than their VM rows exist (an SGE cluster's execution hosts). 0 holds
    /// its tasks Waiting, as on a cluster with no nodes. nil (the default): the groups' count.
    func slotsUp(on cluster: EngineStore.ClusterRow) -> Int?

    /// Acts on the commands, in order, until the task running it is cancelled (the engine stops:
    /// what runs then goes on running, for the next engine to adopt), and reports what happened
    /// to the instances handed over to `handler` as executor number `index`, in the order it
    /// happened, what happened at once in one call (the scheduler records it in one commit, with
    /// the starts it frees room for). It runs in the handler's isolation, so a report is a plain
    /// call, and the scheduler's answer is taken at the loop's next turn on the same thread: a
    /// stream between the two loops cost each instance two more thread hand-offs. So the loop
    /// must not block; what takes long goes to a task of its own.
    func run(reportingTo handler: isolated any ExecutorEventHandler, as index: Int) async

    /// The engine's API (and its OSS) listen at `host:port`: where instances reach OSS.
    func engineListening(host: String, port: Int)

    /// Where an instance placed in `pool` (at `slot`, if the scheduler counts them) writes its
    /// live logs: recorded with its start, read by `bcctl logs --follow` and by a restart.
    func logDirectory(pool: String, slot: Int?) -> String?

    /// The same for one instance: an executor whose instances of one pool run at once without
    /// slots (a batch scheduler's array) gives each its own directory. By default, the pool's.
    func logDirectory(pool: String, slot: Int?, for id: InstanceID) -> String?

    /// Starts a task's instances (local: at once, one per slot; a batch backend: as one array
    /// job). Returns at once; their ends (and, for a backend that queues, their starts) come
    /// on `events`.
    func submit(_ batch: InstanceBatch)

    /// Ends every running or queued instance of a job (stopped, deleted, or failed). Their ends
    /// are reported as any other; the store ignores them, the job having left Running.
    func cancel(jobId: String)

    /// The scheduler has taken these ends (committed them, or put the instance back to run
    /// again): whatever the executor kept so that a restarted engine could still learn them
    /// (the local executor's status files) can go.
    func endsRecorded(_ instances: [Placement])

    /// After a restart: the instances the store says were running, each with its task. Those
    /// still running on the backend are adopted (their ends come on `events` once `run()`
    /// runs); those that ended while the engine was down are answered with how they ended;
    /// those whose fate is unknown with `.unknown` (they run again). Whatever an earlier
    /// engine left running that none of them claims is ended.
    func recover(_ instances: [RecoveringInstance]) async -> Recovery
}

extension InstanceExecutor {
    func slotsUp(on cluster: EngineStore.ClusterRow) -> Int? { nil }
    func logDirectory(pool: String, slot: Int?, for id: InstanceID) -> String? { logDirectory(pool: pool, slot: slot) }
}

/// Whom executors report to: the scheduler.
protocol ExecutorEventHandler: Actor {
    /// What executor number `executor` saw happen, in order.
    func handle(_ events: [ExecutorEvent], from executor: Int)
}

/// Who counts the capacity instances run in. Either way an instance is Running in the store
/// from the moment it is handed over (the hand-over and the ends that freed room for it are
/// one commit), so a restarted engine asks its executor about every instance it handed over.
enum ExecutorCapacity: Sendable, Equatable {
    /// The scheduler counts each pool's slots and hands over only instances that have one
    /// (this host: a slot is a vCPU).
    case countedByScheduler
    /// The backend places and queues instances itself (a Grid Engine or Slurm cluster): the
    /// scheduler hands over every runnable instance of a task at once, and the executor
    /// reports `.started` when the backend actually starts one.
    case ownedByBackend
}

/// One instance of a task, as the store names it.
struct InstanceID: Sendable, Hashable, CustomStringConvertible {
    var jobId: String
    var task: String
    var index: Int
    var description: String { "\(jobId)/\(task)/\(index)" }
}

/// An instance handed to an executor: the slot it holds (nil when the backend owns capacity)
/// and where its logs are.
struct Placement: Sendable, Hashable {
    var id: InstanceID
    var slot: Int?
    var logDirectory: String?
}

/// A task as it runs in its pool: the task's plan (with its cluster's mounts and input
/// mappings added), the cluster's environment, and whether the cluster runs commands on the host.
struct TaskRun: Sendable {
    var plan: TaskPlan
    /// The pool the scheduler placed the task in (`cluster:<id>`, or `auto:<job>/<task>`).
    var pool: String
    /// The cluster's `EnvVars`: on BatchCompute they are every node's environment.
    var clusterEnvironment: [String: String] = [:]
    /// bcops' `Runtime: host`: an image's command runs on the host instead of in a container.
    var runsOnHost = false
    /// The cluster's row, as the scheduler read it (nil: an AutoCluster): an executor that runs
    /// each cluster somewhere of its own (an SGE cluster's queues) reads where from it.
    var cluster: EngineStore.ClusterRow?
}

/// Instances of one task handed over at once.
struct InstanceBatch: Sendable {
    var run: TaskRun
    var instances: [Placement]
}

/// What an executor reports.
enum ExecutorEvent: Sendable {
    /// A backend that queues (`.ownedByBackend`) started a handed instance: its start time.
    case started(InstanceID, at: Date)
    /// A handed or adopted instance ended; its outputs and logs are uploaded already.
    case ended(InstanceID, InstanceReport)
}

/// How an instance ended, as the store records it.
enum InstanceReport: Sendable, Equatable {
    case succeeded
    /// Failed; retried as its task's MaxRetryCount says.
    case failed(exitCode: Int?, code: String, message: String)
    /// Cannot run on this backend at all (no container runtime, a missing package, mounts that
    /// need root): fails at once, without retries, since another try would fail the same way.
    case refused(code: String, message: String)
    /// Ended out of sight and left no trace of how: it runs again, no retry counted.
    case unknown
}

/// An instance a restarted engine found Running in the store.
struct RecoveringInstance: Sendable {
    var id: InstanceID
    var run: TaskRun
    var startTime: Date?
    /// The log directory recorded with its start.
    var logDirectory: String?
}

/// What an executor made of the instances a restart found running.
struct Recovery: Sendable {
    /// Still running and now watched: their slots stay taken.
    var adopted: [Placement] = []
    /// Ended while the engine was down, or unknown (`.unknown`).
    var ended: [(placement: Placement, report: InstanceReport)] = []
    /// Process groups (or backend jobs) no instance claimed, now ended.
    var strays = 0
}
