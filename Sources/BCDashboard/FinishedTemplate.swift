/// 已结束的任务's body: the filter form, the table of ended jobs, the pager (`FinishedPage.swift`).
extension Templates {
    struct Finished {
        var states: [Option]
        var perPages: [Option]
        var name: String
        var submittedFrom: String
        var submittedTo: String
        var finishedFrom: String
        var finishedTo: String
        var hasProject: Bool
        var project: String
        var rows: [FinishedRow]
        var current: Int
        var pages: Int
        var total: Int
        var hasPrev: Bool
        var prev: String
        var hasNext: Bool
        var next: String
    }

    struct Option {
        var value: String
        var selected: Bool
    }

    struct FinishedRow {
        var state: String
        var href: String
        var name: String
        var progress: String
        var submitted: String
        var finished: String
        var reason: String
    }

    static let option = """
        <option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>
        """

    static let finished = """
        <form class="filters" method="get" action="/ui/finished">
        <label>State <select name="state">{{#states}}{{>option}}{{/states}}</select></label>
        <label>Name <input name="name" value="{{name}}"></label>
        <label>Submitted from <input type="date" name="submittedFrom" value="{{submittedFrom}}"></label>
        <label>to <input type="date" name="submittedTo" value="{{submittedTo}}"></label>
        <label>Finished from <input type="date" name="finishedFrom" value="{{finishedFrom}}"></label>
        <label>to <input type="date" name="finishedTo" value="{{finishedTo}}"></label>
        <label>Per page <select name="perPage">{{#perPages}}{{>option}}{{/perPages}}</select></label>
        {{#hasProject}}<input type="hidden" name="project" value="{{project}}">{{/hasProject}}
        <button type="submit">Filter</button></form>
        <table id="finished"><tr><th>Job</th><th>State</th><th>Progress (instances)</th><th>Submitted</th><th>Finished</th><th>Reason</th></tr>
        {{#rows}}<tr class="job-row" data-state="{{state}}"><td><a href="{{href}}">{{name}}</a></td><td>{{state}}</td><td>{{progress}}</td><td>{{submitted}}</td><td>{{finished}}</td><td class="reason">{{reason}}</td></tr>
        {{/rows}}</table>
        <p class="pager">Page {{current}} of {{pages}} ({{total}} jobs) {{#hasPrev}}<a id="prev" href="{{prev}}">previous</a> {{/hasPrev}}{{#hasNext}}<a id="next" href="{{next}}">next</a>{{/hasNext}}</p>
        """
}
