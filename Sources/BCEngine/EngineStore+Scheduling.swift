import BCAPI
import Foundation
import GRDB

/// The states as SQL literals, spelled once by `RunState` (see EngineStore+States.swift).
/// Literals rather than bound parameters, so the planner can use the (job_id, state, …) indexes;
/// built once rather than per statement, since these statements run once per instance.
private let sqlWaiting = EngineStore.sql(.waiting)
private let sqlRunning = EngineStore.sql(.running)
private let sqlFinished = EngineStore.sql(.finished)
private let sqlFailed = EngineStore.sql(.failed)
private let sqlStopped = EngineStore.sql(.stopped)
private let sqlActive = EngineStore.sql(.waiting, .running)
private let sqlFinishedOrFailed = EngineStore.sql(.finished, .failed)

/// The state changes the scheduler makes, each one transaction.
extension EngineStore {
    /// One waiting instance the scheduler chose to start.
    public struct Runnable: Sendable {
        public var jobId: String
        public var task: String
        public var index: Int
        public var priority: Int
    }

    /// A task of an active job with at least one waiting instance. Whether its upstream tasks
    /// are done and whether its cluster has room is the scheduler's to decide, per task: a
    /// window over instances let a backlog on one cluster (or a downstream task sorting first)
    /// hide every runnable instance behind it.
    public struct WaitingTask: Sendable, Equatable {
        public var jobId: String
        public var task: String
        public var priority: Int
    }

