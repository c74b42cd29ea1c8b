import BCAPI
import BCClient
import BCRenderClient
import Foundation

/// WorkflowRuns: the jobs of the engine's public App `cromwell` (a WorkflowRun's runner, or a
/// `bcs asub cromwell`), newest first, each with its runner's status and calls done, as
/// `bcctl workflow status` reads them from the run's metadata on OSS.
extension Dashboard {
    /// The newest runs the list reads the metadata of (one OSS listing and read each).
    static let workflowListLimit = 50
    /// How many of the newest jobs are looked at: telling a run from another job takes each
    /// job's description (one call each), so an engine with thousands of jobs is not read whole.
    static let workflowScanLimit = 500

    func workflowsPage() async throws -> String {
        async let counting = counters()
        let runs = try await JobReader.list(client: client, limit: Self.workflowScanLimit)
            .filter { $0.kind == "workflow" || $0.app == CromwellApp.name }
            .prefix(Self.workflowListLimit)
        // Each run's metadata, 8 at a time; one that cannot be read yet leaves its job's state.
        var read: [String: WorkflowRunReader.Run] = [:]
        let ids = runs.map(\.id)
        for start in stride(from: 0, to: ids.count, by: 8) {
            await withTaskGroup(of: (String, WorkflowRunReader.Run?).self) { group in
                for id in ids[start..<min(start + 8, ids.count)] {
                    group.addTask { [client] in (id, try? await WorkflowRunReader.read(id, client: client)) }
                }
                for await (id, run) in group { read[id] = run }
            }
        }
        var rows = ""
        for job in runs {
            let run = read[job.id]
            let name = job.address.map { $0.hasPrefix("WorkflowRun/") ? String($0.dropFirst("WorkflowRun/".count)) : $0 } ?? job.name
            let status = run?.status ?? job.state.rawValue
            rows += "<tr class=\"workflow-row\" data-status=\"\(HTML.esc(status))\"><td><a href=\"/ui/workflows/\(HTML.esc(HTML.pathSegment(job.id)))\">\(HTML.esc(name))</a></td>"
            rows += "<td>\(HTML.esc(run?.workflowName ?? ""))</td><td>\(HTML.esc(status))</td>"
            rows += "<td>\(run?.progress.map { "\($0.done)/\($0.calls)" } ?? "")</td>"
            rows += "<td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(job.id)))\">\(HTML.esc(job.id))</a></td>"
            rows += "<td>\(HTML.esc(job.created))</td><td>\(HTML.esc(job.ended))</td></tr>\n"
        }
        let scope = "<p>The newest \(Self.workflowListLimit) runs among the newest \(Self.workflowScanLimit) jobs.</p>\n"
        let body = runs.isEmpty ? "<p>No workflow runs.</p>" : scope + """
            <table id="workflows"><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Calls done</th><th>Runner job</th><th>Submitted</th><th>Ended</th></tr>
            \(rows)</table>
            """
        return HTML.page(title: "Workflow runs", counters: try await counting, body: body)
    }
}
