import BCAPI
import Foundation
import Hummingbird

/// Sync: what `bcctl status` shows, when a controller serves the dashboard. It reads the same
/// document (`DashboardSync.status`, the controller's `/api/status`): what is tracked, the commit
/// applied and the one fetched, the conditions, drift, a plan waiting for review, the runs of the
/// applied revision and the last reconciliations. A logged-in user can ask for a reconciliation.
extension Dashboard {

    func syncPage(session s: String?) async throws -> String {
        guard let sync else { throw HTTPError(.notFound) }
        async let counting = counters()
        let o = await sync.status()
        func text(_ k: String) -> String { o[k]?.stringValue ?? "" }
        func revision(_ k: String) -> String {
            guard let r = o[k]?.stringValue else { return "<span id=\"\(k)\">none</span>" }
            return "<code id=\"\(k)\" title=\"\(HTML.esc(r))\">\(HTML.esc(String(r.prefix(12))))</code>"
        }
        var body = "<table class=\"details\">"
        body += "<tr><th>Workspace</th><td id=\"sync-workspace\">\(HTML.esc(text("workspace")))\(o["suspended"]?.boolValue == true ? " <b id=\"suspended\">[suspended]</b>" : "")</td></tr>"
        body += "<tr><th>Repository</th><td id=\"sync-repository\">\(HTML.esc(text("repository"))) branch \(HTML.esc(text("branch"))) path \(HTML.esc(text("path").isEmpty ? "." : text("path")))</td></tr>"
        body += "<tr><th>Revision applied</th><td>\(revision("appliedRevision"))</td></tr>"
        body += "<tr><th>Revision fetched</th><td>\(revision("fetchedRevision"))</td></tr>"
        body += "<tr><th>Last fetch</th><td>\(HTML.esc(text("lastFetch")))</td></tr>"
        body += "<tr><th>Next attempt</th><td>\(HTML.esc(text("nextAttempt")))</td></tr>"
        if let p = o["progress"]?.stringValue { body += "<tr><th>In progress</th><td id=\"sync-progress\">\(HTML.esc(p))</td></tr>" }
        body += "</table>\n"
        body += reconcileForm(session: s)

        let conditions = o["conditions"]?.arrayValue ?? []
        body += "<h2>Conditions</h2>\n<table id=\"conditions\"><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Since</th></tr>\n"
        for c in conditions {
            let type = c["type"]?.stringValue ?? ""
            body += "<tr class=\"condition-row\" data-type=\"\(HTML.esc(type))\" data-status=\"\(HTML.esc(c["status"]?.stringValue ?? ""))\">"
            body += "<td>\(HTML.esc(type))</td><td>\(HTML.esc(c["status"]?.stringValue ?? ""))</td><td class=\"reason-code\">\(HTML.esc(c["reason"]?.stringValue ?? ""))</td>"
            body += "<td class=\"condition-message\">\(HTML.esc(c["message"]?.stringValue ?? ""))</td><td>\(HTML.esc(c["lastTransitionTime"]?.stringValue ?? ""))</td></tr>\n"
        }
        body += "</table>\n"

        // A plan waiting for review: --require-reviewed-plan stalled on an unapproved revision.
        if let waiting = conditions.first(where: { $0["type"]?.stringValue == "Stalled" && $0["reason"]?.stringValue == "PlanNotReviewed" }) {
            body += "<h2>Plan waiting for review</h2>\n<div id=\"plan-review\"><p>Revision \(revision("fetchedRevision")) is applied only once its plan is approved "
            body += "(<code>bcctl plan-approve</code> on the revision, from CI or by a reviewer).</p>\n"
            body += "<pre class=\"plan\">\(HTML.esc(waiting["message"]?.stringValue ?? ""))</pre></div>\n"
        }

        let drift = (o["drift"]?.arrayValue ?? []).compactMap(\.stringValue)
        body += "<h2>Drift</h2>\n"
        body += drift.isEmpty ? "<p id=\"drift-none\">No drift.</p>\n"
            : "<ul id=\"drift\">" + drift.map { "<li>\(HTML.esc($0))</li>" }.joined() + "</ul>\n<p>Corrected only with <code>--self-heal</code> (or by the next commit).</p>\n"
        if let n = o["pruneSkipped"]?.intValue, n > 0 {
            body += "<p id=\"prune-skipped\">Not pruned (--prune is off): \(n) object\(n == 1 ? "" : "s") no longer in the manifests.</p>\n"
        }

