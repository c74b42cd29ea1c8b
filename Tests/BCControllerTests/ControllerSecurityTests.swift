import BCAPI
@testable import BCController
import BCTestSupport
import Foundation
import Testing

/// Issue #12, defect 4: the controller's `/api/*` needs its token and refuses what a web page
/// can send; every listener stays on loopback unless --allow-remote; webhook bursts are
/// coalesced; a hostile webhook body cannot crash it.
@Suite(.serialized) struct ControllerSecurityTests {
    @Test func aCrossSiteFormPostToResumeIsRefusedAndTheStallStays() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("history"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "1s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        try repo.git(["checkout", "-q", "--orphan", "rewritten"])
        try repo.write("estate/app.yaml", ControllerTests.app("history", "rewritten"))
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "rewritten"])
        try repo.git(["push", "-q", "-f", "origin", "rewritten:main"])
        #expect(try await c.eventually(5) { try await c.condition("Stalled")?["reason"] as? String == "HistoryRewritten" })

        // What an <form action="http://127.0.0.1:9412/api/resume" method="post"> on another site sends.
        let form = ["Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"]
        let (status, body) = try await c.http("POST", "/api/resume", headers: form, body: Data("x=1".utf8))
        #expect(status == 403)
        #expect(String(decoding: body, as: UTF8.self).contains("other sites"), "\(String(decoding: body, as: UTF8.self))")
        // Each browser signal alone is refused, even with the token (defence in depth).
        let token = try c.apiToken()
        let origin = try await c.http("POST", "/api/resume", headers: ["Origin": "http://evil.example", "Authorization": "Bearer \(token)"])
        #expect(origin.0 == 403)
        #expect(String(decoding: origin.1, as: UTF8.self).contains("Origin http://evil.example"))
        let sameSite = try await c.http("POST", "/api/resume", headers: ["Sec-Fetch-Site": "same-site", "Authorization": "Bearer \(token)"])
        #expect(sameSite.0 == 403)
        let formType = try await c.http("POST", "/api/resume", headers: ["Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer \(token)"],
                                        body: Data("x=1".utf8))
        #expect(formType.0 == 403)
        #expect(String(decoding: formType.1, as: UTF8.self).contains("form posts are refused"))
        let textPlain = try await c.http("POST", "/api/reconcile", headers: ["Content-Type": "text/plain", "Authorization": "Bearer \(token)"],
                                         body: Data("{}".utf8))
        #expect(textPlain.0 == 403)
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(try await c.condition("Stalled")?["reason"] as? String == "HistoryRewritten", "the stall stays")
        #expect(try await c.appliedRevision() == first)
        #expect(try await ControllerTests.appDefault(c, "history") == "world")
    }

    @Test func suspendNeedsTheTokenAndBcctlBringsIt() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("guarded"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })

        let json = ["Content-Type": "application/json"]
        let missing = try await c.http("POST", "/api/suspend", headers: json, body: Data("{}".utf8))
        #expect(missing.0 == 401)
        #expect(String(decoding: missing.1, as: UTF8.self).contains("Authorization: Bearer"))
        #expect(try await c.http("POST", "/api/suspend", headers: json.merging(["Authorization": "Bearer wrong"]) { $1 }).0 == 401)

        // The token: generated on first start, 0600 in a 0700 directory, never printed.
        let tokenFile = c.data + "/controller/api-token"
        let token = try c.apiToken()
        #expect(token.count == 64)
        #expect(try Self.mode(tokenFile) == 0o600)
        #expect(try Self.mode(c.data + "/controller") == 0o700)
        let log = try String(contentsOfFile: c.log, encoding: .utf8)
        #expect(!log.contains(token), "the token is never printed")
        #expect(log.contains(tokenFile), "its path is")

        #expect(try await c.http("POST", "/api/suspend", headers: json.merging(["Authorization": "Bearer wrong-\(token)"]) { $1 }).0 == 401)
        #expect(try await c.http("POST", "/api/suspend", headers: json.merging(["Authorization": "Bearer \(token.dropLast())x"]) { $1 }).0 == 401)
        #expect(try await c.http("POST", "/api/reconcile", headers: json).0 == 401)
        #expect(try await c.status()["suspended"] as? Bool == false, "nothing was suspended")
        let ok = try await c.http("POST", "/api/suspend", headers: json.merging(["Authorization": "Bearer \(token)"]) { $1 }, body: Data("{}".utf8))
        #expect(ok.0 == 200)
        #expect(try await c.status()["suspended"] as? Bool == true)
        // Reads stay open on loopback; a page that rebinds its own name to 127.0.0.1 is not loopback.
        #expect(try await c.http("GET", "/api/status").0 == 200)
        #expect(try await c.http("GET", "/metrics").0 == 200)
        #expect(try await c.http("GET", "/api/status", headers: ["Host": "evil.example"]).0 == 403)

        // bcctl finds the token where the controller wrote it (the empty body it posts is fine).
        let resumed = try c.bcctl(["controller", "resume", "--data", c.data])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(!resumed.combined.contains(token))
        #expect(try await c.status()["suspended"] as? Bool == false)
        let suspended = try c.bcctl(["controller", "suspend", "--data", c.data])
        #expect(suspended.status == 0, "\(suspended.combined)")
        #expect(try await c.status()["suspended"] as? Bool == true)
        #expect(try c.bcctl(["controller", "reconcile", "--data", c.data]).status == 0)
        let status = try c.bcctl(["status", "--data", c.data])
        #expect(status.status == 0 && status.stdout.contains("[suspended]"), "\(status.combined)")
        // Without the token (another user, another data directory): refused, and bcctl says why.
        let elsewhere = try c.bcctl(["controller", "resume", "--address", c.address, "--data", c.data + "/nowhere"])
        #expect(elsewhere.status != 0)
        #expect(elsewhere.combined.contains("HTTP 401") && elsewhere.combined.contains("--api-token-file"), "\(elsewhere.combined)")
        let wrongFile = c.data + "/wrong-token"
        try "0123456789abcdef0123456789abcdef\n".write(toFile: wrongFile, atomically: true, encoding: .utf8)
        #expect(try c.bcctl(["controller", "resume", "--data", c.data, "--api-token-file", wrongFile]).status != 0)
        #expect(try await c.status()["suspended"] as? Bool == true)

        // The same token after a restart.
        c.terminate()
        try c.start()
        #expect(try c.apiToken() == token)
        #expect(try c.bcctl(["controller", "resume", "--data", c.data]).status == 0)
        #expect(try await c.status()["suspended"] as? Bool == false)
    }

    @Test func anAPITokenFileIsUsedInstead() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("given"))
        try repo.push("first")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-token-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let file = dir + "/token"
        let token = "team-token-\(UUID().uuidString)"
        try (token + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o640)
        let c = try ControllerProcess(repository: repo, extra: ["--api-token-file", file])
        #expect(!FileManager.default.fileExists(atPath: c.data + "/controller/api-token"), "no token is generated")
        #expect(try await c.http("POST", "/api/suspend", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]).0 == 200)
        #expect(try c.bcctl(["controller", "resume", "--data", c.data]).status != 0, "DATA/controller/api-token is not the token")
        let resumed = try c.bcctl(["controller", "resume", "--address", c.address, "--api-token-file", file])
        #expect(resumed.status == 0, "\(resumed.combined)")
        #expect(try await c.status()["suspended"] as? Bool == false)
        #expect(!(try String(contentsOfFile: c.log, encoding: .utf8)).contains(token))
    }

    @Test func nonLoopbackListenersNeedAllowRemote() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("remote"))
        try repo.push("first")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-remote-\(UUID().uuidString)").path
        for (flag, server) in [("--listen", "the controller"), ("--engine-listen", "the embedded engine")] {
            var args = ["controller", "--repo", repo.origin, "--path", "estate", "--data", data, "--embedded-engine",
                        "--listen", "127.0.0.1:0", "--engine-listen", "127.0.0.1:0"]
            args += [flag, "0.0.0.0:0"]
            let r = try Self.bcctlBriefly(args)
            #expect(r.status != 0, "\(flag) 0.0.0.0:0 without --allow-remote must not start: \(r.combined)")
            #expect(r.combined.contains("refusing to listen on 0.0.0.0 (\(flag)): \(server) listens on loopback unless --allow-remote is given"),
                    "\(r.combined)")
        }
        // A name that only starts with "127." is not loopback.
        let named = try Self.bcctlBriefly(["controller", "--repo", repo.origin, "--data", data, "--listen", "127.attacker.example:0"])
        #expect(named.status != 0 && named.combined.contains("--allow-remote"), "\(named.combined)")

        // With --allow-remote it starts; reads need the token too, probes do not.
        let c = try ControllerProcess(repository: repo, extra: ["--listen", "0.0.0.0:0", "--allow-remote"])
        #expect(c.address.hasPrefix("http://0.0.0.0:"), "\(c.address)")
        let token = try c.apiToken()
        #expect(try await c.http("GET", "/healthz").0 == 200)
        #expect(try await c.eventually(10) { try await c.http("GET", "/readyz").0 == 200 })
        #expect(try await c.http("GET", "/api/status").0 == 401)
        #expect(try await c.http("GET", "/metrics").0 == 401)
        #expect(try await c.http("GET", "/api/status", headers: ["Authorization": "Bearer nope-nope-nope-nope"]).0 == 401)
        #expect(try await c.http("GET", "/api/status", headers: ["Authorization": "Bearer \(token)"]).0 == 200)
        #expect(try await c.http("GET", "/metrics", headers: ["Authorization": "Bearer \(token)"]).0 == 200)
        let status = try c.bcctl(["status", "--data", c.data])
        #expect(status.status == 0, "bcctl status brings the token: \(status.combined)")
    }

    @Test func aBurstOf50WebhooksFetchesAtMostThreeTimesAndAppliesTheLastPush() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("burst"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        try await Task.sleep(nanoseconds: 300_000_000)
        let before = try await c.fetchCount()

        var last = first
        let started = Date()
        for i in 0..<50 {
            // Pushes during the burst; the last one just before the last delivery.
            if i == 20 || i == 49 {
                try repo.write("estate/app.yaml", ControllerTests.app("burst", "push-\(i)"))
                last = try repo.push("push \(i)")
            }
            let due = started.addingTimeInterval(Double(i) * 0.02)
            if due > Date() { try await Task.sleep(nanoseconds: UInt64(due.timeIntervalSinceNow * 1e9)) }
            #expect(try await c.signedGitHubPush(Array(#"{"ref":"refs/heads/main"}"#.utf8)) == 202)
        }
        let burst = Date().timeIntervalSince(started)
        #expect(try await c.eventually(5) { try await c.appliedRevision() == last }, "the last push is applied")
        #expect(try await ControllerTests.appDefault(c, "burst") == "push-49")
        try await Task.sleep(nanoseconds: 2_500_000_000)
        let fetches = try await c.fetchCount() - before
        #expect(fetches >= 1 && fetches <= 3, "\(fetches) fetches for 50 deliveries in \(burst) s")
    }

    @Test func aDeeplyNestedWebhookIs400AndTheControllerKeepsRunning() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("nested"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 20_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 20_000)
        let (status, body) = try await c.signedGitHubPushAnswer(deep)
        #expect(status == 400)
        #expect(String(decoding: body, as: UTF8.self).contains("nests deeper than 64 levels"), "\(String(decoding: body, as: UTF8.self))")
        let gitlab = try await c.http("POST", "/hooks/gitlab", headers: ["X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": c.secret],
                                      body: Data(Array(#"{"ref":"refs/heads/main","x":"#.utf8) + deep + Array("}".utf8)))
        #expect(gitlab.0 == 400)
        #expect(c.process.isRunning)
        #expect(try await c.http("GET", "/healthz").0 == 200)
        // And it still applies pushes.
        try repo.write("estate/app.yaml", ControllerTests.app("nested", "after"))
        let second = try repo.push("second")
        #expect(try await c.signedGitHubPush(Array(#"{"ref":"refs/heads/main"}"#.utf8)) == 202)
        #expect(try await c.eventually(3) { try await c.appliedRevision() == second })
    }

    /// bcctl, killed if it still runs after `seconds` (a server that should have refused to start).
    static func bcctlBriefly(_ args: [String], seconds: Double = 10) throws -> (status: Int32, combined: String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-brief-\(UUID().uuidString).log").path
        FileManager.default.createFile(atPath: out, contents: nil)
        let handle = FileHandle(forWritingAtPath: out)!
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcctl"))
        p.arguments = args
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        var killed = false
        if p.isRunning { kill(p.processIdentifier, SIGKILL); killed = true }
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        return (killed ? -1 : p.terminationStatus, text)
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
    }
}

extension ControllerProcess {
    /// The token the controller generated in DATA/controller/api-token.
    func apiToken() throws -> String {
        try String(contentsOfFile: data + "/controller/api-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `bcops_git_fetch_duration_seconds_count` from /metrics.
    func fetchCount() async throws -> Int {
        let text = String(decoding: try await http("GET", "/metrics").1, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("bcops_git_fetch_duration_seconds_count ") }
        return Int(line?.split(separator: " ").last ?? "") ?? -1
    }

    func signedGitHubPushAnswer(_ body: [UInt8]) async throws -> (Int, Data) {
        let signature = HMACDigest.sha256.mac(key: Array(secret.utf8), message: body).map { String(format: "%02x", $0) }.joined()
        return try await http("POST", "/hooks/github", headers: ["X-GitHub-Event": "push", "X-GitHub-Delivery": UUID().uuidString,
                                                                 "X-Hub-Signature-256": "sha256=\(signature)", "Content-Type": "application/json"],
                              body: Data(body))
    }

    func signedGitHubPush(_ body: [UInt8]) async throws -> Int { try await signedGitHubPushAnswer(body).0 }
}

@Suite struct APIGuardTests {
    let token = "0123456789abcdef0123456789abcdef"
    var local: APIGuard { APIGuard(token: token, listenHost: "127.0.0.1", remote: false) }

    func request(_ headers: [String: String] = [:], host: String? = "127.0.0.1:9412", empty: Bool = true) -> APIGuard.Request {
        APIGuard.Request(headers: headers, authority: host, bodyIsEmpty: empty)
    }

    @Test func changesNeedTheToken() {
        #expect(local.check(.change, request())?.status == 401)
        #expect(local.check(.change, request(["authorization": "Bearer nope"]))?.status == 401)
        #expect(local.check(.change, request(["authorization": "Bearer \(token)x"]))?.status == 401)
        #expect(local.check(.change, request(["authorization": "Basic \(token)"]))?.status == 401)
        #expect(local.check(.change, request(["authorization": "Bearer \(token)"])) == nil)
        #expect(local.check(.change, request(["authorization": "bearer \(token)", "content-type": "application/json; charset=utf-8"], empty: false)) == nil)
    }

    @Test func changesRefuseWhatAWebPageCanSend() {
        let auth = ["authorization": "Bearer \(token)"]
        func with(_ h: [String: String]) -> [String: String] { auth.merging(h) { $1 } }
        for type in ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"] {
            #expect(local.check(.change, request(with(["content-type": type]), empty: false))?.status == 403, "\(type)")
        }
        #expect(local.check(.change, request(with(["content-type": "text/plain"])))?.status == 403, "a form type even without a body")
        #expect(local.check(.change, request(auth, empty: false))?.status == 403, "a body without a content type")
        #expect(local.check(.change, request(with(["sec-fetch-site": "cross-site"])))?.status == 403)
        #expect(local.check(.change, request(with(["sec-fetch-site": "same-site"])))?.status == 403)
        #expect(local.check(.change, request(with(["sec-fetch-site": "same-origin"]))) == nil)
        #expect(local.check(.change, request(with(["origin": "http://evil.example"])))?.status == 403)
        #expect(local.check(.change, request(with(["origin": "null"])))?.status == 403)
        #expect(local.check(.change, request(with(["origin": "http://localhost:8080"]), host: "localhost:9412"))?.status == 403, "another port")
        #expect(local.check(.change, request(with(["origin": "http://evil.example:9412"]), host: "evil.example:9412"))?.status == 403, "DNS rebinding")
        #expect(local.check(.change, request(with(["origin": "http://127.0.0.1:9412"]))) == nil, "its own origin")
        // The browser checks come first: a cross-site form post is 403 whatever it carries.
        #expect(local.check(.change, request(["origin": "http://evil.example", "content-type": "application/x-www-form-urlencoded"], empty: false))?.status == 403)
    }

    @Test func readsAreOpenOnLoopbackOnly() {
        #expect(local.check(.read, request()) == nil)
        #expect(local.check(.read, request(host: "localhost:9412")) == nil)
        #expect(local.check(.read, request(host: "[::1]:9412")) == nil)
        #expect(local.check(.read, request(host: nil)) == nil)
        #expect(local.check(.read, request(host: "evil.example:9412"))?.status == 403, "a rebound name")
        #expect(local.check(.read, request(["authorization": "Bearer \(token)"], host: "evil.example:9412")) == nil)
        let remote = APIGuard(token: token, listenHost: "0.0.0.0", remote: true)
        #expect(remote.check(.read, request(host: "10.0.0.5:9412"))?.status == 401)
        #expect(remote.check(.read, request(["authorization": "Bearer wrong"], host: "10.0.0.5:9412"))?.status == 401)
        #expect(remote.check(.read, request(["authorization": "Bearer \(token)"], host: "10.0.0.5:9412")) == nil)
        #expect(remote.check(.change, request(["authorization": "Bearer \(token)"], host: "10.0.0.5:9412")) == nil)
    }

    @Test func theTokenIsGeneratedOnceWithPrivateModes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-apitoken-\(UUID().uuidString)/controller").path
        let made = try APIToken.loadOrCreate(directory: dir)
        #expect(made.created && made.token.count == 64 && made.token.allSatisfy(\.isHexDigit))
        #expect(try ControllerSecurityTests.mode(made.path) == 0o600)
        #expect(try ControllerSecurityTests.mode(dir) == 0o700)
        let again = try APIToken.loadOrCreate(directory: dir)
        #expect(!again.created && again.token == made.token)
        try "short\n".write(toFile: made.path, atomically: true, encoding: .utf8)
        #expect(throws: APIToken.Failure.self) { try APIToken.loadOrCreate(directory: dir) }
    }

    @Test func webhookDeliveriesHaveAPerSecondBudget() async {
        let budget = WebhookBudget(perSecond: 3)
        var answers: [Bool] = []
        for _ in 0..<4 { answers.append(await budget.take(now: 100.2)) }
        answers.append(await budget.take(now: 101.0))
        #expect(answers == [true, true, true, false, true])
    }

    @Test func deepNestingIsCountedWithoutRecursion() {
        func nested(_ n: Int) -> [UInt8] { Array(String(repeating: "[", count: n).utf8) + Array(String(repeating: "]", count: n).utf8) }
        #expect(!WebhookVerifier.nestsDeeper(nested(64), than: 64))
        #expect(WebhookVerifier.nestsDeeper(nested(65), than: 64))
        #expect(!WebhookVerifier.nestsDeeper(Array(#"{"a":"[[[[[[\"[[[[","b":[1,{"c":[]}]}"#.utf8), than: 4), "brackets in strings do not count")
        #expect(WebhookVerifier.nestsDeeper(Array(#"{"a":"\\","b":[1,{"c":[]}]}"#.utf8), than: 3), "an escaped backslash ends no string")
        let verifier = WebhookVerifier(secret: Array("k".utf8), branch: "main")
        let deep = nested(20_000)
        let signature = "sha256=" + HMACDigest.sha256.mac(key: Array("k".utf8), message: deep).map { String(format: "%02x", $0) }.joined()
        #expect(verifier.verify(.github, headers: ["x-hub-signature-256": signature, "x-github-event": "push"], body: deep)
                == .rejected(status: 400, reason: "the JSON body nests deeper than 64 levels"))
    }
}
