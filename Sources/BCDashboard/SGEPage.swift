import BCAPI
import BCClient
import Foundation

/// SGE clusters, as `bcctl sge status` shows each: the groups (master or worker, instance type,
/// desired count and the nodes actually running), every node (instance, group, host name,
/// address, state) and the operation log. Read as the command reads them: `GET /clusters` and
/// each group's instances. Markup in the `sge` template (`SGETemplate.swift`).
extension Dashboard {

    func sgePage() async throws -> String {
        async let counting = counters()
        let clusters = try await client.allClusters().filter { $0.sgeMasterGroup != nil }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        var views: [Templates.SGECluster] = []
        for listed in clusters {
            let c = try await client.cluster(listed.id)  // the list may leave out the operation log
            var nodes: [(group: String, vm: ClusterVM)] = []
            for g in c.groups.keys.sorted() {
                for vm in try await client.clusterVMs(of: c.id, group: g) { nodes.append((g, vm)) }
            }
            views.append(Templates.SGECluster(
                id: c.id, name: c.name, state: c.state.rawValue, image: c.imageId, owner: Ownership.owner(c.labels),
                groups: c.groups.sorted(by: { $0.key < $1.key }).map { name, g in
                    Templates.SGEGroup(name: name, role: name == c.sgeMasterGroup ? "master" : "worker", instanceType: g.instanceType,
                                       desired: g.desiredVMCount, running: nodes.filter { $0.group == name && $0.vm.state == .running }.count)
                },
                hasNodes: !nodes.isEmpty,
                nodes: nodes.map { g, vm in
                    Templates.SGENode(state: vm.state.rawValue, id: vm.id, group: g, hostName: vm.hostName, address: vm.ipAddress)
                },
                hasLog: !c.operationLogs.isEmpty, log: c.operationLogs.joined(separator: "\n")))
        }
        return HTML.page(title: "SGE clusters", counters: try await counting, body: Templates.render("sge", Templates.SGE(clusters: views)))
    }
}
