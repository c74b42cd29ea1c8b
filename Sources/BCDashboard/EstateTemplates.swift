/// The list pages' bodies: Projects, Rendering, Apps, Clusters (each page's file builds its view).
extension Templates {
    /// 项目管理: one row per RenderProject's App.
    struct Projects {
        var hasRows: Bool
        var rows: [ProjectRow]
    }

    struct ProjectRow {
        var href: String
        var name: String
        var image: String
        var software: String
        var output: String
        var localOutput: String
        var created: String
        var description: String
    }

    static let projects = """
        {{^hasRows}}<p>No RenderProjects yet.</p>{{/hasRows}}{{#hasRows}}<table id="projects"><tr><th>Name</th><th>Image</th><th>Software</th><th>OSS output</th><th>Local output</th><th>Created</th><th>Description</th></tr>
        {{#rows}}<tr class="project-row"><td><a href="{{href}}">{{name}}</a></td><td>{{image}}</td><td>{{software}}</td><td>{{output}}</td><td>{{localOutput}}</td><td>{{created}}</td><td>{{description}}</td></tr>
        {{/rows}}</table>{{/hasRows}}
        """

    /// 渲染中的任务: running and waiting render jobs, one live part.
    struct Rendering {
        var hasRows: Bool
        var rows: [RenderingRow]
    }

    struct RenderingRow {
        var href: String
        var name: String
        var project: String
        var state: String
        var progress: String
        var created: String
        var started: String
    }

    static let rendering = """
        <div id="rendering-live" data-live>{{^hasRows}}<p>No render job is running or waiting.</p>{{/hasRows}}{{#hasRows}}<table id="rendering"><tr><th>Job</th><th>Project</th><th>State</th><th>Progress (instances)</th><th>Submitted</th><th>Started</th></tr>
        {{#rows}}<tr class="job-row"><td><a href="{{href}}">{{name}}</a></td><td>{{project}}</td><td>{{state}}</td><td class="progress">{{progress}}</td><td>{{created}}</td><td>{{started}}</td></tr>
        {{/rows}}</table>{{/hasRows}}</div>
        """

    /// The Apps.
    struct Apps {
        var hasRows: Bool
        var rows: [AppRow]
    }

    struct AppRow {
        var name: String
        var image: String
        var revision: String
        var owner: String
        var created: String
        var description: String
    }

    static let apps = """
        {{^hasRows}}<p>No Apps.</p>{{/hasRows}}{{#hasRows}}<table id="apps"><tr><th>Name</th><th>Image</th><th>Revision</th><th>Owner</th><th>Created</th><th>Description</th></tr>
        {{#rows}}<tr class="app-row" data-app="{{name}}"><td>{{name}}</td><td class="image">{{image}}</td><td class="revision">{{revision}}</td><td>{{owner}}</td><td>{{created}}</td><td>{{description}}</td></tr>
        {{/rows}}</table>{{/hasRows}}
        """

    /// The clusters, each with its groups.
    struct Clusters {
        var clusters: [Cluster]
    }

    struct Cluster {
        var id: String
        var name: String
        var state: String
        var image: String
        var runtime: String
        var revision: String
        var owner: String
        var created: String
        var hasDescription: Bool
        var description: String
        var sge: Bool
        var sgeHref: String
        var groups: [ClusterGroup]
    }

    struct ClusterGroup {
        var name: String
        var instanceType: String
        var resourceType: String
        var desired: Int
        var actual: Int
    }

    static let clusters = """
        {{^clusters}}<p>No clusters.</p>
        {{/clusters}}{{#clusters}}<section class="cluster" id="{{id}}" data-name="{{name}}"><h2>{{name}} <small>{{id}}</small></h2>
        <p>State <b class="cluster-state">{{state}}</b>, image <code>{{image}}</code>, runtime {{runtime}}, revision {{revision}}, {{owner}}, created {{created}}.</p>
        {{#hasDescription}}<p class="description">{{description}}</p>
        {{/hasDescription}}{{#sge}}<p>An SGE cluster: <a href="{{sgeHref}}">its nodes</a>.</p>
        {{/sge}}<table class="groups"><tr><th>Group</th><th>Instance type</th><th>Resource type</th><th>Desired</th><th>Actual</th></tr>
        {{#groups}}<tr class="group-row" data-group="{{name}}"><td>{{name}}</td><td>{{instanceType}}</td><td>{{resourceType}}</td><td class="desired">{{desired}}</td><td class="actual">{{actual}}</td></tr>
        {{/groups}}</table></section>
        {{/clusters}}
        """
}
