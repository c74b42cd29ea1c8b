/// Shared partials: a details table of key/value rows (a job's, a node's), a log block, and a
/// one-sentence paragraph (the "no such job" pages).
extension Templates {
    /// A `<table id=… data-live>` of `<tr><th>key</th><td>value</td></tr>` rows.
    struct Details {
        var tableId: String
        var rows: [DetailRow] = []

        /// Adds a row; `id` and `cls` go on its value cell.
        mutating func row(_ key: String, _ value: String, id: String? = nil, cls: String? = nil) {
            rows.append(DetailRow(key: key, value: value, hasId: id != nil, id: id ?? "", hasCls: cls != nil, cls: cls ?? ""))
        }
    }

    struct DetailRow {
        var key: String
        var value: String
        var hasId: Bool
        var id: String
        var hasCls: Bool
        var cls: String
    }

    static let details = """
        <table id="{{tableId}}" data-live>{{#rows}}<tr><th>{{key}}</th><td{{#hasId}} id="{{id}}"{{/hasId}}{{#hasCls}} class="{{cls}}"{{/hasCls}}>{{value}}</td></tr>{{/rows}}</table>
        """

    /// One log as a `pre.node-log` (its text escaped), then a newline.
    struct LogBlock {
        var id: String
        var task: String
        var index: Int
        var stream: String
        var text: String
    }

    static let logBlock = """
        <pre class="node-log" id="{{id}}" data-live data-task="{{task}}" data-instance="{{index}}" data-stream="{{stream}}">{{text}}</pre>

        """

    /// `<p>text</p>`, the text escaped.
    struct Sentence { var text: String }

    static let sentence = "<p>{{text}}</p>"

    /// The workflow run page's "not a run" sentence.
    static let notARun = "<p id=\"not-a-run\">{{text}}</p>"
}
