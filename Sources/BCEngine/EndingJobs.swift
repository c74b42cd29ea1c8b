import Foundation

/// Jobs stopped (or failed) while their instances still run: those instances get SIGTERM and a
/// grace period (`EngineLimits.stopGrace`) before SIGKILL, and a workflow runner spends it
/// stopping its calls and writing how the run ended, signed with its job's key. That key is
/// refused once its job has ended (`JobCredentials`), except for a job in here: from the stop
/// until its last instance ended, and never past the grace (and a few seconds for the signal
/// to be sent), so a job whose end the scheduler never saw cannot keep its key alive.
final class EndingJobs: Sendable {
    private let until = Locked<[String: ContinuousClock.Instant]>([:])

    /// The job was stopped: its key stays valid while its instances end, for at most `grace`
    /// and 5 s more.
    func insert(_ jobId: String, grace: Duration) {
        let now = ContinuousClock.now
        until.withLock { jobs in
            jobs = jobs.filter { $0.value > now }
            jobs[jobId] = max(jobs[jobId] ?? now, now + grace + .seconds(5))
        }
    }

    /// Its last instance ended.
    func remove(_ jobId: String) { _ = until.withLock { $0.removeValue(forKey: jobId) } }

    func contains(_ jobId: String) -> Bool {
        until.withLock { jobs in jobs[jobId].map { ContinuousClock.now < $0 } ?? false }
    }
}
