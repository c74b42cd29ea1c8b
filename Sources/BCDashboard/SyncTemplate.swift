/// The Sync page's body (`SyncPage.swift` builds the view from the controller's status).
extension Templates {
    struct Sync {
        var workspace: String
        var suspended: Bool
        var repository: String
        var branch: String
        var path: String
        var applied: Revision
        var fetched: Revision
        var lastFetch: String
        var nextAttempt: String
        var hasProgress: Bool
        var progress: String
        /// The `reconcileForm` template's output, or "".
        var reconcile: String
        var conditions: [Condition]
        var hasReview: Bool
        var reviewMessage: String
        var hasDrift: Bool
        var drift: [String]
        var pruneSkipped: Bool
        /// "1 object", "3 objects".
        var pruneCount: String
        var hasRenders: Bool
        var renders: [SyncRender]
        var hasWorkflows: Bool
        var workflows: [SyncWorkflow]
        var hasHistory: Bool
        var history: [SyncHistory]
    }

    /// A commit: its first 12 characters with the whole id as the title, or "none".
    struct Revision {
        var key: String
        var known: Bool
        var full: String
        var short: String
    }

    struct Condition {
        var type: String
        var status: String
        var reason: String
        var message: String
        var since: String
    }

    struct SyncRender {
        var hasLink: Bool
        var href: String
        var name: String
        var state: String
        var frames: String
        var downloadedTo: String
    }

    struct SyncWorkflow {
        var hasLink: Bool
        var href: String
        var name: String
        var status: String
        var calls: String
    }

    struct SyncHistory {
        var result: String
        var started: String
        var revision: String
        var duration: String
        var trigger: String
        var actions: String
    }

    static let revision = """
        {{#known}}<code id="{{key}}" title="{{full}}">{{short}}</code>{{/known}}{{^known}}<span id="{{key}}">none</span>{{/known}}
        """

    static let sync = """
        <table class="details"><tr><th>Workspace</th><td id="sync-workspace">{{workspace}}{{#suspended}} <b id="suspended">[suspended]</b>{{/suspended}}</td></tr>\
        <tr><th>Repository</th><td id="sync-repository">{{repository}} branch {{branch}} path {{path}}</td></tr>\
        <tr><th>Revision applied</th><td>{{#applied}}{{>revision}}{{/applied}}</td></tr>\
        <tr><th>Revision fetched</th><td>{{#fetched}}{{>revision}}{{/fetched}}</td></tr>\
        <tr><th>Last fetch</th><td>{{lastFetch}}</td></tr><tr><th>Next attempt</th><td>{{nextAttempt}}</td></tr>\
        {{#hasProgress}}<tr><th>In progress</th><td id="sync-progress">{{progress}}</td></tr>{{/hasProgress}}</table>
        {{{reconcile}}}{{! safe: the reconcileForm template's output }}<h2>Conditions</h2>
        <table id="conditions"><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr>
        {{#conditions}}<tr class="condition-row" data-type="{{type}}" data-status="{{status}}"><td>{{type}}</td><td>{{status}}</td><td class="reason-code">{{reason}}</td><td class="condition-message">{{message}}</td><td>{{since}}</td></tr>
        {{/conditions}}</table>
        {{#hasReview}}<h2>Plan waiting for review</h2>
        <div id="plan-review"><p>Revision {{#fetched}}{{>revision}}{{/fetched}} is applied only once its plan is approved (<code>bcctl plan-approve</code> on the revision, from CI or by a reviewer).</p>
        <pre class="plan">{{reviewMessage}}</pre></div>
        {{/hasReview}}<h2>Drift</h2>
        {{^hasDrift}}<p id="drift-none">No drift.</p>
        {{/hasDrift}}{{#hasDrift}}<ul id="drift">{{#drift}}<li>{{.}}</li>{{/drift}}</ul>
        <p>Corrected only with <code>--self-heal</code> (or by the next commit).</p>
        {{/hasDrift}}{{#pruneSkipped}}<p id="prune-skipped">Not pruned (--prune is off): {{pruneCount}} no longer in the manifests.</p>
        {{/pruneSkipped}}{{#hasRenders}}<h2>Render jobs</h2>
        <table id="sync-renders"><tr><th>Name</th><th>State</th><th>Frames</th><th>Downloaded to</th></tr>
        {{#renders}}<tr><td>{{#hasLink}}<a href="{{href}}">{{name}}</a>{{/hasLink}}{{^hasLink}}{{name}}{{/hasLink}}</td><td>{{state}}</td><td>{{frames}}</td><td>{{downloadedTo}}</td></tr>
        {{/renders}}</table>
        {{/hasRenders}}{{#hasWorkflows}}<h2>Workflow runs</h2>
        <table id="sync-workflows"><tr><th>Name</th><th>Status</th><th>Calls done</th></tr>
        {{#workflows}}<tr><td>{{#hasLink}}<a href="{{href}}">{{name}}</a>{{/hasLink}}{{^hasLink}}{{name}}{{/hasLink}}</td><td>{{status}}</td><td>{{calls}}</td></tr>
        {{/workflows}}</table>
        {{/hasWorkflows}}<h2>Recent reconciliations</h2>
        {{^hasHistory}}<p>None yet.</p>
        {{/hasHistory}}{{#hasHistory}}<table id="history"><tr><th>Started</th><th>Revision</th><th>Result</th><th>Duration</th><th>Trigger</th><th>Actions</th></tr>
        {{#history}}<tr class="history-row" data-result="{{result}}"><td>{{started}}</td><td><code>{{revision}}</code></td><td>{{result}}</td><td>{{duration}} s</td><td>{{trigger}}</td><td>{{actions}}</td></tr>
        {{/history}}</table>
        {{/hasHistory}}
        """

    /// The "reconcile now" button, or a link to the login page.
    struct ReconcileForm {
        var loggedIn: Bool
        var csrf: String
    }

    static let reconcileForm = """
        {{^loggedIn}}<p class="actions"><a id="login-link" href="/ui/login">Log in</a> to ask for a reconciliation.</p>
        {{/loggedIn}}{{#loggedIn}}<form class="actions" method="post" action="/ui/sync/reconcile"><input type="hidden" name="csrf" value="{{csrf}}"><button id="reconcile" type="submit">Reconcile now</button></form>
        {{/loggedIn}}
        """
}
