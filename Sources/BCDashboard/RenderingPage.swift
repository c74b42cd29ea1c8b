import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 渲染中的任务: running and waiting render jobs.
extension Dashboard {

    func renderingPage() async throws -> String {
        async let counting = counters()
        let renderApps = Set(try await client.allApps().filter(Self.isRenderApp).map(\.name))
        let jobs = try await JobReader.list(client: client, states: [.running, .waiting])
            .filter { $0.kind == "render" || ($0.app.map(renderApps.contains) ?? false) }
        var rows = ""
        for j in jobs {
            rows += "<tr class=\"job-row\"><td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(j.id)))\">\(HTML.esc(j.name))</a></td>"
            rows += "<td>\(HTML.esc(j.app ?? ""))</td><td>\(j.state.rawValue)</td>"
            rows += "<td class=\"progress\">\(HTML.progress(done: j.instances[.finished], total: j.instances.total))</td>"
            rows += "<td>\(HTML.esc(j.created))</td><td>\(HTML.esc(j.started))</td></tr>\n"
        }
        let body = jobs.isEmpty ? "<p>No render job is running or waiting.</p>" : """
            <table id="rendering"><tr><th>Job</th><th>Project</th><th>State</th><th>Progress (instances)</th><th>Submitted</th><th>Started</th></tr>
            \(rows)</table>
            """
        // Live: live.js swaps it for the fresh one, so progress moves without a reload.
        return HTML.page(title: "Rendering", counters: try await counting, body: "<div id=\"rendering-live\" data-live>\(body)</div>")
    }
}
