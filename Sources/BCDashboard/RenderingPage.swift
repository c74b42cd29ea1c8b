import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 渲染中的任务: running and waiting render jobs; markup in the `rendering` template.
extension Dashboard {

    func renderingPage() async throws -> String {
        async let counting = counters()
        let renderApps = Set(try await client.allApps().filter(Self.isRenderApp).map(\.name))
        let jobs = try await JobReader.list(client: client, states: [.running, .waiting])
            .filter { $0.kind == "render" || ($0.app.map(renderApps.contains) ?? false) }
        let rows = jobs.map { j in
            Templates.RenderingRow(
                href: "/ui/jobs/\(HTML.pathSegment(j.id))", name: j.name, project: j.app ?? "", state: j.state.rawValue,
                progress: HTML.progress(done: j.instances[.finished], total: j.instances.total), created: j.created, started: j.started)
        }
        // Live: live.js swaps `#rendering-live` for the fresh one, so progress moves without a reload.
        return HTML.page(title: "Rendering", counters: try await counting,
                         body: Templates.render("rendering", Templates.Rendering(hasRows: !rows.isEmpty, rows: rows)))
    }
}
