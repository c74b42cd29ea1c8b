import BCAPI
import Foundation

/// Choosing what starts: the queue, DAG dependencies, pools and their slots.
extension Scheduler {
    /// How many waiting instances of a task go to a backend that owns capacity in one pass:
    /// bounds one commit; the next pass hands over the rest.
    static let backendBatch = 10_000

    /// One pass: record the instances that just ended and start whatever can start now, in
    /// one transaction, then hand what started to its executor. Every task gets the free slots
    /// of its own pool, in priority order.
    func tick(ending newEnds: [Ending] = []) {
        let ends = unrecorded + newEnds
        unrecorded = []
        if waiting == nil { waiting = accepting ? readQueue() : [] }
        var chosen: [(placement: Placement, run: TaskRun, flight: Flight)] = []
        var drained: Set<String> = []
        var failedJobs: Set<String> = []
        var moreForBackend = false
        for t in waiting ?? [] where !failedJobs.contains(t.jobId) {
            guard let planned = plan(t.jobId, t.task) else { continue }
            let (poolName, pool): (String, Pool)
            switch self.pool(for: planned, jobId: t.jobId, taskName: t.task) {
            case .found(let name, let found): (poolName, pool) = (name, found)
            case .unreadable: continue  // logged; tried again
            case .missing:
                fail(t.jobId, message: "cluster \(planned.clusterId ?? "") does not exist")
                failedJobs.insert(t.jobId)
                continue
            }
            let executor = executors[pool.executor]
            let counted = executor.capacity == .countedByScheduler
            var used = slotsInUse[poolName, default: []]
            // A backend that queues gets every runnable instance, but only once the pool has a
            // node up: on a cluster with none (no nodes, or nodes not up yet) they stay Waiting.
            var free = counted ? pool.capacity - used.count : (pool.capacity > 0 ? Scheduler.backendBatch : 0)
            guard free > 0 else { continue }
            let key = "\(t.jobId)/\(t.task)"
            var ahead = readAhead[key] ?? []
            if ahead.count < free {
                let after = ahead.last ?? -1
                let limit = counted ? max(free - ahead.count, 32) : free - ahead.count
                do {
                    let more = try engine.store.waitingInstances(jobId: t.jobId, task: t.task, after: after, limit: limit)
                    ahead += more.map(\.index)
                    if !counted && more.count == limit { moreForBackend = true }
                } catch {
                    logger.error("cannot read the waiting instances of \(key): \(error)")
                    retryLater()
                }
                if ahead.isEmpty { drained.insert(key) }
            }
            let run = taskRun(planned, pool: poolName, pool)
            var slot = 0
            var taken = 0
            for index in ahead where free > 0 {
                taken += 1
                let id = InstanceID(jobId: t.jobId, task: t.task, index: index)
                if inFlight[id] != nil { continue }
                var number: Int?
                if counted {
                    while used.contains(slot) { slot += 1 }
                    used.insert(slot)
                    number = slot
                }
                free -= 1
                let placement = Placement(id: id, slot: number, logDirectory: executor.logDirectory(pool: poolName, slot: number, for: id))
                chosen.append((placement, run, Flight(placement: placement, pool: poolName, executor: pool.executor, maxRetries: planned.maxRetries,
                                                      failJobOnInstanceFailure: planned.failJobOnInstanceFailure, autoRelease: planned.autoRelease)))
            }
            if counted { slotsInUse[poolName] = used }
            readAhead[key] = Array(ahead.dropFirst(taken))
        }
        if !drained.isEmpty || !failedJobs.isEmpty {
            waiting?.removeAll { drained.contains("\($0.jobId)/\($0.task)") || failedJobs.contains($0.jobId) }
            for key in drained { readAhead[key] = nil }
        }
        let took = commit(ends, starts: chosen.map(\.placement))
        var batches: [InstanceBatch] = []
        var batchExecutors: [Int] = []
        for (pick, started) in zip(chosen, took) {
            guard started else {
                if let slot = pick.placement.slot { slotsInUse[pick.flight.pool]?.remove(slot) }
                continue
            }
            inFlight[pick.placement.id] = pick.flight
            flightsPerJob[pick.placement.id.jobId, default: 0] += 1
            // Instances of one task were chosen together: one batch each.
            if let last = batches.indices.last, batches[last].instances[0].id.jobId == pick.placement.id.jobId,
               batches[last].instances[0].id.task == pick.placement.id.task {
                batches[last].instances.append(pick.placement)
            } else {
                batches.append(InstanceBatch(run: pick.run, instances: [pick.placement]))
                batchExecutors.append(pick.flight.executor)
            }
        }
        for (batch, executor) in zip(batches, batchExecutors) { executors[executor].submit(batch) }
        if unrecorded.isEmpty && !ends.isEmpty {
            recorded(ends)
            // Committed: a retry is Waiting again, a downstream task may be free. The queue as
            // read before the commit holds neither, so it is read again now.
            if ends.contains(where: { endMayRequeue($0.end) }) { pass() }
        }
        if moreForBackend { retryLater() }
    }

