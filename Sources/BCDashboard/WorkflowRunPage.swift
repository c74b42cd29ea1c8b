import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes

/// One WorkflowRun: its runner's status and every call (shard, attempt) with its state, its job,
/// whether the call cache served it, and when it ran: `bcctl workflow status RUN` on a page.
/// Markup in the `workflowRun` template (`WorkflowTemplates.swift`).
extension Dashboard {

    func workflowRunPage(_ id: String) async throws -> (page: String, status: HTTPTypes.HTTPResponse.Status) {
        async let counting = counters()
        let run: WorkflowRunReader.Run
        do {
            run = try await WorkflowRunReader.read(id, client: client)
        } catch let e as JobReader.NotFound {
            return (HTML.page(title: "Workflow run", counters: try await counting, body: Templates.render("notARun", Templates.Sentence(text: e.message))), .notFound)
        }
        let name = run.job.labels["bcops.io/address"].map { $0.hasPrefix("WorkflowRun/") ? String($0.dropFirst("WorkflowRun/".count)) : $0 } ?? run.job.name
        let view = Templates.WorkflowRun(
            name: name, workflow: run.workflowName ?? "", status: run.status,
            progress: run.progress.map { "\($0.done)/\($0.calls)" } ?? "",
            jobHref: "/ui/jobs/\(HTML.pathSegment(run.job.id))", jobId: run.job.id, jobState: run.job.state.rawValue,
            runId: run.runId, metadata: run.metadataURL ?? "not written yet",
            hasReason: !run.job.message.isEmpty, reason: run.job.message, hasCalls: !run.calls.isEmpty,
            calls: run.calls.map { c in
                Templates.WorkflowCall(
                    state: c.state, name: c.name, shard: c.shard < 0 ? "-" : String(c.shard), attempt: c.attempt,
                    hasJob: !c.jobId.isEmpty, jobHref: "/ui/jobs/\(HTML.pathSegment(c.jobId))", jobId: c.jobId,
                    cache: c.cacheHit ? "hit" : "-", start: c.start, end: c.end, returnCode: c.returnCode.map(String.init) ?? "")
            })
        return (HTML.page(title: "Workflow run \(name)", counters: try await counting, body: Templates.render("workflowRun", view)), .ok)
    }
}
