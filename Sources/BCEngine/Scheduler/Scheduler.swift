import BCAPI
import Foundation
import Logging

/// Decides which waiting instances run, when and in which pool, hands them to an executor,
/// and records how they ended. It never touches the host: executors run instances (see
/// `InstanceExecutor`).
///
/// It waits on events, never on a timer: the API's wakeups (a job created, stopped or deleted,
/// a cluster created, changed or deleted), the executors' reports of ends, and, only after a
/// store error, one pass a second later to try again. Instance timeouts are the executors'.
///
/// Capacity of a cluster is Σ over its groups of DesiredVMCount × vCPUs of the group's
/// instance type; a resize changes it at the next pass, and shrinking lets running instances
/// finish. An AutoCluster task gets a pool of its own, sized to its instances.
public actor Scheduler: ExecutorEventHandler {
    let engine: Engine
    /// The executors instances run on; each pool goes to the first that runs its cluster.
    let executors: [any InstanceExecutor]
    let logger: Logger
    var slotsInUse: [String: Set<Int>] = [:]  // pool → slot numbers running an instance
    /// Instances handed to an executor whose end is not recorded yet.
    var inFlight: [InstanceID: Flight] = [:]
    /// job → how many of its instances are in flight (what a stop must end, what AutoRelease waits for).
    var flightsPerJob: [String: Int] = [:]
    var plans: [String: TaskPlan] = [:]   // job/task → parsed task, parsed once, dropped when its job leaves the queue
    var upstreamByJob: [String: [String: [String]]] = [:]  // job → task → upstream tasks
    /// pool → what its cluster offers, read once and dropped when the API reports a change.
    var pools: [String: Pool] = [:]
    /// Tasks with waiting instances whose upstream tasks are done, in dispatch order (priority,
    /// then age); nil when it must be read again. Each task is looked at on its own, so a task
    /// whose cluster is full costs nothing and holds back no other task.
    var waiting: [EngineStore.WaitingTask]?
    /// Waiting instance numbers read ahead per task (job/task), so an instance's end starts the
    /// next one without a query. Starting re-checks the state, so a stale entry is harmless.
    var readAhead: [String: [Int]] = [:]
    /// Ends the store did not take (it failed): recorded with the next pass.
    var unrecorded: [Ending] = []
    /// AutoRelease jobs whose release met a store error: tried again with the next pass.
    var releaseLater: Set<String> = []
    /// The one pass due after a store error; nil when none is (no timer otherwise).
    var retry: Task<Void, Never>?
    /// False once the engine is stopping: ends are still recorded, nothing new starts.
    var accepting = true
    /// Whoever waits for the last instance in flight to end (`shutdown`).
    var drainWaiter: CheckedContinuation<Void, Never>?
    /// How long an instance being ended has between SIGTERM and SIGKILL.
    let stopGrace: Duration
    /// Jobs whose instances were asked to end: in `engine.endingJobs` until the last one ends.
    var ending: Set<String> = []
    /// How often the local executor's running instances' load is sampled (`--load-interval`).
    let loadInterval: Duration

    /// An instance handed to an executor: what it holds, and what its end needs.
    struct Flight: Sendable {
        var placement: Placement
        var pool: String
        var executor: Int
        var maxRetries: Int
        var failJobOnInstanceFailure: Bool
        var autoRelease: Bool
    }

    /// An end to record, with the instance it frees.
    struct Ending: Sendable {
        var end: EngineStore.InstanceEnd
        var flight: Flight
    }

    /// `executor` runs every cluster's tasks, except, with `sgeClusters` (`--sge-clusters`),
    /// those of the clusters realised on Grid Engine: an executor of their own submits those
    /// into each cluster's queues, so they run on its nodes.
    public init(engine: Engine, logger: Logger, stopGrace: Duration = EngineLimits.defaultStopGrace, executor: ExecutorChoice = .local,
                sgeClusters: SGEClusters? = nil, loadInterval: Duration = EngineLimits.defaultLoadInterval) {
        let chosen: any InstanceExecutor
        switch executor {
        case .local:
            chosen = LocalExecutor(dataDirectory: engine.dataDirectory, objects: engine.objects, logger: logger, stopGrace: stopGrace,
                                   workerLogs: engine.workerLogs)
        case .gridengine(let queue):
            chosen = GridExecutor(kind: .gridengine, dataDirectory: engine.dataDirectory, objects: engine.objects, logger: logger, queue: queue)
        case .slurm(let partition):
            chosen = GridExecutor(kind: .slurm, dataDirectory: engine.dataDirectory, objects: engine.objects, logger: logger, queue: partition)
        }
        var executors: [any InstanceExecutor] = [chosen]
        if let sge = sgeClusters {
            executors.insert(GridExecutor(kind: .gridengine, dataDirectory: engine.dataDirectory, objects: engine.objects, logger: logger,
                                          scope: "sge-clusters", clusterQueues: SGEClusters.queues(of:),
                                          clusterSlotsUp: { [sge] in sge.slotsUp($0.id) }), at: 0)
        }
        self.init(engine: engine, executors: executors, logger: logger, stopGrace: stopGrace, loadInterval: loadInterval)
    }

    init(engine: Engine, executors: [any InstanceExecutor], logger: Logger = Logger(label: "bcops.engine"),
         stopGrace: Duration = EngineLimits.defaultStopGrace, loadInterval: Duration = EngineLimits.defaultLoadInterval) {
        self.loadInterval = loadInterval
        precondition(!executors.isEmpty, "a scheduler needs an executor")
        self.engine = engine
        self.executors = executors
        self.logger = logger
        self.stopGrace = stopGrace
    }

    /// The engine listens at `host:port`: instances reach its OSS there.
    public func serving(at host: String, port: Int) {
        for e in executors { e.engineListening(host: host, port: port) }
    }

    /// Runs until cancelled: settles what a restart interrupted, makes a first pass, then one
    /// pass per event.
    public func run() async {
        engine.objects.clearIncoming()
        await recover()
        await withTaskGroup(of: Void.self) { group in
            for (i, executor) in executors.enumerated() {
                group.addTask { await executor.run(reportingTo: self, as: i) }
            }
            group.addTask { await self.followWakeups() }
            let engine = self.engine
            group.addTask { await engine.workerLogs.run() }
            // Only this host's processes can be sampled; a Grid Engine or Slurm job's load says "not sampled".
            if executors.contains(where: { $0 is LocalExecutor }) {
                let interval = loadInterval
                group.addTask {
                    await engine.loads.sample(every: interval, marker: engine.dataDirectory, firstSeen: { id, pid, count in
                        engine.workerLogs.append(id, "load: process group \(pid) found, \(count) process(es); sampled every \(interval)")
                    }, passed: { engine.workerLogs.flushAll() })
                }
            }
        }
        retry?.cancel()
    }

    private func followWakeups() async {
        for await _ in engine.wakeup.raised { apiChanged() }
    }

    /// Something changed through the API: a cluster may have been resized or deleted, a job
    /// created, stopped or deleted. One full pass.
    func apiChanged() {
        pools = [:]
        pass()
        stopEndedJobs(Set(flightsPerJob.keys))
    }

    /// Reads the queue afresh and starts what can start now.
    func pass() {
        forgetQueue()
        tick()
    }

    /// Drops what was read of the queue, so the next pass reads it afresh.
    func forgetQueue() {
        waiting = nil
        readAhead = [:]
    }

    /// After a store error: one more pass in a second, unless one is due already. Each error
    /// is logged where it happens.
    func retryLater() {
        guard retry == nil else { return }
        retry = Task {
            // Cancelled only when the scheduler stops: then no pass is due.
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
            self.retryPass()
        }
    }

    private func retryPass() {
        retry = nil
        pools = [:]
        pass()
        releaseFinished(releaseLater)
        stopEndedJobs(Set(flightsPerJob.keys))
    }

    /// Stops taking new work, waits up to `drain` for running instances to end (recording
    /// them), and hands the rest over: they go on running, and the next engine on this data
    /// directory adopts them. Returns what it did, for the log.
    public func shutdown(drain: Duration) async -> String {
        accepting = false
        forgetQueue()
        let before = inFlight.count
        if before == 0 { return "no instance was running" }
        if drain > .zero {
            let deadline = Task {
                // Cancelled once everything ended: nothing left to cut short.
                guard (try? await Task.sleep(for: drain)) != nil else { return }
                self.stopDraining()
            }
            await withCheckedContinuation { drainWaiter = $0 }
            deadline.cancel()
        }
        let left = inFlight.count
        return "\(before - left) of \(before) running instances ended while draining; "
            + (left == 0 ? "none left" : "\(left) left running for the next engine on \(engine.dataDirectory) to adopt")
    }

    func stopDraining() {
        drainWaiter?.resume()
        drainWaiter = nil
    }
}
