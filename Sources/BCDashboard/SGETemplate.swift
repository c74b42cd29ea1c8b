/// The SGE page's body: each SGE cluster's groups, nodes and operation log (`SGEPage.swift`).
extension Templates {
    struct SGE {
        var clusters: [SGECluster]
    }

    struct SGECluster {
        var id: String
        var name: String
        var state: String
        var image: String
        var owner: String
        var groups: [SGEGroup]
        var hasNodes: Bool
        var nodes: [SGENode]
        var hasLog: Bool
        /// The operation log's lines, joined by newlines (escaped as one text).
        var log: String
    }

    struct SGEGroup {
        var name: String
        var role: String
        var instanceType: String
        var desired: Int
        var running: Int
    }

    struct SGENode {
        var state: String
        var id: String
        var group: String
        var hostName: String
        var address: String
    }

    static let sge = """
        {{^clusters}}<p>No SGE clusters.</p>
        {{/clusters}}{{#clusters}}<section class="sge-cluster" id="{{id}}" data-name="{{name}}"><h2>{{name}} <small>{{id}}</small></h2>
        <p>State <b>{{state}}</b>, image <code>{{image}}</code>, {{owner}}.</p>
        <h3>Groups</h3>
        <table class="sge-groups"><tr><th>Group</th><th>Role</th><th>Instance type</th><th>Desired</th><th>Actual (running)</th></tr>
        {{#groups}}<tr class="sge-group-row" data-group="{{name}}"><td>{{name}}</td><td>{{role}}</td><td>{{instanceType}}</td><td class="desired">{{desired}}</td><td class="actual">{{running}}</td></tr>
        {{/groups}}</table>
        <h3>Nodes</h3>
        {{^hasNodes}}<p>No nodes.</p>
        {{/hasNodes}}{{#hasNodes}}<table class="sge-nodes"><tr><th>Instance</th><th>Group</th><th>Host name</th><th>Address</th><th>State</th></tr>
        {{#nodes}}<tr class="sge-node-row" data-state="{{state}}"><td>{{id}}</td><td>{{group}}</td><td>{{hostName}}</td><td>{{address}}</td><td>{{state}}</td></tr>
        {{/nodes}}</table>
        {{/hasNodes}}<h3>Operation log</h3>
        {{^hasLog}}<p>(empty)</p>
        {{/hasLog}}{{#hasLog}}<pre class="operation-log">{{log}}</pre>
        {{/hasLog}}</section>
        {{/clusters}}
        """
}