        let renders = o["renders"]?.arrayValue ?? []
        if !renders.isEmpty {
            body += "<h2>Render jobs</h2>\n<table id=\"sync-renders\"><tr><th>Name</th><th>State</th><th>Frames</th><th>Downloaded to</th></tr>\n"
            for r in renders {
                let name = HTML.esc(r["name"]?.stringValue ?? "")
                let link = r["id"]?.stringValue.map { "<a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment($0)))\">\(name)</a>" } ?? name
                body += "<tr><td>\(link)</td><td>\(HTML.esc(r["state"]?.stringValue ?? ""))</td>"
                body += "<td>\(r["framesDone"]?.intValue ?? 0)/\(r["framesTotal"]?.intValue ?? 0)</td><td>\(HTML.esc(r["downloadedTo"]?.stringValue ?? ""))</td></tr>\n"
            }
            body += "</table>\n"
        }
        let workflows = o["workflows"]?.arrayValue ?? []
        if !workflows.isEmpty {
            body += "<h2>Workflow runs</h2>\n<table id=\"sync-workflows\"><tr><th>Name</th><th>Status</th><th>Calls done</th></tr>\n"
            for w in workflows {
                let name = HTML.esc(w["name"]?.stringValue ?? "")
                let link = w["id"]?.stringValue.map { "<a href=\"/ui/workflows/\(HTML.esc(HTML.pathSegment($0)))\">\(name)</a>" } ?? name
                let calls = w["callsDone"]?.intValue.map { "\($0)/\(w["callsKnown"]?.intValue ?? 0)" } ?? ""
                body += "<tr><td>\(link)</td><td>\(HTML.esc(w["status"]?.stringValue ?? ""))</td><td>\(calls)</td></tr>\n"
            }
            body += "</table>\n"
        }

        let history = o["history"]?.arrayValue ?? []
        body += "<h2>Recent reconciliations</h2>\n"
        if history.isEmpty {
            body += "<p>None yet.</p>\n"
        } else {
            body += "<table id=\"history\"><tr><th>Started</th><th>Revision</th><th>Result</th><th>Duration</th><th>Trigger</th><th>Actions</th></tr>\n"
            for r in history {
                let result = r["result"]?.stringValue ?? ""
                body += "<tr class=\"history-row\" data-result=\"\(HTML.esc(result))\"><td>\(HTML.esc(r["started"]?.stringValue ?? ""))</td>"
                body += "<td><code>\(HTML.esc(String((r["revision"]?.stringValue ?? "").prefix(12))))</code></td><td>\(HTML.esc(result))</td>"
                body += "<td>\(String(format: "%.2f", r["durationSeconds"]?.doubleValue ?? 0)) s</td><td>\(HTML.esc(r["trigger"]?.stringValue ?? ""))</td>"
                body += "<td>\(HTML.esc(r["actions"]?.stringValue ?? ""))</td></tr>\n"
            }
            body += "</table>\n"
        }
        return HTML.page(title: "Sync", counters: try await counting, body: body)
    }

    /// The "reconcile now" button for a logged-in user, else a link to the login page.
    func reconcileForm(session s: String?) -> String {
        guard let auth, sync?.reconcile != nil else { return "" }
        guard let s else { return "<p class=\"actions\"><a id=\"login-link\" href=\"/ui/login\">Log in</a> to ask for a reconciliation.</p>\n" }
        return "<form class=\"actions\" method=\"post\" action=\"/ui/sync/reconcile\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.esc(auth.csrfToken(s)))\">"
            + "<button id=\"reconcile\" type=\"submit\">Reconcile now</button></form>\n"
    }

    /// POST /ui/sync/reconcile: as `bcctl controller reconcile`, behind the login and CSRF token.
    func reconcileNow(_ request: Request) async throws -> Response {
        guard let auth, let reconcile = sync?.reconcile else { return html("<p>Not served here.</p>", status: .notFound) }
        guard Self.sameOrigin(request) else { return refuse("A form from another origin is refused.") }
        guard let s = session(request) else { return Self.redirect("/ui/login") }
        let form = try await Self.form(request)
        guard auth.checkCSRF(session: s, token: form["csrf"]) else { return refuse("The form's CSRF token is missing or wrong.") }
        await reconcile()
        return Self.redirect("/ui/sync")
    }
}
