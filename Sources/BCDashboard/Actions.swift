import BCAPI
import BCClient
import Foundation
import HTTPTypes
import Hummingbird

/// The login page and the two actions, stop a job and retry its failed nodes. Every POST is refused
/// with a foreign Origin (403); an action without a session leads to the login page (303), and one
/// without the session's CSRF token is refused (403).
extension Dashboard {
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for item in header.split(separator: ";") {
                let kv = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2 && kv[0] == name { return String(kv[1]) }
            }
        }
        return nil
    }

    /// The session id of a logged-in request, else nil.
    func session(_ request: Request) -> String? {
        let s = Self.cookie(request, DashboardAuth.cookieName)
        return auth?.isSession(s) == true ? s : nil
    }

    /// A POST's Origin, when sent, must be this dashboard's own (`http://` + Host).
    static func sameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    func refuse(_ why: String) -> Response {
        html(HTML.page(title: "Refused", counters: HTML.Counters(), body: Templates.render("refused", Templates.Sentence(text: why))), status: .forbidden)
    }

    func loginPage(_ request: Request, failed: Bool = false) -> Response {
        guard auth != nil else { return html("<p>This dashboard is read-only.</p>", status: .notFound) }
        let s = session(request)
        let body = Templates.render("login", Templates.Login(
            loggedIn: s != nil, csrf: s.flatMap { auth?.csrfToken($0) } ?? "", failed: failed, apiToken: auth?.credential == .apiToken))
        return html(HTML.page(title: "Log in", counters: HTML.Counters(), body: body), status: failed ? .forbidden : .ok)
    }

    func login(_ request: Request) async throws -> Response {
        guard let auth else { return html("<p>This dashboard is read-only.</p>", status: .notFound) }
        guard Self.sameOrigin(request) else { return refuse("A form from another origin is refused.") }
        let form = try await Self.form(request)
        guard let s = auth.login(id: form["accessKeyId"] ?? "", secret: form["accessKeySecret"] ?? "") else {
            return loginPage(request, failed: true)
        }
        var response = Self.redirect(landingPage)
        response.headers[.setCookie] = "\(DashboardAuth.cookieName)=\(s); Path=/ui; HttpOnly; SameSite=Strict"
        return response
    }

    func logout(_ request: Request) async throws -> Response {
        guard let auth else { return html("<p>This dashboard is read-only.</p>", status: .notFound) }
        guard Self.sameOrigin(request) else { return refuse("A form from another origin is refused.") }
        let form = try await Self.form(request)
        if let s = session(request) {
            guard auth.checkCSRF(session: s, token: form["csrf"]) else { return refuse("The form's CSRF token is missing or wrong.") }
            auth.logout(s)
        }
        var response = Self.redirect("/ui/login")
        response.headers[.setCookie] = "\(DashboardAuth.cookieName)=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0"
        return response
    }

    enum Action: String { case stop, retry }

    func act(_ action: Action, job id: String, _ request: Request) async throws -> Response {
        guard let auth else { return html("<p>This dashboard is read-only.</p>", status: .notFound) }
        guard Self.sameOrigin(request) else { return refuse("A form from another origin is refused.") }
        guard let s = session(request) else { return Self.redirect("/ui/login") }
        let form = try await Self.form(request)
        guard auth.checkCSRF(session: s, token: form["csrf"]) else { return refuse("The form's CSRF token is missing or wrong.") }
        do {
            switch action {
            case .stop: try await client.stopJob(id)
            // StartJob on a Failed or Stopped job runs its failed and stopped instances again.
            case .retry: try await client.startJob(id)
            }
        } catch let e as APIError {
            return html(HTML.page(title: "Not done", counters: try await counters(),
                                  body: Templates.render("actionError", Templates.ActionError(message: "\(e.code): \(e.message)", jobHref: "/ui/jobs/\(HTML.pathSegment(id))"))),
                        status: .conflict)
        }
        return Self.redirect("/ui/jobs/\(HTML.pathSegment(id))")
    }

    /// The job page's action forms, or a link to the login page (the `actionForms` template).
    func actionForms(job: JobStatus, session s: String?) -> String {
        guard let auth else { return "" }
        return Templates.render("actionForms", Templates.ActionForms(
            loggedIn: s != nil, path: HTML.pathSegment(job.id), csrf: s.map { auth.csrfToken($0) } ?? "",
            canStop: !job.state.isEnded, canRetry: job.state == .failed || job.state == .stopped))
    }
}
