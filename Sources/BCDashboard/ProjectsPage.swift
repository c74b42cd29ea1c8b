import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 项目管理: the RenderProjects (Apps made from them).
extension Dashboard {

    /// An App bcops made from a RenderProject (its address label), or one carrying the render template.
    static func isRenderApp(_ app: AppStatus) -> Bool {
        if app.labels["bcops.io/address"]?.hasPrefix("RenderProject/") == true { return true }
        if case .object(let env)? = app.description["EnvVars"], env["BCOPS_RENDER_SOFTWARE"] != nil { return true }
        return false
    }

    static func projectName(_ app: AppStatus) -> String {
        if let a = app.labels["bcops.io/address"], a.hasPrefix("RenderProject/") { return String(a.dropFirst("RenderProject/".count)) }
        return app.name
    }

    static func string(_ v: JSONValue?, _ path: [String]) -> String {
        var v = v
        for p in path {
            guard case .object(let o)? = v else { return "" }
            v = o[p]
        }
        return v?.stringValue ?? ""
    }

    func projectsPage() async throws -> String {
        async let counting = counters()
        let apps = try await client.allApps().filter(Self.isRenderApp).sorted { Self.projectName($0) < Self.projectName($1) }
        var rows = ""
        for app in apps {
            let d = JSONValue.object(app.description)
            let name = Self.projectName(app)
            rows += "<tr class=\"project-row\"><td><a href=\"/ui/finished?project=\(HTML.esc(HTML.query(app.name)))\">\(HTML.esc(name))</a></td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["VM", "ECSImageId"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["EnvVars", "BCOPS_RENDER_SOFTWARE"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["OutputParameters", "output", "Default"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["OutputParameters", "output", "LocalPath"])))</td>"
            rows += "<td>\(HTML.esc(app.creationTime))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["Description"])))</td></tr>\n"
        }
        let body = apps.isEmpty ? "<p>No RenderProjects yet.</p>" : """
            <table id="projects"><tr><th>Name</th><th>Image</th><th>Software</th><th>OSS output</th><th>Local output</th><th>Created</th><th>Description</th></tr>
            \(rows)</table>
            """
        return HTML.page(title: "Projects", counters: try await counting, body: body)
    }
}