    /// Records ends and starts in one transaction; per start, whether it took (false when the
    /// instance is no longer waiting). Ends the store does not take are kept for the next pass.
    func commit(_ ends: [Ending], starts: [Placement]) -> [Bool] {
        guard !ends.isEmpty || !starts.isEmpty else { return [] }  // nothing to commit: no transaction
        do {
            return try engine.store.record(ends: ends.map(\.end), starts: starts.map {
                EngineStore.InstanceStart(jobId: $0.id.jobId, task: $0.id.task, index: $0.id.index, logDirectory: $0.logDirectory)
            })
        } catch {
            logger.error("cannot record \(ends.count) instance ends and \(starts.count) starts: \(error)")
            unrecorded = ends
            retryLater()
            return Array(repeating: false, count: starts.count)  // not started: their slots are freed
        }
    }

    /// Whether an end can make work runnable that the queue does not hold: a failure (a retry,
    /// or a failed job) or the end of a job with dependencies (a downstream task may be free).
    func endMayRequeue(_ end: EngineStore.InstanceEnd) -> Bool {
        if case .failed = end.result { return true }
        return !(upstreamByJob[end.jobId]?.isEmpty ?? true)
    }

    /// Reads the tasks that may start instances: waiting instances, upstream tasks finished.
    /// Caches of jobs that left the queue (ended, stopped, deleted) are dropped here, so
    /// nothing cached outlives its job.
    func readQueue() -> [EngineStore.WaitingTask] {
        let tasks: [EngineStore.WaitingTask]
        do {
            tasks = try engine.store.waitingTasks()
        } catch {
            logger.error("cannot read waiting tasks: \(error)")
            retryLater()
            return []
        }
        var taskStates: [String: [String: String]] = [:]  // job → task states, read once per job with dependencies
        let runnable = tasks.filter { t in
            guard let upstream = upstream(of: t.jobId) else { return false }  // unreadable: logged, tried again
            guard let needs = upstream[t.task], !needs.isEmpty else { return true }
            if taskStates[t.jobId] == nil {
                do { taskStates[t.jobId] = try engine.store.taskStates(of: t.jobId) } catch {
                    logger.error("cannot read the task states of job \(t.jobId): \(error)")
                    retryLater()
                    taskStates[t.jobId] = [:]  // none done: its dependent tasks wait for the next pass
                }
            }
            return needs.allSatisfy { taskStates[t.jobId]?[$0] == RunState.finished.rawValue }
        }
        let live = Set(tasks.map(\.jobId)).union(flightsPerJob.keys)
        upstreamByJob = upstreamByJob.filter { live.contains($0.key) }
        plans = plans.filter { live.contains(String($0.key.prefix { $0 != "/" })) }
        return runnable
    }

    /// A job's DAG dependencies (task → upstream tasks), parsed once per job; nil when its job
    /// cannot be read (logged, and a pass is due again).
    func upstream(of jobId: String) -> [String: [String]]? {
        if let known = upstreamByJob[jobId] { return known }
        let job: EngineStore.JobRow?
        do { job = try engine.store.job(jobId) } catch {
            logger.error("cannot read job \(jobId): \(error)")
            retryLater()
            return nil
        }
        // Deleted since the queue was read: no dependencies, and starting its instances will find them gone.
        let u = job.map { EngineStore.upstreamTasks($0.description) } ?? [:]
        upstreamByJob[jobId] = u
        return u
    }

    /// A task's plan, parsed once per job and task; nil when its job is gone, cannot be read
    /// (logged, and a pass is due again), or does not describe the task.
    func plan(_ jobId: String, _ task: String) -> TaskPlan? {
        let key = "\(jobId)/\(task)"
        if let known = plans[key] { return known }
        do {
            guard let job = try engine.store.job(jobId) else { return nil }
            let appName = TaskPlan.appName(job.description)
            let app = try appName.flatMap { try PublicApps.lookup($0, store: engine.store)?.description }
            guard var plan = TaskPlan(description: job.description, task: task, app: app) else {
                logger.error("job \(jobId) does not describe a task \(task) this engine can run")
                return nil
            }
            if let appName, appName.hasPrefix(":") {
                plan.environment.merge(PublicApps.environment(jobId: jobId, engine: engine)) { _, engine in engine }
            }
            plans[key] = plan
            return plan
        } catch {
            logger.error("cannot read job \(jobId) (or its App) to plan task \(task): \(error)")
            retryLater()
            return nil
        }
    }

    /// The task as it runs in its pool: the pool's mounts and input mappings added to its own.
    func taskRun(_ planned: TaskPlan, pool name: String, _ pool: Pool) -> TaskRun {
        var task = planned
        for m in pool.inputs where !task.inputs.contains(where: { $0.destination == m.destination }) { task.inputs.append(m) }
        return TaskRun(plan: task, pool: name, clusterEnvironment: pool.environment, runsOnHost: pool.host, cluster: pool.cluster)
    }

    /// Fails a job the scheduler cannot place, saying why, and ends what of it still runs.
    func fail(_ jobId: String, message: String) {
        do { try engine.store.failJob(jobId, message: message) } catch {
            logger.error("cannot fail job \(jobId) (\(message)): \(error)")
            retryLater()
            return
        }
        cancel(jobId)
    }
}
