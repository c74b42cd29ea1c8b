/// A node's page body (`NodePage.swift` builds the view).
extension Templates {
    struct NodeBody {
        var jobHref: String
        var jobName: String
        /// The `details` template's output (values escaped there).
        var details: String
        /// `NodeLoadView.table`'s output (the `nodeLoad` template).
        var load: String
        var logs: [NodeLog]
    }

    struct NodeLog {
        var label: String
        var block: LogBlock
    }

    static let nodeBody = """
        <p><a id="job-link" href="{{jobHref}}">← job {{jobName}}</a></p>
        {{{details}}}{{! safe: the details template's output }}
        <h2>Load</h2>
        {{{load}}}{{! safe: the nodeLoad template's output }}
        <h2>Logs</h2>
        {{#logs}}<h3>{{label}}</h3>
        {{#block}}{{>logBlock}}{{/block}}{{/logs}}
        """
}
