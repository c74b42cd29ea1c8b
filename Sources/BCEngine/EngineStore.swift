import BCAPI
import Foundation
import GRDB

/// The engine's state in SQLite (WAL). Every change is one transaction, so a killed engine
/// restarts with every accepted job, cluster and app intact.
public final class EngineStore: Sendable {
    let pool: DatabasePool

    /// - Parameter notice: where a line goes when existing files' modes are tightened.
    public init(path: String, notice: (String) -> Void = Credentials.warn) throws {
        // The database holds every secret env value: 0600. SQLite gives its -wal and -shm the
        // database's mode, so creating it 0600 first covers them; files an older engine left
        // readable are tightened.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        for file in [path, path + "-wal", path + "-shm"] {
            Engine.tighten(file, to: 0o600, why: "the engine's database holds every secret env value", notice: notice)
        }
        var config = Configuration()
        config.busyMode = .timeout(10)
        // WAL with synchronous=NORMAL: a commit survives the engine being killed (SIGKILL),
        // which is the failure the engine promises to survive; only power loss can lose the
        // last commits. FULL would fsync on every instance start and end.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try DatabasePool(path: path, configuration: config)
        try EngineStore.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  type TEXT NOT NULL,
                  state TEXT NOT NULL,
                  priority INTEGER NOT NULL,
                  message TEXT NOT NULL DEFAULT '',
                  description TEXT NOT NULL,
                  token TEXT,
                  creation_time REAL NOT NULL,
                  start_time REAL,
                  end_time REAL);
                CREATE UNIQUE INDEX jobs_token ON jobs(token) WHERE token IS NOT NULL;
                CREATE TABLE tasks (
                  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                  name TEXT NOT NULL,
                  state TEXT NOT NULL,
                  start_time REAL, end_time REAL,
                  PRIMARY KEY (job_id, name));
                CREATE TABLE instances (
                  job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                  task TEXT NOT NULL,
                  idx INTEGER NOT NULL,
                  state TEXT NOT NULL,
                  retry_count INTEGER NOT NULL DEFAULT 0,
                  start_time REAL, end_time REAL,
                  exit_code INTEGER, error_code TEXT NOT NULL DEFAULT '', error_message TEXT NOT NULL DEFAULT '',
                  PRIMARY KEY (job_id, task, idx));
                CREATE TABLE clusters (
                  seq INTEGER PRIMARY KEY AUTOINCREMENT,
                  id TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  state TEXT NOT NULL,
                  description TEXT NOT NULL,
                  token TEXT,
                  creation_time REAL NOT NULL);
                CREATE UNIQUE INDEX clusters_token ON clusters(token) WHERE token IS NOT NULL;
                CREATE TABLE apps (
                  name TEXT NOT NULL,
                  revision INTEGER NOT NULL,
                  description TEXT NOT NULL,
                  creation_time REAL NOT NULL,
                  PRIMARY KEY (name, revision));
                """)
        }
        m.registerMigration("v2-waiting-index") { db in
            // The scheduler asks for waiting instances after every instance ends.
            try db.execute(sql: "CREATE INDEX instances_by_state ON instances(job_id, state, task, idx)")
        }
        m.registerMigration("v3-instance-process-group") { db in
            // The process group of a running instance, so a restarted engine can end what a killed one left behind.
            try db.execute(sql: "ALTER TABLE instances ADD COLUMN pgid INTEGER")
        }
        m.registerMigration("v4-workspaces-and-locks") { db in
            try db.execute(sql: """
                CREATE TABLE workspaces (name TEXT PRIMARY KEY, lineage TEXT NOT NULL, serial INTEGER NOT NULL);
                CREATE TABLE locks (
                  id TEXT PRIMARY KEY, workspace TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, operation TEXT NOT NULL,
                  info TEXT NOT NULL, created REAL NOT NULL, expires REAL NOT NULL);
                """)
        }
        m.registerMigration("v5-events-and-live-logs") { db in
            try db.execute(sql: """
                CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, kind TEXT NOT NULL,
                                     resource TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
                ALTER TABLE instances ADD COLUMN log_dir TEXT;
                """)
        }
        m.registerMigration("v6-revisions-and-workspace-index") { db in
            // A cluster's revision counts changes to its description (labels aside), so a
            // client that recorded it can tell "unchanged since I applied it" without
            // reading the whole object. Workspace lookups go through an expression index.
            try db.execute(sql: """
                ALTER TABLE clusters ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
                CREATE INDEX clusters_workspace ON clusters(\(EngineStore.workspaceLabel("description")));
                CREATE INDEX apps_workspace ON apps(\(EngineStore.workspaceLabel("description")));
                CREATE INDEX jobs_workspace ON jobs(\(EngineStore.workspaceLabel("description")));
                """)
        }
        m.registerMigration("v7-plan-approvals") { db in
            // Reviewed plans: the content hash of the plan CI showed for a commit, which the
            // controller must reproduce before it applies that commit.
            try db.execute(sql: """
                CREATE TABLE approvals (workspace TEXT NOT NULL, revision TEXT NOT NULL, digest TEXT NOT NULL,
                                        approved_by TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
                                        PRIMARY KEY (workspace, revision));
                """)
        }
        m.registerMigration("v8-cluster-vms-and-images") { db in
            // Cluster VMs (slots of this host, with ECS-style ids that are never reused) and
            // registered images; EngineStore+ClusterVMs.swift. Clusters that exist get their VMs.
            try EngineStore.createClusterVMTables(db)
        }
        m.registerMigration("v9-active-jobs-index") { db in
            // The scheduler lists the tasks of active jobs with waiting instances on every refresh.
            try db.execute(sql: "CREATE INDEX jobs_active ON jobs(state, priority DESC, seq)")
        }
        m.registerMigration("v10-drop-instance-process-group") { db in
            // v3's pgid was never written: a restarted engine finds an earlier one's process
            // groups by the marker in their environment (HostProcesses.orphans) instead.
            try db.execute(sql: "ALTER TABLE instances DROP COLUMN pgid")
        }
        m.registerMigration("v11-parent-jobs") { db in
            // A job submitted with a job's own key (the workflow runner's calls) belongs to
            // that job: when it ends, however it ends (stopped, failed, finished, timed out, or
            // its runner killed), those of its jobs still waiting or running are stopped, in
            // the same write, so no call outlives its run. EngineStore+ParentJobs.swift.
            try EngineStore.createParentJobs(db)
        }
        m.registerMigration("v12-inventory-log") { db in
            // What changed in each workspace's inventory, so a controller reads only that at
            // each commit. EngineStore+InventoryLog.swift.
            try EngineStore.createInventoryLog(db)
        }
        m.registerMigration("v13-inventory-log-by-sequence-only") { db in
            // The log's workspace index cost every logged change a second B-tree insert (half
            // of the log's cost to a create); a read of what changed walks the entries after
            // its cursor by sequence instead.
            try db.execute(sql: "DROP INDEX inventory_log_by_workspace")
        }
        return m
    }

    // MARK: Jobs

    public struct JobRow: Sendable {
        public var seq: Int64
        public var id: String
        public var name: String
        public var type: String
        public var state: String
        public var priority: Int
        public var message: String
        public var description: String
        public var creationTime: Date
        public var startTime: Date?
        public var endTime: Date?
    }

    public struct TaskRow: Sendable {
        public var name: String
        public var state: String
        public var startTime: Date?
        public var endTime: Date?
    }

    public struct InstanceRow: Sendable {
        public var task: String
        public var index: Int
        public var state: String
        public var retryCount: Int
        public var startTime: Date?
        public var endTime: Date?
        public var exitCode: Int?
        public var errorCode: String
        public var errorMessage: String
    }

    /// Stores a new job with its tasks and instances (all Waiting). A repeated idempotent
    /// token returns the first job's id when the description matches, and fails otherwise.
    public func createJob(name: String, type: String, priority: Int, description: String, token: String?,
                          tasks: [(name: String, instances: Int)], parent: String? = nil, now: Date? = nil) throws -> String {
        try pool.write { db in try EngineStore.insertJob(db, name: name, type: type, priority: priority, description: description,
                                                         token: token, tasks: tasks, parent: parent, now: now) }
    }

    /// The same, suspending instead of holding a thread while the writer is busy: a job of
    /// 100,000 instances must not hold up the requests of everybody else.
    public func createJob(name: String, type: String, priority: Int, description: String, token: String?,
                          tasks: [(name: String, instances: Int)], parent: String? = nil, now: Date? = nil) async throws -> String {
        try await pool.write { db in try EngineStore.insertJob(db, name: name, type: type, priority: priority, description: description,
                                                               token: token, tasks: tasks, parent: parent, now: now) }
    }

    static func insertJob(_ db: Database, name: String, type: String, priority: Int, description: String, token: String?,
                          tasks: [(name: String, instances: Int)], parent: String? = nil, now given: Date?) throws -> String {
        // The clock is read inside the write, never before it: jobs created at once by several
        // clients get creation times in the order of their ids, which is the order pages list.
        let now = given ?? Date()
        if let token, let row = try Row.fetchOne(db, sql: "SELECT id, description FROM jobs WHERE token = ?", arguments: [token]) {
            guard row["description"] as String == description else {
                throw StoreError.tokenMismatch
            }
            return row["id"]
        }
        // AUTOINCREMENT's high-water mark, not MAX(seq): a deleted job's number (and so its
        // id, and anything keyed by it) never comes back, not even after a restart.
        let seq = (try Int64.fetchOne(db, sql: "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'jobs'), 0) + 1")) ?? 1
        let id = ResourceIDs.job(sequence: UInt64(seq), seconds: UInt64(now.timeIntervalSince1970))
        try db.executeCached(sql: """
            INSERT INTO jobs (seq, id, name, type, state, priority, description, token, creation_time, parent_job)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, id, name, type, RunState.waiting.rawValue, priority, description, token, now.timeIntervalSince1970, parent])
        try EngineStore.event(db, "OnJobWaiting", id, name, now: now.timeIntervalSince1970)
        for task in tasks {
            try db.execute(sql: "INSERT INTO tasks (job_id, name, state) VALUES (?, ?, ?)", arguments: [id, task.name, RunState.waiting.rawValue])
            // One statement for all of a task's instances (a row generator), not one per row:
            // 100,000 instances in a fraction of a second instead of seconds.
            try db.execute(sql: """
                INSERT INTO instances (job_id, task, idx, state)
                WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                SELECT ?, ?, i, ? FROM n
                """, arguments: [task.instances, id, task.name, RunState.waiting.rawValue])
        }
        return id
    }

    public func job(_ id: String) throws -> JobRow? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(EngineStore.jobRow) }
    }

    // Lists of jobs: EngineStore+JobQueries.swift.

    public func tasks(of jobId: String) throws -> [TaskRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tasks WHERE job_id = ? ORDER BY name", arguments: [jobId]).map {
                TaskRow(name: $0["name"], state: $0["state"], startTime: EngineStore.date($0["start_time"]), endTime: EngineStore.date($0["end_time"]))
            }
        }
    }

    public func instances(of jobId: String, task: String) throws -> [InstanceRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM instances WHERE job_id = ? AND task = ? ORDER BY idx", arguments: [jobId, task]).map {
                InstanceRow(task: $0["task"], index: $0["idx"], state: $0["state"], retryCount: $0["retry_count"],
                            startTime: EngineStore.date($0["start_time"]), endTime: EngineStore.date($0["end_time"]),
                            exitCode: $0["exit_code"], errorCode: $0["error_code"], errorMessage: $0["error_message"])
            }
        }
    }

    /// Tasks and instance counts of several jobs in one read, for rendering lists.
    public func summaries(of jobIds: [String]) throws -> [String: (tasks: [TaskRow], counts: [String: Int])] {
        guard !jobIds.isEmpty else { return [:] }
        return try pool.read { db in
            var out: [String: (tasks: [TaskRow], counts: [String: Int])] = [:]
            for id in jobIds { out[id] = ([], [:]) }
            let marks = Array(repeating: "?", count: jobIds.count).joined(separator: ",")
            for r in try Row.fetchAll(db, sql: "SELECT * FROM tasks WHERE job_id IN (\(marks)) ORDER BY name", arguments: StatementArguments(jobIds)) {
                out[r["job_id"], default: ([], [:])].tasks.append(TaskRow(name: r["name"], state: r["state"],
                                                                          startTime: EngineStore.date(r["start_time"]), endTime: EngineStore.date(r["end_time"])))
            }
            for r in try Row.fetchAll(db, sql: "SELECT job_id, state, COUNT(*) AS n FROM instances WHERE job_id IN (\(marks)) GROUP BY job_id, state",
                                      arguments: StatementArguments(jobIds)) {
                out[r["job_id"], default: ([], [:])].counts[r["state"]] = r["n"]
            }
            return out
        }
    }

    /// Instances of a job (or of one task) by state, counted in the database.
    public func instanceCounts(of jobId: String, task: String? = nil) throws -> [String: Int] {
        try pool.read { db in
            let rows = if let task {
                try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM instances WHERE job_id = ? AND task = ? GROUP BY state", arguments: [jobId, task])
            } else {
                try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM instances WHERE job_id = ? GROUP BY state", arguments: [jobId])
            }
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["state"] as String, $0["n"] as Int) })
        }
    }

    /// Moves a job (and its unfinished tasks and instances) to `state` if it is in one of `from`.
    public func transitionJob(_ id: String, from: Set<RunState>, to state: RunState, now: Date = Date()) throws {
        try pool.write { db in
            let current = try EngineStore.jobState(db, id)
            guard from.contains(current) else { throw StoreError.stateConflict(current) }
            try db.executeCached(sql: "UPDATE jobs SET state = ?, end_time = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
                           arguments: [state.rawValue, state.isEnded, now.timeIntervalSince1970, id])
            let active = EngineStore.sql(.waiting, .running, .stopped)
            try db.execute(sql: "UPDATE tasks SET state = ? WHERE job_id = ? AND state IN \(active)", arguments: [state.rawValue, id])
            try db.execute(sql: "UPDATE instances SET state = ? WHERE job_id = ? AND state IN \(active)", arguments: [state.rawValue, id])
            try EngineStore.event(db, state == .stopped ? "OnJobStopped" : "OnJobWaiting", id, now: now.timeIntervalSince1970)
        }
    }

    /// StartJob on a Stopped or Failed job: it waits again; instances that finished stay
    /// finished, stopped and failed ones run again with a fresh retry budget.
    public func restartJob(_ id: String, now: Date = Date()) throws {
        try pool.write { db in
            let current = try EngineStore.jobState(db, id)
            guard current == .stopped || current == .failed else { throw StoreError.stateConflict(current) }
            let waiting = EngineStore.sql(.waiting)
            try db.executeCached(sql: "UPDATE jobs SET state = \(waiting), message = '', end_time = NULL WHERE id = ?", arguments: [id])
            try db.execute(sql: """
                UPDATE instances SET state = \(waiting), retry_count = 0, start_time = NULL, end_time = NULL, exit_code = NULL,
                  error_code = '', error_message = '' WHERE job_id = ? AND state IN \(EngineStore.sql(.stopped, .failed, .running))
                """, arguments: [id])
            try db.execute(sql: "UPDATE tasks SET state = \(waiting), end_time = NULL WHERE job_id = ? AND state <> \(EngineStore.sql(.finished))",
                           arguments: [id])
            try EngineStore.event(db, "OnJobWaiting", id, now: now.timeIntervalSince1970)
        }
    }

    public func setPriority(_ id: String, _ priority: Int) throws {
        try pool.write { db in
            let current = try EngineStore.jobState(db, id)
            guard current == .stopped else { throw StoreError.stateConflict(current) }
            // The description says the priority too (get_job_description, `bcs j`): keep them one.
            try db.executeCached(sql: "UPDATE jobs SET priority = ?, description = json_set(description, '$.Priority', ?) WHERE id = ?",
                           arguments: [priority, priority, id])
        }
    }

    /// Deletes a job that is not waiting or running.
    public func deleteJob(_ id: String) throws {
        try pool.write { db in
            let current = try EngineStore.jobState(db, id)
            guard current.isEnded else { throw StoreError.stateConflict(current) }
            try db.execute(sql: "DELETE FROM instances WHERE job_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM tasks WHERE job_id = ?", arguments: [id])
            try db.executeCached(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id])
        }
    }

    // MARK: Clusters

    public struct ClusterRow: Sendable {
        public var id: String
        public var name: String
        public var state: String
        public var description: String
        public var creationTime: Date
        public var revision: Int = 1
    }

    public func createCluster(name: String, description: String, token: String?, now: Date = Date()) throws -> String {
        try pool.write { db in
            if let token, let row = try Row.fetchOne(db, sql: "SELECT id, description FROM clusters WHERE token = ?", arguments: [token]) {
                guard row["description"] as String == description else { throw StoreError.tokenMismatch }
                return row["id"]
            }
            var rng = SystemRandomNumberGenerator()
            let id = ResourceIDs.cluster(using: &rng)
            try db.executeCached(sql: "INSERT INTO clusters (id, name, state, description, token, creation_time) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, name, ClusterState.active.rawValue, description, token, now.timeIntervalSince1970])
            try EngineStore.reconcileVMs(db, cluster: id, now: now)
            try EngineStore.event(db, "OnClusterCreated", id, name, now: now.timeIntervalSince1970)
            return id
        }
    }

    public func cluster(_ id: String) throws -> ClusterRow? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM clusters WHERE id = ?", arguments: [id]).map(EngineStore.clusterRow) }
    }

    public func clusters(after marker: String?, limit: Int, labels: [String: String] = [:]) throws -> (items: [ClusterRow], next: String) {
        try pool.read { db in
            let (sql, args) = EngineStore.labelFilter("SELECT * FROM clusters", column: "description", labels: labels)
            return try EngineStore.page(db, sql: sql, markerClause: "seq >= (SELECT seq FROM clusters WHERE id = ?)",
                                        order: "seq", marker: marker, arguments: args, limit: limit, row: EngineStore.clusterRow, key: \.id)
        }
    }

    /// Replaces a cluster's stored description (the server merges the modification first);
    /// anything beyond labels makes a new revision.
    public func updateCluster(_ id: String, description: String, newRevision: Bool = true) throws {
        try pool.write { db in
            try db.executeCached(sql: "UPDATE clusters SET description = ?, revision = revision + ? WHERE id = ?",
                           arguments: [description, newRevision ? 1 : 0, id])
            if db.changesCount == 0 { throw StoreError.notFound(.cluster(id)) }
            try EngineStore.reconcileVMs(db, cluster: id)
            try EngineStore.event(db, "OnClusterModified", id)
        }
    }

    public func deleteCluster(_ id: String) throws {
        try pool.write { db in
            try db.executeCached(sql: "DELETE FROM clusters WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound(.cluster(id)) }
            try EngineStore.event(db, "OnClusterDeleted", id)
            try EngineStore.failJobs(onDeletedCluster: id, db)  // they would wait for its nodes forever
        }
    }

    // MARK: Apps

    public struct AppRow: Sendable {
        public var name: String
        public var revision: Int
        public var description: String
        public var creationTime: Date
    }

    public func createApp(name: String, description: String, now: Date = Date()) throws {
        try pool.write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM apps WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw StoreError.alreadyExists(.app(name))
            }
            try db.executeCached(sql: "INSERT INTO apps (name, revision, description, creation_time) VALUES (?, 1, ?, ?)",
                           arguments: [name, description, now.timeIntervalSince1970])
        }
    }

    /// A new revision of an existing app.
    public func modifyApp(name: String, description: String, now: Date = Date()) throws {
        try pool.write { db in
            guard let last = try Int.fetchOne(db, sql: "SELECT MAX(revision) FROM apps WHERE name = ?", arguments: [name]) else {
                throw StoreError.notFound(.app(name))
            }
            try db.executeCached(sql: "INSERT INTO apps (name, revision, description, creation_time) VALUES (?, ?, ?, ?)",
                           arguments: [name, last + 1, description, now.timeIntervalSince1970])
        }
    }

    /// The latest revision, or a given one.
    public func app(_ name: String, revision: Int? = nil) throws -> AppRow? {
        try pool.read { db in
            let row = if let revision {
                try Row.fetchOne(db, sql: "SELECT * FROM apps WHERE name = ? AND revision = ?", arguments: [name, revision])
            } else {
                try Row.fetchOne(db, sql: "SELECT * FROM apps WHERE name = ? ORDER BY revision DESC LIMIT 1", arguments: [name])
            }
            return row.map(EngineStore.appRow)
        }
    }

    public func appRevisions(_ name: String) throws -> [AppRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM apps WHERE name = ? ORDER BY revision", arguments: [name]).map(EngineStore.appRow)
        }
    }

    /// Latest revision of every app, by name, after `marker` (an app name).
    ///
    /// The latest revision is found per row, through the primary key (name, revision), so a
    /// page walks the key from its marker and stops when full. A join with `GROUP BY name`
    /// over the whole table made every page read every app: listing 200,000 apps (a
    /// workspace's collision check before creating) took 200 pages × all of them.
    public func apps(after marker: String?, limit: Int, labels: [String: String] = [:]) throws -> (items: [AppRow], next: String) {
        try pool.read { db in
            let (sql, args) = EngineStore.labelFilter(
                "SELECT a.* FROM apps a WHERE a.revision = (SELECT MAX(b.revision) FROM apps b WHERE b.name = a.name)",
                column: "a.description", labels: labels)
            return try EngineStore.page(db, sql: sql, markerClause: "a.name >= ?", order: "a.name", marker: marker, arguments: args,
                                        limit: limit, row: EngineStore.appRow, key: \.name)
        }
    }

    public func deleteApp(_ name: String, revision: Int?) throws {
        try pool.write { db in
            if let revision {
                try db.executeCached(sql: "DELETE FROM apps WHERE name = ? AND revision = ?", arguments: [name, revision])
            } else {
                try db.executeCached(sql: "DELETE FROM apps WHERE name = ?", arguments: [name])
            }
            if db.changesCount == 0 { throw StoreError.notFound(.app(name)) }
        }
    }

    // MARK: Events and live logs

    public struct Event: Sendable {
        public var seq: Int64
        public var time: Date
        public var kind: String
        public var resource: String
        public var detail: String
    }

    /// Events after `since`, oldest first.
    public func events(since: Int64, limit: Int) throws -> [Event] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [since, limit]).map {
                Event(seq: $0["seq"], time: Date(timeIntervalSince1970: $0["time"]), kind: $0["kind"], resource: $0["resource"], detail: $0["detail"])
            }
        }
    }

    /// Where a running instance writes its logs, if it is running.
    public func liveLogDirectory(jobId: String, task: String, index: Int) throws -> (state: String, directory: String?)? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT state, log_dir FROM instances WHERE job_id = ? AND task = ? AND idx = ?",
                             arguments: [jobId, task, index]).map { ($0["state"], $0["log_dir"]) }
        }
    }

    // MARK: Paging

    /// The workspace label of a description, spelt exactly as the expression indexes are.
    static func workspaceLabel(_ column: String) -> String { "json_extract(\(column), '$.Labels.\"bcops.io/workspace\"')" }

    /// `WHERE` clauses matching every label (bcops' extension: `Labels` in a description).
    static func labelFilter(_ sql: String, column: String, labels: [String: String]) -> (String, [any DatabaseValueConvertible]) {
        guard !labels.isEmpty else { return (sql, []) }
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            if k == "bcops.io/workspace" {
                // The indexed expression, literally, so that SQLite uses the index.
                clauses.append(workspaceLabel(column) + " = ?")
                args.append(v)
                continue
            }
            clauses.append("json_extract(\(column), ?) = ?")
            args.append("$.Labels.\"" + k.replacingOccurrences(of: "\"", with: "") + "\"")
            args.append(v)
        }
        // After the query's own WHERE, if it has one (the latest revision of an app).
        return (sql + (sql.contains(" WHERE ") ? " AND " : " WHERE ") + clauses.joined(separator: " AND "), args)
    }

    /// One page: `limit` rows from `sql` (which ends before ORDER BY) with `marker` applied by
    /// `markerClause` and then `offset` rows skipped, plus the marker of the next page (the key
    /// of the row after the last).
    static func page<T>(_ db: Database, sql: String, markerClause: String, order: String, marker: String?,
                        arguments: [any DatabaseValueConvertible] = [], limit: Int, offset: Int = 0,
                        row: (Row) -> T, key: (T) -> String) throws -> (items: [T], next: String) {
        var query = sql
        var args = arguments
        if let marker, !marker.isEmpty {
            query += (query.range(of: " WHERE ", options: .caseInsensitive) == nil ? " WHERE " : " AND ") + markerClause
            args.append(marker)
        }
        query += " ORDER BY \(order) LIMIT ? OFFSET ?"
        args += [limit + 1, offset]
        let rows = try Row.fetchAll(db, sql: query, arguments: StatementArguments(args)).map(row)
        return (Array(rows.prefix(limit)), rows.count > limit ? key(rows[limit]) : "")
    }

    // MARK: Rows

    static func date(_ v: Double?) -> Date? { v.map { Date(timeIntervalSince1970: $0) } }

    static func jobRow(_ r: Row) -> JobRow {
        JobRow(seq: r["seq"], id: r["id"], name: r["name"], type: r["type"], state: r["state"], priority: r["priority"],
               message: r["message"], description: r["description"], creationTime: Date(timeIntervalSince1970: r["creation_time"]),
               startTime: date(r["start_time"]), endTime: date(r["end_time"]))
    }

    static func clusterRow(_ r: Row) -> ClusterRow {
        ClusterRow(id: r["id"], name: r["name"], state: r["state"], description: r["description"],
                   creationTime: Date(timeIntervalSince1970: r["creation_time"]), revision: r["revision"] ?? 1)
    }

    static func appRow(_ r: Row) -> AppRow {
        AppRow(name: r["name"], revision: r["revision"], description: r["description"], creationTime: Date(timeIntervalSince1970: r["creation_time"]))
    }
}