    /// Tasks with waiting instances, highest priority first, then oldest job, then task name.
    /// One pass over the active jobs through `jobs_active`; instances are not read.
    public func waitingTasks() throws -> [WaitingTask] {
        try pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT j.id, j.priority, t.name FROM jobs j JOIN tasks t ON t.job_id = j.id
                WHERE j.state IN \(sqlActive) AND t.state IN \(sqlActive)
                  AND EXISTS (SELECT 1 FROM instances i WHERE i.job_id = j.id AND i.state = \(sqlWaiting) AND i.task = t.name)
                ORDER BY j.priority DESC, j.seq, t.name
                """)).map { WaitingTask(jobId: $0[0], task: $0[2], priority: $0[1]) }
        }
    }

    /// The states of a job's tasks, for checking its DAG dependencies.
    public func taskStates(of jobId: String) throws -> [String: String] {
        try pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(try db.cachedStatement(sql: "SELECT name, state FROM tasks WHERE job_id = ?"), arguments: [jobId])
                .map { ($0["name"] as String, $0["state"] as String) })
        }
    }

    /// Up to `limit` waiting instances of one task, lowest index first, after `index`.
    public func waitingInstances(jobId: String, task: String, after index: Int = -1, limit: Int) throws -> [(index: Int, retryCount: Int)] {
        try pool.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT idx, retry_count FROM instances WHERE job_id = ? AND state = \(sqlWaiting) AND task = ? AND idx > ? ORDER BY idx LIMIT ?
                """), arguments: [jobId, task, index, limit]).map { ($0[0], $0[1]) }
        }
    }

    /// task → the tasks it waits for, from the DAG's `Dependencies` (upstream → [downstream]).
    public static func upstreamTasks(_ description: String) -> [String: [String]] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any],
              let deps = (o[JobKey.dag] as? [String: Any])?[DAGKey.dependencies]
                as? [String: [String]] else { return [:] }
        var out: [String: [String]] = [:]
        for (from, tos) in deps { for to in tos { out[to, default: []].append(from) } }
        return out
    }

    /// An instance to mark running, with the directory its live logs are written to.
    public struct InstanceStart: Sendable {
        public var jobId: String
        public var task: String
        public var index: Int
        public var logDirectory: String?
        public init(jobId: String, task: String, index: Int, logDirectory: String? = nil) {
            self.jobId = jobId
            self.task = task
            self.index = index
            self.logDirectory = logDirectory
        }
    }

    public enum InstanceResult: Sendable {
        case succeeded
        case failed(exitCode: Int?, code: String, message: String)
    }

    /// How an instance ended, and what its task says about retries and failing the job.
    public struct InstanceEnd: Sendable {
        public var jobId: String
        public var task: String
        public var index: Int
        public var result: InstanceResult
        public var maxRetries: Int
        public var failJobOnInstanceFailure: Bool
        public init(jobId: String, task: String, index: Int, result: InstanceResult, maxRetries: Int, failJobOnInstanceFailure: Bool) {
            self.jobId = jobId
            self.task = task
            self.index = index
            self.result = result
            self.maxRetries = maxRetries
            self.failJobOnInstanceFailure = failJobOnInstanceFailure
        }
    }

    /// Records instance ends, then starts instances, in one transaction: when a slot frees
    /// up, its next instance starts in the same commit. Returns, per start, whether it took
    /// (false when the instance is no longer waiting: its job was stopped, say).
    public func record(ends: [InstanceEnd], starts: [InstanceStart], now: Date = Date()) throws -> [Bool] {
        // BEGIN and COMMIT as cached statements: GRDB's own transaction compiles both afresh,
        // and this commit runs once per instance's end.
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE").execute()
            do {
                for end in ends { try EngineStore.finish(db, end, now: now.timeIntervalSince1970) }
                let took = try starts.map { try EngineStore.start(db, $0, now: now.timeIntervalSince1970) }
                try db.cachedStatement(sql: "COMMIT").execute()
                return took
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK") }  // the error below is what matters
                throw error
            }
        }
    }

    /// Marks an instance running (and its task and job); false when it is no longer waiting.
    public func startInstance(jobId: String, task: String, index: Int, logDirectory: String? = nil, now: Date = Date()) throws -> Bool {
        try record(ends: [], starts: [InstanceStart(jobId: jobId, task: task, index: index, logDirectory: logDirectory)], now: now)[0]
    }

    /// The time a backend that queues instances actually started one (it is Running since it
    /// was handed over); ignored once it is no longer running.
    public func stampStart(jobId: String, task: String, index: Int, at time: Date) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE instances SET start_time = ? WHERE job_id = ? AND task = ? AND idx = ? AND state = \(EngineStore.sql(.running))",
                           arguments: [time.timeIntervalSince1970, jobId, task, index])
        }
    }

    /// Records how an instance ended, retries it per `maxRetries`, and rolls the task and job
    /// states forward. Ignored if the instance is no longer running (the job was stopped).
    public func finishInstance(jobId: String, task: String, index: Int, result: InstanceResult, maxRetries: Int,
                               failJobOnInstanceFailure: Bool, now: Date = Date()) throws {
        _ = try record(ends: [InstanceEnd(jobId: jobId, task: task, index: index, result: result, maxRetries: maxRetries,
                                          failJobOnInstanceFailure: failJobOnInstanceFailure)], starts: [], now: now)
    }

    static func start(_ db: Database, _ s: InstanceStart, now: Double) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE instances SET state = \(sqlRunning), start_time = ?, log_dir = ? WHERE job_id = ? AND task = ? AND idx = ? AND state = \(sqlWaiting)")
            .execute(arguments: [now, s.logDirectory, s.jobId, s.task, s.index])
        guard db.changesCount == 1 else { return false }
        try db.cachedStatement(sql: "UPDATE tasks SET state = \(sqlRunning), start_time = COALESCE(start_time, ?) WHERE job_id = ? AND name = ? AND state = \(sqlWaiting)")
            .execute(arguments: [now, s.jobId, s.task])
        try db.cachedStatement(sql: "UPDATE jobs SET state = \(sqlRunning), start_time = COALESCE(start_time, ?) WHERE id = ? AND state = \(sqlWaiting)")
            .execute(arguments: [now, s.jobId])
        if db.changesCount == 1 { try EngineStore.event(db, "OnJobRunning", s.jobId, now: now) }
        return true
    }

    static func finish(_ db: Database, _ e: InstanceEnd, now t: Double) throws {
        let (jobId, task, index) = (e.jobId, e.task, e.index)
        let ended: String?
        switch e.result {
        case .succeeded:
            try db.cachedStatement(sql: "UPDATE instances SET state = \(sqlFinished), end_time = ?, exit_code = 0 WHERE job_id = ? AND task = ? AND idx = ? AND state = \(sqlRunning)")
                .execute(arguments: [t, jobId, task, index])
            guard db.changesCount == 1 else { return }  // no longer running: its job was stopped
            ended = "OnInstanceFinished"
        case .failed(let exitCode, let code, let message):
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT state, retry_count FROM instances WHERE job_id = ? AND task = ? AND idx = ?"),
                                             arguments: [jobId, task, index]), row["state"] as String == RunState.running.rawValue else { return }
            let retries: Int = row["retry_count"]
            let next: RunState = retries < e.maxRetries ? .waiting : .failed
            try db.cachedStatement(sql: """
                UPDATE instances SET state = ?, end_time = ?, exit_code = ?, error_code = ?, error_message = ?,
                  retry_count = retry_count + ? WHERE job_id = ? AND task = ? AND idx = ?
                """).execute(arguments: [next.rawValue, next == .failed ? t : nil, exitCode, code, message, next == .waiting ? 1 : 0, jobId, task, index])
            ended = next == .failed ? "OnInstanceFailed" : nil
        }
        if let ended { try EngineStore.event(db, ended, "\(jobId)/\(task)/\(index)", now: t) }
        // Only an instance that failed for good can fail its job: earlier ones did already.
        try EngineStore.rollForward(db, jobId: jobId, task: task, failJobOnInstanceFailure: e.failJobOnInstanceFailure && ended == "OnInstanceFailed", now: t)
    }

    /// After an instance ended: the task ends when none of its instances waits or runs, the
    /// job fails on a failed instance (if it says so) or finishes when every task has ended.
    /// Each question is an EXISTS through the (job_id, state, …) index: O(1) per end, not a
    /// count over the task's instances.
    static func rollForward(_ db: Database, jobId: String, task: String, failJobOnInstanceFailure: Bool, now: Double) throws {
        let pending = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM instances WHERE job_id = ? AND state IN \(sqlActive) AND task = ?)"),
                                        arguments: [jobId, task]) ?? false
        if !pending {
            let failed = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM instances WHERE job_id = ? AND state = \(sqlFailed) AND task = ?)"),
                                           arguments: [jobId, task]) ?? false
            try db.cachedStatement(sql: "UPDATE tasks SET state = ?, end_time = ? WHERE job_id = ? AND name = ?")
                .execute(arguments: [(failed ? RunState.failed : .finished).rawValue, now, jobId, task])
        }
        if failJobOnInstanceFailure,
           let message = try String.fetchOne(try db.cachedStatement(sql: "SELECT COALESCE(error_message, '') FROM instances WHERE job_id = ? AND state = \(sqlFailed) LIMIT 1"), arguments: [jobId]) {
            try db.executeCached(sql: "UPDATE jobs SET state = \(sqlFailed), end_time = ?, message = ? WHERE id = ? AND state IN \(sqlActive)",
                           arguments: [now, message, jobId])
            if db.changesCount == 1 { try EngineStore.event(db, "OnJobFailed", jobId, message, now: now) }
            try db.cachedStatement(sql: "UPDATE instances SET state = \(sqlStopped) WHERE job_id = ? AND state = \(sqlWaiting)").execute(arguments: [jobId])
            try db.cachedStatement(sql: "UPDATE tasks SET state = \(sqlFailed), end_time = ? WHERE job_id = ? AND state IN \(sqlActive)").execute(arguments: [now, jobId])
            return
        }
        guard !pending else { return }  // the job cannot have ended while this task has work left
        let open = try Bool.fetchOne(try db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM tasks WHERE job_id = ? AND state NOT IN \(sqlFinishedOrFailed))"),
                                     arguments: [jobId]) ?? false
        if !open {
            // Finished with failed instances (JobFailOnInstanceFail off): say so in the message,
            // which is all a reader of the job list sees.
            let failedCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instances WHERE job_id = ? AND state = \(sqlFailed)", arguments: [jobId]) ?? 0
            var message = ""
            if failedCount > 0 {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM instances WHERE job_id = ?", arguments: [jobId]) ?? 0
                message = "\(failedCount) of \(total) instance\(total == 1 ? "" : "s") failed"
            }
            try db.executeCached(sql: "UPDATE jobs SET state = \(sqlFinished), end_time = ?, message = ? WHERE id = ? AND state IN \(sqlActive)",
                           arguments: [now, message, jobId])
            if db.changesCount == 1 { try EngineStore.event(db, "OnJobFinished", jobId, now: now) }
        }
    }

    /// Fails a job outright (its cluster does not exist, say).
    public func failJob(_ id: String, message: String, now: Date = Date()) throws {
        try pool.write { db in
            let t = now.timeIntervalSince1970
            try db.executeCached(sql: "UPDATE jobs SET state = \(sqlFailed), message = ?, end_time = ? WHERE id = ? AND state IN \(sqlActive)",
                           arguments: [message, t, id])
            if db.changesCount == 1 { try EngineStore.event(db, "OnJobFailed", id, message, now: t) }
            try db.execute(sql: "UPDATE instances SET state = \(sqlFailed), error_code = 'ClusterNotFound', error_message = ? WHERE job_id = ? AND state = \(sqlWaiting)",
                           arguments: [message, id])
            try db.cachedStatement(sql: "UPDATE tasks SET state = \(sqlFailed), end_time = ? WHERE job_id = ? AND state IN \(sqlActive)").execute(arguments: [t, id])
        }
    }

    /// Appends to the event feed (inside the caller's transaction).
    static func event(_ db: Database, _ kind: String, _ resource: String, _ detail: String = "", now: Double = Date().timeIntervalSince1970) throws {
        try db.cachedStatement(sql: "INSERT INTO events (time, kind, resource, detail) VALUES (?, ?, ?, ?)")
            .execute(arguments: [now, kind, resource, detail])
    }

    /// An instance the store says is running: what a restarted engine must re-adopt, record, or run again.
    public struct RunningInstance: Sendable {
        public var jobId: String
        public var task: String
        public var index: Int
        public var startTime: Date?
        /// The slot directory it was started in (its logs, its status file).
        public var directory: String?
        public var key: String { "\(jobId)/\(task)/\(index)" }
    }

    public func runningInstances() throws -> [RunningInstance] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT job_id, task, idx, start_time, log_dir FROM instances WHERE state = \(sqlRunning)").map {
                RunningInstance(jobId: $0[0], task: $0[1], index: $0[2], startTime: EngineStore.date($0[3]), directory: $0[4])
            }
        }
    }

    /// An instance whose fate is unknown (it was running when the engine died and left no
    /// status) goes back to Waiting to run again, without counting a retry.
    public func requeue(jobId: String, task: String, index: Int) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE instances SET state = \(sqlWaiting), start_time = NULL WHERE job_id = ? AND task = ? AND idx = ? AND state = \(sqlRunning)",
                           arguments: [jobId, task, index])
        }
    }
}
