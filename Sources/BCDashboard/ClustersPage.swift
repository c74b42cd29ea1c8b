import BCAPI
import BCClient
import Foundation

/// The clusters: each with its groups (instance type, desired and actual counts), its image,
/// runtime and owner. SGE clusters are marked and link to the SGE page for their nodes. Markup
/// in the `clusters` template.
extension Dashboard {

    func clustersPage() async throws -> String {
        async let counting = counters()
        let clusters = try await client.allClusters().sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let views = clusters.map { c in
            Templates.Cluster(
                id: c.id, name: c.name, state: c.state.rawValue, image: c.imageId, runtime: c.runtime,
                revision: Ownership.revision(live: c.revision, labels: c.labels), owner: Ownership.owner(c.labels),
                created: c.creationTime, hasDescription: !c.description.isEmpty, description: c.description,
                sge: c.sgeMasterGroup != nil, sgeHref: "/ui/sge#\(HTML.pathSegment(c.id))",
                groups: c.groups.sorted(by: { $0.key < $1.key }).map { name, g in
                    Templates.ClusterGroup(name: name, instanceType: g.instanceType, resourceType: g.resourceType,
                                           desired: g.desiredVMCount, actual: g.actualVMCount)
                })
        }
        return HTML.page(title: "Clusters", counters: try await counting, body: Templates.render("clusters", Templates.Clusters(clusters: views)))
    }
}
