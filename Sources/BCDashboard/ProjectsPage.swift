import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 项目管理: the RenderProjects (Apps made from them); markup in the `projects` template.
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
        let rows = apps.map { app in
            let d = JSONValue.object(app.description)
            return Templates.ProjectRow(
                href: "/ui/finished?project=\(HTML.query(app.name))", name: Self.projectName(app),
                image: Self.string(d, ["VM", "ECSImageId"]), software: Self.string(d, ["EnvVars", "BCOPS_RENDER_SOFTWARE"]),
                output: Self.string(d, ["OutputParameters", "output", "Default"]),
                localOutput: Self.string(d, ["OutputParameters", "output", "LocalPath"]),
                created: app.creationTime, description: Self.string(d, ["Description"]))
        }
        return HTML.page(title: "Projects", counters: try await counting,
                         body: Templates.render("projects", Templates.Projects(hasRows: !rows.isEmpty, rows: rows)))
    }
}
