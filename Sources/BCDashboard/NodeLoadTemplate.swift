/// The node-load section (`NodeLoadView.table`) and its sparklines.
extension Templates {
    /// What `nodeLoad` renders: exactly one of `unreadable`, `notSampled`, `idle`, `table` holds.
    struct NodeLoad {
        var unreadable = false
        var notSampled = false
        var note = ""
        var idle = false
        var table = false
        var every = ""
        var samples = 0
        var rows: [NodeLoadRow] = []
    }

    struct NodeLoadRow {
        var task: String
        var instance: Int
        /// Whether the instance links to the node's page (not on the node's own page).
        var link: Bool
        var href: String
        var pid: Int
        var processes: Int
        var cpu: String
        var cpuText: String
        var cpuSpark: Sparkline
        var rss: String
        var rssText: String
        var rssSpark: Sparkline
    }

    /// An inline SVG polyline; `points` are numbers the server formatted.
    struct Sparkline {
        var kind: String
        var width: Int
        var height: Int
        var label: String
        var points: String
    }

    static let sparkline = """
        <svg class="spark {{kind}}" width="{{width}}" height="{{height}}" viewBox="0 0 {{width}} {{height}}" role="img" aria-label="{{label}}"><polyline points="{{points}}"/></svg>
        """

    static let nodeLoad = """
        <div id="load" data-live>\
        {{#unreadable}}<p>The engine's node load could not be read.</p>{{/unreadable}}\
        {{#notSampled}}<p class="not-sampled">{{note}}</p>{{/notSampled}}\
        {{#idle}}<p>No node of this job is running (sampled every {{every}} s).</p>{{/idle}}\
        {{#table}}<p>Sampled every {{every}} s from each node's process tree; the last {{samples}} samples.</p>\
        <table id="load-table"><tr><th>Task</th><th>Instance</th><th>PID</th><th>Processes</th><th>CPU</th><th>CPU history</th><th>Memory</th><th>Memory history</th></tr>\
        {{#rows}}<tr class="load-row" data-task="{{task}}" data-instance="{{instance}}"><td>{{task}}</td>\
        <td>{{#link}}<a href="{{href}}">{{instance}}</a>{{/link}}{{^link}}{{instance}}{{/link}}</td><td>{{pid}}</td><td>{{processes}}</td>\
        <td class="cpu" data-cpu="{{cpu}}">{{cpuText}}</td><td>{{#cpuSpark}}{{>sparkline}}{{/cpuSpark}}</td>\
        <td class="rss" data-rss="{{rss}}">{{rssText}}</td><td>{{#rssSpark}}{{>sparkline}}{{/rssSpark}}</td></tr>{{/rows}}\
        </table>{{/table}}\
        </div>
        """
}
