import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `bcctl controller --ui-listen`: the dashboard served by a real controller on a git repository,
/// with its Sync page (what `bcctl status` shows) and a login with the controller's API token.
@Suite(.serialized) struct ControllerDashboardTests {
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
    }

    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// One request, redirects not followed, with the cookie and form body given.
    static func send(_ url: String, method: String = "GET", cookie: String? = nil, form: String? = nil) async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let cookie { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        if let form {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(form.utf8)
        }
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Answer(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self))
    }

    /// The dashboard's address, from the controller's "dashboard listening on" line.
    static func dashboard(_ c: ControllerProcess) throws -> String {
        let marker = "bcops dashboard listening on http://"
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: c.log, encoding: .utf8)) ?? ""
            if let r = log.range(of: marker), let colon = log[r.upperBound...].firstIndex(of: ":"),
               let port = Int(log[log.index(after: colon)...].prefix { $0.isNumber }) {
                return "http://127.0.0.1:\(port)"  // the listener's address, or 0.0.0.0 reached on loopback
            }
            usleep(50_000)
        }
        throw Repository.RepositoryError(message: "no dashboard line: \((try? String(contentsOfFile: c.log, encoding: .utf8)) ?? "")")
    }

    /// The value of `name="csrf" value="…"` on a page.
    static func csrf(_ body: String) -> String? {
        guard let r = body.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(body[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test func theSyncPageShowsTheAppliedCommitConditionsAndHistoryAndReconcilesAfterALogin() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("hello"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s", extra: ["--ui-listen", "127.0.0.1:0"])
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first }, "the first revision is applied at start")
        let ui = try Self.dashboard(c)

        let sync = try await Self.send(ui + "/ui/sync")
        #expect(sync.status == 200)
        #expect(sync.body.contains("<code id=\"appliedRevision\" title=\"\(first)\">\(first.prefix(12))</code>"), "\(sync.body)")
        #expect(sync.body.contains("<code id=\"fetchedRevision\" title=\"\(first)\">"))
        #expect(sync.body.contains("<tr class=\"condition-row\" data-type=\"Ready\" data-status=\"True\"><td>Ready</td><td>True</td><td class=\"reason-code\">ReconciliationSucceeded</td>"))
        #expect(sync.body.contains("Applied revision \(first.prefix(12))"))
        #expect(sync.body.contains("<tr class=\"history-row\" data-result=\"succeeded\">"))
        #expect(sync.body.contains("id=\"drift-none\"") && !sync.body.contains("id=\"plan-review\""))
        #expect(sync.body.contains(repo.origin) && sync.body.contains("branch main path estate"))
        #expect(sync.body.contains("<a id=\"nav-sync\" href=\"/ui/sync\">Sync</a>"))
        #expect(sync.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        // Without a login: a link to the login page, no button.
        #expect(sync.body.contains("id=\"login-link\"") && !sync.body.contains("id=\"reconcile\""))

        // The rest of the dashboard, through the controller's client: the App it applied.
        let apps = try await Self.send(ui + "/ui/apps")
        #expect(apps.body.contains("<td>App/hello in default</td>") && apps.body.contains("(as applied)"), "\(apps.body)")
        #expect(apps.body.contains("<a id=\"nav-sync\""))

        // The login is the controller's API token.
        let login = try await Self.send(ui + "/ui/login")
        #expect(login.body.contains("API token") && !login.body.contains("Access key id"))
        let wrong = try await Self.send(ui + "/ui/login", method: "POST", form: "accessKeySecret=not-the-token")
        #expect(wrong.status == 403 && wrong.headers["set-cookie"] == nil)
        let token = try String(contentsOfFile: c.data + "/controller/api-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let right = try await Self.send(ui + "/ui/login", method: "POST", form: "accessKeySecret=\(token)")
        #expect(right.status == 303)
        let cookie = try #require(right.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(cookie.hasPrefix("bcops_session="))

        // Reconcile now: refused without the CSRF token, done with it (a `requested` pass).
        let page = try await Self.send(ui + "/ui/sync", cookie: cookie)
        #expect(page.body.contains("<button id=\"reconcile\""))
        let csrf = try #require(Self.csrf(page.body))
        #expect(try await Self.send(ui + "/ui/sync/reconcile", method: "POST", cookie: cookie, form: "csrf=forged").status == 403)
        #expect(try await Self.send(ui + "/ui/sync/reconcile", method: "POST", form: "csrf=\(csrf)").headers["location"] == "/ui/login")
        let done = try await Self.send(ui + "/ui/sync/reconcile", method: "POST", cookie: cookie, form: "csrf=\(csrf)")
        #expect(done.status == 303 && done.headers["location"] == "/ui/sync")
        #expect(try await c.eventually(10) {
            (try await c.status()["history"] as? [[String: Any]] ?? []).contains { $0["trigger"] as? String == "requested" }
        })
        let after = try await Self.send(ui + "/ui/sync")
        #expect(after.body.contains("<td>requested</td>"))
    }

    /// `--require-reviewed-plan` without an approval: the Sync page shows the plan waiting for review.
    @Test func aPlanWaitingForReviewIsShown() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("gated"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s", extra: ["--require-reviewed-plan", "--ui-listen", "127.0.0.1:0"])
        #expect(try await c.eventually(30) { try await c.condition("Stalled")?["reason"] as? String == "PlanNotReviewed" })
        let sync = try await Self.send(try Self.dashboard(c) + "/ui/sync")
        #expect(sync.body.contains("<span id=\"appliedRevision\">none</span>"))
        #expect(sync.body.contains("<code id=\"fetchedRevision\" title=\"\(first)\">"))
        #expect(sync.body.contains("<tr class=\"condition-row\" data-type=\"Stalled\" data-status=\"True\"><td>Stalled</td><td>True</td><td class=\"reason-code\">PlanNotReviewed</td>"))
        #expect(sync.body.contains("<div id=\"plan-review\">") && sync.body.contains("this plan would do"), "\(sync.body)")
        #expect(sync.body.contains("App/gated"))
    }

    /// On an address that is not loopback (`--allow-remote`), Sync is read after a login only, as
    /// `/api/status` then needs the token.
    @Test func offLoopbackTheSyncPageNeedsALogin() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("remote"))
        try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s", extra: ["--allow-remote", "--ui-listen", "0.0.0.0:0"])
        let ui = try Self.dashboard(c)
        let anonymous = try await Self.send(ui + "/ui/sync")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/ui/login")
        let token = try String(contentsOfFile: c.data + "/controller/api-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let login = try await Self.send(ui + "/ui/login", method: "POST", form: "accessKeySecret=\(token)")
        let cookie = try #require(login.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let sync = try await Self.send(ui + "/ui/sync", cookie: cookie)
        #expect(sync.status == 200 && sync.body.contains("id=\"conditions\""))
    }

    @Test func theDashboardListensOnLoopbackUnlessAllowRemote() throws {
        let repo = try Repository()
        let r = try ProcessRunner.run(ProcessRunner.product("bcctl"), ["controller", "--repo", repo.origin, "--ui-listen", "0.0.0.0:0",
                                                                      "--data", repo.root + "/data"])
        #expect(r.status == 64 && r.combined.contains("refusing to listen on 0.0.0.0 (--ui-listen)") && r.combined.contains("--allow-remote"), "\(r.combined)")
        let bad = try ProcessRunner.run(ProcessRunner.product("bcctl"), ["controller", "--repo", repo.origin, "--ui-listen", "9999"])
        #expect(bad.status == 64 && bad.combined.contains("--ui-listen must be HOST:PORT"), "\(bad.combined)")
    }
}
