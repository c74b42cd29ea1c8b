import BCAPI

/// Node load: the engine's samples of a job's running instances (`/bcops/load`).
extension BatchComputeClient {
    /// CPU and memory of each running instance of the job, with their last samples; one call.
    public func load(of job: String) async throws -> JobLoad {
        try await call(Routes.jobLoad, job)
    }
}
