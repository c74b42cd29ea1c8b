import BCAPI
import BCClient
import BCRenderClient
import Foundation

/// WorkflowRuns: the jobs of the engine's public App `cromwell` (a WorkflowRun's runner, or a
/// `bcs asub cromwell`), newest first, each with its runner's status and calls done, as
/// `bcctl workflow status` reads them from the run's metadata on OSS. Markup in the `workflows`
/// template (`WorkflowTemplates.swift`).
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
        let rows = runs.map { job in
            let run = read[job.id]
            return Templates.WorkflowRow(
                status: run?.status ?? job.state.rawValue, href: "/ui/workflows/\(HTML.pathSegment(job.id))",
                name: job.address.map { $0.hasPrefix("WorkflowRun/") ? String($0.dropFirst("WorkflowRun/".count)) : $0 } ?? job.name,
                workflow: run?.workflowName ?? "", progress: run?.progress.map { "\($0.done)/\($0.calls)" } ?? "",
                jobHref: "/ui/jobs/\(HTML.pathSegment(job.id))", jobId: job.id, created: job.created, ended: job.ended)
        }
        let view = Templates.Workflows(hasRows: !rows.isEmpty, listLimit: Self.workflowListLimit, scanLimit: Self.workflowScanLimit, rows: rows)
        return HTML.page(title: "Workflow runs", counters: try await counting, body: Templates.render("workflows", view))
    }
}
