import BCAPI
import Testing

/// The run id the Swift side computes is the one the Python runner names its paths with
/// (`uuid.uuid5(uuid.NAMESPACE_URL, "bcops:workflow-run:" + job_id)`).
@Suite struct WorkflowRunIDTests {
    @Test func matchesPythonsUUID5OfTheRunnerJob() {
        #expect(WorkflowRunID.of(jobId: "job-000000006B1559E00000000000000002") == "343dc1d0-b134-5afa-a821-7e448c30f45b")
    }
}
