import BCAPI
import Foundation
import Hummingbird

/// Sync: what `bcctl status` shows, when a controller serves the dashboard. It reads the same
/// document (`DashboardSync.status`, the controller's `/api/status`): what is tracked, the commit
/// applied and the one fetched, the conditions, drift, a plan waiting for review, the runs of the
/// applied revision and the last reconciliations. A logged-in user can ask for a reconciliation.
/// Markup in the `sync` template (`SyncTemplate.swift`).
extension Dashboard {

    func syncPage(session s: String?) async throws -> String {
        guard let sync else { throw HTTPError(.notFound) }
        async let counting = counters()
        let o = await sync.status()
        let view = Self.syncView(o, reconcile: reconcileForm(session: s))
        return HTML.page(title: "Sync", counters: try await counting, body: Templates.render("sync", view))
    }

    /// The `sync` template's view of the controller's status document.
    static func syncView(_ o: JSONValue, reconcile: String) -> Templates.Sync {
        func text(_ k: String) -> String { o[k]?.stringValue ?? "" }
        func revision(_ k: String) -> Templates.Revision {
            let r = o[k]?.stringValue
            return Templates.Revision(key: k, known: r != nil, full: r ?? "", short: String((r ?? "").prefix(12)))
        }
        let conditions = o["conditions"]?.arrayValue ?? []
        // A plan waiting for review: --require-reviewed-plan stalled on an unapproved revision.
        let waiting = conditions.first { $0["type"]?.stringValue == "Stalled" && $0["reason"]?.stringValue == "PlanNotReviewed" }
        let drift = (o["drift"]?.arrayValue ?? []).compactMap(\.stringValue)
        let pruned = o["pruneSkipped"]?.intValue ?? 0
        let renders = (o["renders"]?.arrayValue ?? []).map { r in
            Templates.SyncRender(
                hasLink: r["id"]?.stringValue != nil, href: "/ui/jobs/\(HTML.pathSegment(r["id"]?.stringValue ?? ""))",
                name: r["name"]?.stringValue ?? "", state: r["state"]?.stringValue ?? "",
                frames: "\(r["framesDone"]?.intValue ?? 0)/\(r["framesTotal"]?.intValue ?? 0)", downloadedTo: r["downloadedTo"]?.stringValue ?? "")
        }
        let workflows = (o["workflows"]?.arrayValue ?? []).map { w in
            Templates.SyncWorkflow(
                hasLink: w["id"]?.stringValue != nil, href: "/ui/workflows/\(HTML.pathSegment(w["id"]?.stringValue ?? ""))",
                name: w["name"]?.stringValue ?? "", status: w["status"]?.stringValue ?? "",
                calls: w["callsDone"]?.intValue.map { "\($0)/\(w["callsKnown"]?.intValue ?? 0)" } ?? "")
        }
        let history = (o["history"]?.arrayValue ?? []).map { r in
            Templates.SyncHistory(
                result: r["result"]?.stringValue ?? "", started: r["started"]?.stringValue ?? "",
                revision: String((r["revision"]?.stringValue ?? "").prefix(12)),
                duration: String(format: "%.2f", r["durationSeconds"]?.doubleValue ?? 0),
                trigger: r["trigger"]?.stringValue ?? "", actions: r["actions"]?.stringValue ?? "")
        }
        return Templates.Sync(
            workspace: text("workspace"), suspended: o["suspended"]?.boolValue == true, repository: text("repository"),
            branch: text("branch"), path: text("path").isEmpty ? "." : text("path"),
            applied: revision("appliedRevision"), fetched: revision("fetchedRevision"),
            lastFetch: text("lastFetch"), nextAttempt: text("nextAttempt"),
            hasProgress: o["progress"]?.stringValue != nil, progress: o["progress"]?.stringValue ?? "",
            reconcile: reconcile,
            conditions: conditions.map { c in
                Templates.Condition(type: c["type"]?.stringValue ?? "", status: c["status"]?.stringValue ?? "",
                                    reason: c["reason"]?.stringValue ?? "", message: c["message"]?.stringValue ?? "",
                                    since: c["lastTransitionTime"]?.stringValue ?? "")
            },
            hasReview: waiting != nil, reviewMessage: waiting?["message"]?.stringValue ?? "",
            hasDrift: !drift.isEmpty, drift: drift,
            pruneSkipped: pruned > 0, pruneCount: "\(pruned) object\(pruned == 1 ? "" : "s")",
            hasRenders: !renders.isEmpty, renders: renders, hasWorkflows: !workflows.isEmpty, workflows: workflows,
            hasHistory: !history.isEmpty, history: history)
    }

    /// The "reconcile now" button for a logged-in user, else a link to the login page.
    func reconcileForm(session s: String?) -> String {
        guard let auth, sync?.reconcile != nil else { return "" }
        return Templates.render("reconcileForm", Templates.ReconcileForm(loggedIn: s != nil, csrf: s.map { auth.csrfToken($0) } ?? ""))
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
