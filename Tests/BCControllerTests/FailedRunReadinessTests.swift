import BCModel
@testable import BCPlan
import Testing
@testable import BCController

/// kstatus readiness of runs (issue 13, item 4): a declared run that failed and is not run
/// again is not Ready, though the plan has nothing to do for it.
@Suite struct FailedRunReadinessTests {
    @Test func aFailedRunIsNotReadyAndASucceededOneIs() {
        func run(_ name: String, failure: String?) -> ResourceChange {
            var c = ResourceChange(address: ResourceAddress(kind: .Job, name: name), action: .noop, reason: nil, actionReason: nil,
                                   fields: [], liveId: "job-\(name)", runStatus: failure.map { "failed (last attempt job-\(name): \($0))" } ?? "already succeeded")
            c.runFailure = failure
            return c
        }
        let cluster = ResourceChange(address: ResourceAddress(kind: .Cluster, name: "c"), action: .noop, reason: nil, actionReason: nil,
                                     fields: [], liveId: "cls-1", runStatus: nil)
        let plan = Plan(workspace: "w", lineage: "l", serial: 1, manifestsHash: "h", createdAt: "", changes: [cluster, run("ok", failure: nil), run("bad", failure: "exit 3")],
                        drift: [], desired: [])
        let readiness = ReconcileStep.readiness(plan)
        #expect(readiness["Job"]?.ready == 1 && readiness["Job"]?.notReady == 1)
        #expect(readiness["Cluster"]?.ready == 1 && readiness["Cluster"]?.notReady == 0)
    }
}
