import BCAPI
import GRDB

/// Jobs submitted by a job (with its own key, `JobCredentials`): the workflow runner's calls.
extension EngineStore {
    /// The column and the trigger that stops a job's children when it ends. A trigger, so that
    /// every way a job ends (the API's stop, an instance's failure, a timeout, a cluster deleted
    /// under it, a restarted engine settling what it found) stops them in the same write; the
    /// scheduler then ends their instances as it does for any stopped job.
    static func createParentJobs(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE jobs ADD COLUMN parent_job TEXT")
        try db.execute(sql: "CREATE INDEX jobs_parent ON jobs(parent_job) WHERE parent_job IS NOT NULL")
        let active = EngineStore.sql(.waiting, .running), ended = EngineStore.sql(.finished, .failed, .stopped)
        let stopped = EngineStore.sql(.stopped)
        try db.execute(sql: """
            CREATE TRIGGER jobs_stop_children AFTER UPDATE OF state ON jobs
            WHEN NEW.state IN \(ended) AND OLD.state IN \(active)
            BEGIN
              UPDATE tasks SET state = \(stopped)
                WHERE state IN \(active) AND job_id IN (SELECT id FROM jobs WHERE parent_job = NEW.id AND state IN \(active));
              UPDATE instances SET state = \(stopped)
                WHERE state IN \(active) AND job_id IN (SELECT id FROM jobs WHERE parent_job = NEW.id AND state IN \(active));
              UPDATE jobs SET state = \(stopped), end_time = COALESCE(NEW.end_time, CAST(strftime('%s', 'now') AS REAL)),
                  message = 'stopped because the job that submitted it, ' || NEW.id || ', ended (' || NEW.state || ')'
                WHERE parent_job = NEW.id AND state IN \(active);
            END
            """)
    }

    /// The jobs a job submitted that still wait or run.
    public func activeChildren(of id: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE parent_job = ? AND state IN \(EngineStore.sql(.waiting, .running))", arguments: [id])
        }
    }

    /// The jobs any of `ids` submitted, whatever their state.
    public func children(of ids: [String]) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM jobs WHERE parent_job IN (\(ids.map { _ in "?" }.joined(separator: ", ")))",
                                arguments: StatementArguments(ids))
        }
    }
}
