import BCAPI

extension BatchComputeClient {
    /// One instance of a job's task (GetInstance): a node's own page reads just that.
    public func instance(of job: String, task: String, index: Int) async throws -> InstanceStatus {
        try await call(Routes.getInstance, job, task, String(index))
    }
}
