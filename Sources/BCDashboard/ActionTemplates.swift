/// The login page, the job page's action forms, and the answers of a refused or failed action
/// (`Actions.swift` builds their views).
extension Templates {
    struct Login {
        var loggedIn: Bool
        var csrf: String
        var failed: Bool
        /// Whether the credential is the controller's API token (else the engine's access key).
        var apiToken: Bool
    }

    static let login = """
        {{#loggedIn}}<p id="logged-in">You are logged in.</p>
        <form method="post" action="/ui/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button id="logout" type="submit">Log out</button></form>{{/loggedIn}}\
        {{^loggedIn}}{{#failed}}<p id="login-failed">{{#apiToken}}Wrong API token.{{/apiToken}}{{^apiToken}}Wrong access key id or secret.{{/apiToken}}</p>{{/failed}}\
        {{#apiToken}}<p>Stopping a job, retrying its failed nodes or asking for a reconciliation needs the controller's API token.</p>
        <form method="post" action="/ui/login">
        <input type="hidden" name="accessKeyId" value="">
        <label>API token <input type="password" name="accessKeySecret" autocomplete="current-password"></label>
        <button id="login" type="submit">Log in</button></form>{{/apiToken}}\
        {{^apiToken}}<p>Stopping a job or retrying its failed nodes needs the engine's access key.</p>
        <form method="post" action="/ui/login">
        <label>Access key id <input name="accessKeyId" autocomplete="username"></label>
        <label>Secret <input type="password" name="accessKeySecret" autocomplete="current-password"></label>
        <button id="login" type="submit">Log in</button></form>{{/apiToken}}{{/loggedIn}}
        """

    struct ActionForms {
        var loggedIn: Bool
        /// The job's id as a path segment.
        var path: String
        var csrf: String
        var canStop: Bool
        var canRetry: Bool
    }

    static let actionForms = """
        {{^loggedIn}}<p class="actions"><a id="login-link" href="/ui/login">Log in</a> to stop this job or retry its failed nodes.</p>
        {{/loggedIn}}{{#loggedIn}}<div class="actions">\
        {{#canStop}}<form method="post" action="/ui/jobs/{{path}}/stop"><input type="hidden" name="csrf" value="{{csrf}}"><button id="stop" type="submit">Stop job</button></form>{{/canStop}}\
        {{#canRetry}}<form method="post" action="/ui/jobs/{{path}}/retry"><input type="hidden" name="csrf" value="{{csrf}}"><button id="retry" type="submit">Retry failed nodes</button></form>{{/canRetry}}</div>
        {{/loggedIn}}
        """

    /// A refused form (`p#refused`).
    static let refused = "<p id=\"refused\">{{text}}</p>"

    /// What the engine answered an action it did not do, and the way back.
    struct ActionError {
        var message: String
        var jobHref: String
    }

    static let actionError = """
        <p id="action-error">The engine answered: {{message}}</p><p><a href="{{jobHref}}">back to the job</a></p>
        """
}
