import BCAPI
import BCClient
import Foundation

/// The clusters: each with its groups (instance type, desired and actual counts), its image,
/// runtime and owner. SGE clusters are marked and link to the SGE page for their nodes.
extension Dashboard {

    func clustersPage() async throws -> String {
        async let counting = counters()
        let clusters = try await client.allClusters().sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        var body = clusters.isEmpty ? "<p>No clusters.</p>\n" : ""
        for c in clusters {
            body += "<section class=\"cluster\" id=\"\(HTML.esc(c.id))\" data-name=\"\(HTML.esc(c.name))\">"
            body += "<h2>\(HTML.esc(c.name)) <small>\(HTML.esc(c.id))</small></h2>\n"
            body += "<p>State <b class=\"cluster-state\">\(HTML.esc(c.state.rawValue))</b>, image <code>\(HTML.esc(c.imageId))</code>, "
            body += "runtime \(HTML.esc(c.runtime)), revision \(HTML.esc(Ownership.revision(live: c.revision, labels: c.labels))), "
            body += "\(HTML.esc(Ownership.owner(c.labels))), created \(HTML.esc(c.creationTime)).</p>\n"
            if !c.description.isEmpty { body += "<p class=\"description\">\(HTML.esc(c.description))</p>\n" }
            if c.sgeMasterGroup != nil {
                body += "<p>An SGE cluster: <a href=\"/ui/sge#\(HTML.esc(HTML.pathSegment(c.id)))\">its nodes</a>.</p>\n"
            }
            body += "<table class=\"groups\"><tr><th>Group</th><th>Instance type</th><th>Resource type</th><th>Desired</th><th>Actual</th></tr>\n"
            for (name, g) in c.groups.sorted(by: { $0.key < $1.key }) {
                body += "<tr class=\"group-row\" data-group=\"\(HTML.esc(name))\"><td>\(HTML.esc(name))</td><td>\(HTML.esc(g.instanceType))</td>"
                body += "<td>\(HTML.esc(g.resourceType))</td><td class=\"desired\">\(g.desiredVMCount)</td><td class=\"actual\">\(g.actualVMCount)</td></tr>\n"
            }
            body += "</table></section>\n"
        }
        return HTML.page(title: "Clusters", counters: try await counting, body: body)
    }
}
