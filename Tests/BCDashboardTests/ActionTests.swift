import BCClient
import BCDashboard
import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The dashboard's two actions (issue 17): stop a job and retry its failed nodes, over HTTP as a
/// browser sends them. They need a login (the engine's access key) and the session's CSRF token,
/// and a form from another origin is refused.
@Suite(.serialized) struct ActionTests {
    typealias Page = DashboardTests.Page

    static func request(_ base: String, _ path: String, method: String = "GET", form: [String: String]? = nil,
                        session: String? = nil, origin: String? = nil) async throws -> Page {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        let urlSession = URLSession(configuration: configuration, delegate: DashboardTests.NoRedirects(), delegateQueue: nil)
        defer { urlSession.finishTasksAndInvalidate() }
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
                .joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        if let session { request.setValue("\(DashboardAuth.cookieName)=\(session)", forHTTPHeaderField: "Cookie") }
        if let origin { request.setValue(origin, forHTTPHeaderField: "Origin") }
        let (data, response) = try await urlSession.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Page(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self), data: data)
    }

    /// The value of `<input type="hidden" name="csrf" value="…">` on a page.
    static func csrf(_ page: Page) -> String? {
        guard let r = page.body.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page.body[r.upperBound...].prefix { $0 != "\"" })
    }

    @Test func actionsNeedALoginAndTheSessionsCSRFToken() async throws {
        let engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
        defer { engine.stop() }
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let port = try #require(Int(said[r.upperBound...].prefix { $0.isNumber }))
        let ui = "http://127.0.0.1:\(port)", own = "http://127.0.0.1:\(port)"
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-retry-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let sleeper = try await client.createJob(try DashboardTests.dag("sleeper", "sleep 60")).id
        // Instance 1 fails the first time only; instance 0 always succeeds.
        let flaky = try await client.createJob(try DashboardTests.dag("flaky", """
            if [ "$BATCH_COMPUTE_DAG_INSTANCE_ID" = 1 ] && [ ! -e '\(marker)' ]; then touch '\(marker)'; echo 'first try fails' >&2; exit 3; fi; echo "run $BATCH_COMPUTE_DAG_INSTANCE_ID ok"
            """, instances: 2)).id
        try await DashboardTests.waitEnded(client, [flaky])
        #expect(try await client.job(flaky).state == .failed)
        let deadline = Date().addingTimeInterval(20)
        while try await client.job(sleeper).state != .running {
            try #require(Date() < deadline, "the sleeper did not start")
            try await Task.sleep(for: .milliseconds(100))
        }

        // Without a login: the job page links to the login page and shows no form; a POST leads to the login.
        let open = try await Self.request(ui, "/ui/jobs/\(sleeper)")
        #expect(open.status == 200 && open.body.contains("id=\"login-link\"") && Self.csrf(open) == nil)
        let anonymous = try await Self.request(ui, "/ui/jobs/\(sleeper)/stop", method: "POST", form: ["csrf": "x"])
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/ui/login")
        #expect(try await client.job(sleeper).state == .running)

        // A wrong key: refused, no session. The right one: an HttpOnly, SameSite=Strict session cookie.
        let loginPage = try await Self.request(ui, "/ui/login")
        #expect(loginPage.status == 200 && loginPage.body.contains("type=\"password\" name=\"accessKeySecret\""))
        let wrong = try await Self.request(ui, "/ui/login", method: "POST",
                                           form: ["accessKeyId": engine.credentials.accessKeyId, "accessKeySecret": "not-the-secret"])
        #expect(wrong.status == 403 && wrong.headers["set-cookie"] == nil && wrong.body.contains("id=\"login-failed\""))
        let keyForm = ["accessKeyId": engine.credentials.accessKeyId, "accessKeySecret": engine.credentials.accessKeySecret]
        let foreignLogin = try await Self.request(ui, "/ui/login", method: "POST", form: keyForm, origin: "http://evil.example")
        #expect(foreignLogin.status == 403 && foreignLogin.headers["set-cookie"] == nil)
        let login = try await Self.request(ui, "/ui/login", method: "POST", form: keyForm, origin: own)
        #expect(login.status == 303)
        let cookie = try #require(login.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
        let session = try #require(cookie.split(separator: ";").first.map { String($0.dropFirst("\(DashboardAuth.cookieName)=".count)) })

        // Logged in: the job page carries the forms and the session's token.
        let page = try await Self.request(ui, "/ui/jobs/\(sleeper)", session: session)
        #expect(page.body.contains("id=\"stop\"") && !page.body.contains("id=\"retry\""))
        let token = try #require(Self.csrf(page))
        #expect(Self.csrf(try await Self.request(ui, "/ui/jobs/\(sleeper)", session: String(session.reversed()))) == nil)

        // Refused: no token, a wrong token, another session's token, a foreign Origin.
        let path = "/ui/jobs/\(sleeper)/stop"
        #expect(try await Self.request(ui, path, method: "POST", form: [:], session: session).status == 403)
        #expect(try await Self.request(ui, path, method: "POST", form: ["csrf": String(token.reversed())], session: session).status == 403)
        #expect(try await Self.request(ui, path, method: "POST", form: ["csrf": token], session: session,
                                       origin: "http://evil.example").status == 403)
        #expect(try await Self.request(ui, path, method: "POST", form: ["csrf": token], session: session, origin: "null").status == 403)
        #expect(try await Self.request(ui, path, method: "POST", form: ["csrf": token], session: "0" + session).status == 303)
        #expect(try await client.job(sleeper).state == .running)

        // Accepted with both: the job is stopped.
        let stop = try await Self.request(ui, path, method: "POST", form: ["csrf": token], session: session, origin: own)
        #expect(stop.status == 303 && stop.headers["location"] == "/ui/jobs/\(sleeper)")
        try await DashboardTests.waitEnded(client, [sleeper])
        #expect(try await client.job(sleeper).state == .stopped)

        // Retry the flaky job's failed node: instance 1 runs again and the job finishes.
        let flakyPage = try await Self.request(ui, "/ui/jobs/\(flaky)", session: session)
        #expect(flakyPage.body.contains("id=\"retry\"") && !flakyPage.body.contains("id=\"stop\""))
        let retryPath = "/ui/jobs/\(flaky)/retry"
        #expect(try await Self.request(ui, retryPath, method: "POST", form: ["csrf": "nope"], session: session).status == 403)
        #expect(try await client.job(flaky).state == .failed)
        let retry = try await Self.request(ui, retryPath, method: "POST", form: ["csrf": token], session: session)
        #expect(retry.status == 303)
        try await DashboardTests.waitEnded(client, [flaky])
        #expect(try await client.job(flaky).state == .finished)
        let again = try await client.instances(of: flaky, task: "t").first { $0.instanceId == 1 }
        #expect(again?.state == .finished)

        // An action on an ended job: the engine's refusal is shown.
        let late = try await Self.request(ui, path, method: "POST", form: ["csrf": token], session: session)
        #expect(late.status == 409 && late.body.contains("id=\"action-error\""))

        // Log out: the session is gone.
        #expect(try await Self.request(ui, "/ui/logout", method: "POST", form: ["csrf": "bad"], session: session).status == 403)
        let out = try await Self.request(ui, "/ui/logout", method: "POST", form: ["csrf": token], session: session)
        #expect(out.status == 303 && out.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await Self.request(ui, retryPath, method: "POST", form: ["csrf": token], session: session).status == 303)
        #expect(Self.csrf(try await Self.request(ui, "/ui/jobs/\(flaky)", session: session)) == nil)
    }
}
