/// `GET /bcops/job-counts`: jobs by state, and the instances of the Waiting and Running jobs by
/// state, counted by the engine in one read. What a header of counters needs (the dashboard's
/// running jobs, running nodes and waiting nodes) without listing every active job.
public struct JobCounts: Codable, Sendable, Equatable {
    /// Every job, by state.
    public var jobs: StateCounts
    /// The instances of the Waiting and Running jobs, by state.
    public var activeJobInstances: StateCounts

    public init(jobs: StateCounts = StateCounts(), activeJobInstances: StateCounts = StateCounts()) {
        self.jobs = jobs
        self.activeJobInstances = activeJobInstances
    }

    enum CodingKeys: String, CodingKey {
        case jobs = "Jobs"
        case activeJobInstances = "ActiveJobInstances"
    }
}
