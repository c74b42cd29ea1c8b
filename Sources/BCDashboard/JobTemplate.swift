import Mustache

/// The job page's body (`JobPage.swift` builds the view).
extension Templates {
    struct JobBody {
        /// The `details` template's output (values escaped there).
        var details: String
        /// `actionForms`'s markup: built in Actions.swift with every value escaped.
        var actions: String
        var nodes: [JobNode]
        /// `NodeLoadView.table`'s output (the `nodeLoad` template).
        var load: String
        var inlineLogs: Bool
        var logs: [InlineLog]
        var count: Int
        /// The `thumbnails` template's output, or "" when the output is not on OSS.
        var thumbnails: String
    }

    /// One node: its tile and its row of the list view. A `MustacheParent` rather than found by
    /// reflection: a job of 1,000 nodes renders 2,000 of these per page view.
    struct JobNode: MustacheParent {
        var task: String
        var index: Int
        var state: String
        var href: String
        /// The running tile's load line (`NodeLoadView.tileLine`), if any.
        var load: String?
        var start: String
        var end: String
        var retries: Int
        var error: String

        func child(named name: String) -> Any? {
            switch name {
            case "task": task
            case "index": index
            case "state": state
            case "href": href
            case "hasLoad": load != nil
            case "load": load ?? ""
            case "start": start
            case "end": end
            case "retries": retries
            case "error": error
            default: nil
            }
        }
    }

    /// One node's log on a small job's page.
    struct InlineLog {
        var task: String
        var index: Int
        var label: String
        var block: LogBlock
    }

    static let jobBody = """
        {{{details}}}{{! safe: the details template's output }}
        {{{actions}}}{{! safe: actionForms escapes every value it puts in }}<h2>Nodes 节点视图</h2>
        <div class="tiles" id="tiles" data-live>{{#nodes}}<div class="node-tile" data-state="{{state}}" title="{{task}} #{{index}}" data-task="{{task}}" data-instance="{{index}}"><a href="{{href}}">{{task}} #{{index}}</a><br>{{state}}{{#hasLoad}}<span class="load">{{load}}</span>{{/hasLoad}}</div>{{/nodes}}</div>
        <h2>List view</h2>
        <table id="instances" data-live><tr><th>Task</th><th>Instance</th><th>Start</th><th>End</th><th>State</th><th>Retries</th><th>Error</th></tr>\
        {{#nodes}}<tr class="instance-row"><td>{{task}}</td><td><a href="{{href}}">{{index}}</a></td><td>{{start}}</td><td>{{end}}</td><td>{{state}}</td><td>{{retries}}</td><td class="reason">{{error}}</td></tr>{{/nodes}}</table>
        <h2>Node load</h2>
        {{{load}}}{{! safe: the nodeLoad template's output }}
        <h2>Logs</h2>
        {{#inlineLogs}}<div id="logs">
        {{#logs}}<h3>{{task}} #{{index}} {{label}}</h3>
        {{#block}}{{>logBlock}}{{/block}}{{/logs}}</div>
        {{/inlineLogs}}{{^inlineLogs}}<p id="logs-per-node">This job has {{count}} nodes: each node's logs (the renderer's stdout and stderr, and the worker's log) are on its own page; open its tile or its row.</p>
        {{/inlineLogs}}{{{thumbnails}}}{{! safe: the thumbnails template's output }}
        """

    /// The frames under the job's OSS output.
    struct Thumbnails {
        var output: String
        var frames: [Frame]
    }

    struct Frame {
        /// `/ui/oss/…`, each segment percent-encoded.
        var href: String
        var url: String
    }

    static let thumbnails = """
        <h2>Frames</h2>
        <p>Output: {{output}}</p>
        <div class="thumbs">{{#frames}}<a href="{{href}}"><img class="thumb" src="{{href}}" alt="{{url}}"></a>{{/frames}}</div>

        """
}
