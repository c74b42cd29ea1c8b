import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes

/// One WorkflowRun: its runner's status and every call (shard, attempt) with its state, its job,
/// whether the call cache served it, and when it ran: `bcctl workflow status RUN` on a page.
extension Dashboard {

    func workflowRunPage(_ id: String) async throws -> (page: String, status: HTTPTypes.HTTPResponse.Status) {
        async let counting = counters()
        let run: WorkflowRunReader.Run
        do {
            run = try await WorkflowRunReader.read(id, client: client)
        } catch let e as JobReader.NotFound {
            return (HTML.page(title: "Workflow run", counters: try await counting, body: "<p id=\"not-a-run\">\(HTML.esc(e.message))</p>"), .notFound)
        }
        let name = run.job.labels["bcops.io/address"].map { $0.hasPrefix("WorkflowRun/") ? String($0.dropFirst("WorkflowRun/".count)) : $0 } ?? run.job.name
        var body = "<table class=\"details\">"
        body += "<tr><th>Run</th><td id=\"run-name\">\(HTML.esc(name))</td></tr>"
        body += "<tr><th>Workflow</th><td>\(HTML.esc(run.workflowName ?? ""))</td></tr>"
        body += "<tr><th>Status</th><td id=\"run-status\">\(HTML.esc(run.status))</td></tr>"
        body += "<tr><th>Calls done</th><td id=\"run-progress\">\(run.progress.map { "\($0.done)/\($0.calls)" } ?? "")</td></tr>"
        body += "<tr><th>Runner job</th><td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(run.job.id)))\">\(HTML.esc(run.job.id))</a> (\(HTML.esc(run.job.state.rawValue)))</td></tr>"
        body += "<tr><th>Run id</th><td>\(HTML.esc(run.runId))</td></tr>"
        body += "<tr><th>Metadata</th><td>\(HTML.esc(run.metadataURL ?? "not written yet"))</td></tr>"
        if !run.job.message.isEmpty { body += "<tr><th>Reason</th><td class=\"reason\">\(HTML.esc(run.job.message))</td></tr>" }
        body += "</table>\n<h2>Calls</h2>\n"
        let calls = run.calls
        if calls.isEmpty {
            body += "<p>No calls yet.</p>\n"
        } else {
            body += "<table id=\"calls\"><tr><th>Call</th><th>Shard</th><th>Attempt</th><th>State</th><th>Job</th><th>Cache</th><th>Start</th><th>End</th><th>Return code</th></tr>\n"
            for c in calls {
                body += "<tr class=\"call-row\" data-state=\"\(HTML.esc(c.state))\"><td>\(HTML.esc(c.name))</td><td>\(c.shard < 0 ? "-" : String(c.shard))</td>"
                body += "<td>\(c.attempt)</td><td class=\"call-state\">\(HTML.esc(c.state))</td>"
                body += c.jobId.isEmpty ? "<td></td>" : "<td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(c.jobId)))\">\(HTML.esc(c.jobId))</a></td>"
                body += "<td>\(c.cacheHit ? "hit" : "-")</td><td>\(HTML.esc(c.start))</td><td>\(HTML.esc(c.end))</td>"
                body += "<td>\(c.returnCode.map(String.init) ?? "")</td></tr>\n"
            }
            body += "</table>\n"
        }
        return (HTML.page(title: "Workflow run \(name)", counters: try await counting, body: body), .ok)
    }
}
