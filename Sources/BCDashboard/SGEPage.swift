import BCAPI
import BCClient
import Foundation

/// SGE clusters, as `bcctl sge status` shows each: the groups (master or worker, instance type,
/// desired count and the nodes actually running), every node (instance, group, host name,
/// address, state) and the operation log. Read as the command reads them: `GET /clusters` and
/// each group's instances.
extension Dashboard {

    func sgePage() async throws -> String {
        async let counting = counters()
        let clusters = try await client.allClusters().filter { $0.sgeMasterGroup != nil }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        var body = clusters.isEmpty ? "<p>No SGE clusters.</p>\n" : ""
        for listed in clusters {
            let c = try await client.cluster(listed.id)  // the list may leave out the operation log
            var nodes: [(group: String, vm: ClusterVM)] = []
            for g in c.groups.keys.sorted() {
                for vm in try await client.clusterVMs(of: c.id, group: g) { nodes.append((g, vm)) }
            }
            body += "<section class=\"sge-cluster\" id=\"\(HTML.esc(c.id))\" data-name=\"\(HTML.esc(c.name))\">"
            body += "<h2>\(HTML.esc(c.name)) <small>\(HTML.esc(c.id))</small></h2>\n"
            body += "<p>State <b>\(HTML.esc(c.state.rawValue))</b>, image <code>\(HTML.esc(c.imageId))</code>, \(HTML.esc(Ownership.owner(c.labels))).</p>\n"
            body += "<h3>Groups</h3>\n<table class=\"sge-groups\"><tr><th>Group</th><th>Role</th><th>Instance type</th><th>Desired</th><th>Actual (running)</th></tr>\n"
            for (name, g) in c.groups.sorted(by: { $0.key < $1.key }) {
                let running = nodes.filter { $0.group == name && $0.vm.state == .running }.count
                body += "<tr class=\"sge-group-row\" data-group=\"\(HTML.esc(name))\"><td>\(HTML.esc(name))</td>"
                body += "<td>\(name == c.sgeMasterGroup ? "master" : "worker")</td><td>\(HTML.esc(g.instanceType))</td>"
                body += "<td class=\"desired\">\(g.desiredVMCount)</td><td class=\"actual\">\(running)</td></tr>\n"
            }
            body += "</table>\n"
            body += "<h3>Nodes</h3>\n"
            if nodes.isEmpty {
                body += "<p>No nodes.</p>\n"
            } else {
                body += "<table class=\"sge-nodes\"><tr><th>Instance</th><th>Group</th><th>Host name</th><th>Address</th><th>State</th></tr>\n"
                for (g, vm) in nodes {
                    body += "<tr class=\"sge-node-row\" data-state=\"\(HTML.esc(vm.state.rawValue))\"><td>\(HTML.esc(vm.id))</td><td>\(HTML.esc(g))</td>"
                    body += "<td>\(HTML.esc(vm.hostName))</td><td>\(HTML.esc(vm.ipAddress))</td><td>\(HTML.esc(vm.state.rawValue))</td></tr>\n"
                }
                body += "</table>\n"
            }
            body += "<h3>Operation log</h3>\n"
            body += c.operationLogs.isEmpty ? "<p>(empty)</p>\n"
                : "<pre class=\"operation-log\">\(c.operationLogs.map(HTML.esc).joined(separator: "\n"))</pre>\n"
            body += "</section>\n"
        }
        return HTML.page(title: "SGE clusters", counters: try await counting, body: body)
    }
}
