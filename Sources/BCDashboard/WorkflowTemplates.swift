/// The workflow pages' bodies: the list of runs and one run with its calls.
extension Templates {
    struct Workflows {
        var hasRows: Bool
        var listLimit: Int
        var scanLimit: Int
        var rows: [WorkflowRow]
    }

    struct WorkflowRow {
        var status: String
        var href: String
        var name: String
        var workflow: String
        var progress: String
        var jobHref: String
        var jobId: String
        var created: String
        var ended: String
    }

    static let workflows = """
        {{^hasRows}}<p>No workflow runs.</p>{{/hasRows}}{{#hasRows}}<p>The newest {{listLimit}} runs among the newest {{scanLimit}} jobs.</p>
        <table id="workflows"><tr><th>Run</th><th>Workflow</th><th>Status</th><th>Calls done</th><th>Runner job</th><th>Submitted</th><th>Ended</th></tr>
        {{#rows}}<tr class="workflow-row" data-status="{{status}}"><td><a href="{{href}}">{{name}}</a></td><td>{{workflow}}</td><td>{{status}}</td><td>{{progress}}</td><td><a href="{{jobHref}}">{{jobId}}</a></td><td>{{created}}</td><td>{{ended}}</td></tr>
        {{/rows}}</table>{{/hasRows}}
        """

    struct WorkflowRun {
        var name: String
        var workflow: String
        var status: String
        var progress: String
        var jobHref: String
        var jobId: String
        var jobState: String
        var runId: String
        var metadata: String
        var hasReason: Bool
        var reason: String
        var hasCalls: Bool
        var calls: [WorkflowCall]
    }

    struct WorkflowCall {
        var state: String
        var name: String
        var shard: String
        var attempt: Int
        var hasJob: Bool
        var jobHref: String
        var jobId: String
        var cache: String
        var start: String
        var end: String
        var returnCode: String
    }

    static let workflowRun = """
        <table class="details"><tr><th>Run</th><td id="run-name">{{name}}</td></tr><tr><th>Workflow</th><td>{{workflow}}</td></tr>\
        <tr><th>Status</th><td id="run-status">{{status}}</td></tr><tr><th>Calls done</th><td id="run-progress">{{progress}}</td></tr>\
        <tr><th>Runner job</th><td><a href="{{jobHref}}">{{jobId}}</a> ({{jobState}})</td></tr><tr><th>Run id</th><td>{{runId}}</td></tr>\
        <tr><th>Metadata</th><td>{{metadata}}</td></tr>{{#hasReason}}<tr><th>Reason</th><td class="reason">{{reason}}</td></tr>{{/hasReason}}</table>
        <h2>Calls</h2>
        {{^hasCalls}}<p>No calls yet.</p>
        {{/hasCalls}}{{#hasCalls}}<table id="calls"><tr><th>Call</th><th>Shard</th><th>Attempt</th><th>State</th><th>Job</th><th>Cache</th><th>Start</th><th>End</th><th>Return code</th></tr>
        {{#calls}}<tr class="call-row" data-state="{{state}}"><td>{{name}}</td><td>{{shard}}</td><td>{{attempt}}</td><td class="call-state">{{state}}</td>\
        {{^hasJob}}<td></td>{{/hasJob}}{{#hasJob}}<td><a href="{{jobHref}}">{{jobId}}</a></td>{{/hasJob}}<td>{{cache}}</td><td>{{start}}</td><td>{{end}}</td><td>{{returnCode}}</td></tr>
        {{/calls}}</table>
        {{/hasCalls}}
        """
}
