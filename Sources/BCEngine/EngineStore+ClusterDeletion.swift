import BCAPI
import Foundation
import GRDB

/// What deleting a cluster does to the jobs that use it.
extension EngineStore {
    /// Fails, inside the caller's transaction (`deleteCluster`'s), every job that has not
    /// ended and places a task on cluster `id` (a DAG task's `ClusterId`, an App job's
    /// `Config.ClusterId`): with its nodes gone it could only wait forever. The job says why,
    /// `cluster cls-… was deleted`; its waiting and running instances fail with it (error
    /// `ClusterNotFound`), and the scheduler stops the running ones (`Scheduler.stopEndedJobs`,
    /// on the wakeup the API raises). Returns the jobs failed.
    @discardableResult
    static func failJobs(onDeletedCluster id: String, _ db: Database, now: Date = Date()) throws -> [String] {
        let active = sql(.waiting, .running), failed = sql(.failed)
        let jobs = try String.fetchAll(db, sql: """
            SELECT id FROM jobs WHERE state IN \(active) AND
              (EXISTS (SELECT 1 FROM json_each(description, '$.DAG.Tasks') WHERE json_extract(value, '$.ClusterId') = ?)
               OR json_extract(description, '$.App.Config.ClusterId') = ?)
            """, arguments: [id, id])
        let message = "cluster \(id) was deleted"
        let t = now.timeIntervalSince1970
        for job in jobs {
            try db.executeCached(sql: "UPDATE jobs SET state = \(failed), message = ?, end_time = ? WHERE id = ? AND state IN \(active)",
                           arguments: [message, t, job])
            if db.changesCount == 1 { try EngineStore.event(db, "OnJobFailed", job, message, now: t) }
            // Running ones too: the scheduler ends them (their ends, coming later, are ignored),
            // and each says why rather than how it was killed.
            try db.execute(sql: "UPDATE instances SET state = \(failed), end_time = ?, error_code = 'ClusterNotFound', error_message = ? WHERE job_id = ? AND state IN \(active)",
                           arguments: [t, message, job])
            try db.execute(sql: "UPDATE tasks SET state = \(failed), end_time = ? WHERE job_id = ? AND state IN \(active)",
                           arguments: [t, job])
        }
        return jobs
    }
}
