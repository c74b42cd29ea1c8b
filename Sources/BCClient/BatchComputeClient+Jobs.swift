import BCAPI
import BCJSON

/// Jobs, their tasks and their instances, as the contract types them.
extension BatchComputeClient {
    public func job(_ id: String) async throws -> JobStatus {
        try await call(Routes.getJob, id)
    }

    /// The job's description as submitted (`GetJob?description`).
    public func jobDescription(_ id: String) async throws -> JobDescription {
        try await call(Routes.getJob, id, query: [(QueryName.description, "")])
    }

    /// One page of jobs.
    public func jobs(_ page: PageQuery = PageQuery(), filter: JobFilter = JobFilter()) async throws -> Page<JobStatus> {
        try await self.page(Routes.listJobs, [], page, query: filter.items)
    }

    /// Every job the filter lets through, a page of `pageSize` at a time.
    public func allJobs(_ filter: JobFilter = JobFilter(), pageSize: Int = 1000) async throws -> [JobStatus] {
        try await all(Routes.listJobs, query: filter.items, pageSize: pageSize)
    }

    /// Every task of the job.
    public func tasks(of job: String) async throws -> [TaskStatus] {
        try await all(Routes.listTasks, [job], pageSize: 1000)
    }

    /// Every instance of one task of the job.
    public func instances(of job: String, task: String) async throws -> [InstanceStatus] {
        try await all(Routes.listInstances, [job, task], pageSize: 1000)
    }

    /// Submits a job. The same `idempotentToken` twice submits it once.
    public func createJob(_ description: JobDescription, idempotentToken: String? = nil) async throws -> Created {
        try await createJob(try Self.json(description), idempotentToken: idempotentToken)
    }

    /// Submits a job written as JSON (the planner's lowered bodies).
    public func createJob(_ description: JSONValue, idempotentToken: String? = nil) async throws -> Created {
        try await call(Routes.createJob, query: Self.token(idempotentToken), body: description)
    }

    /// Stops a waiting or running job; one that already ended answers `StateConflict`.
    public func stopJob(_ id: String) async throws {
        try await perform(Routes.stopJob, id)
    }

    /// Restarts a stopped or failed job.
    public func startJob(_ id: String) async throws {
        try await perform(Routes.startJob, id)
    }

    public func deleteJob(_ id: String) async throws {
        try await perform(Routes.deleteJob, id)
    }

    static func token(_ token: String?) -> [(String, String)] {
        token.map { [(QueryName.idempotentToken, $0)] } ?? []
    }
}

/// bcops' extensions of the job list: numbered pages with a total, and the counts by state.
extension BatchComputeClient {
    /// One numbered page of the jobs the filter lets through, with `totalCount` set: what a
    /// list that shows "page N of M" asks, without reading the other pages.
    public func jobs(_ filter: JobFilter, page: OffsetPage) async throws -> Page<JobStatus> {
        try await call(Routes.listJobs, query: filter.items + page.items)
    }

    /// Jobs by state, and the instances of the Waiting and Running jobs by state (`/bcops/job-counts`).
    public func jobCounts() async throws -> JobCounts {
        try await call(Routes.jobCounts)
    }
}
