import BCAPI
@testable import BCController
import BCTestSupport
import Foundation
import Testing

/// The event log's lines, one at a time.
@Suite struct EventLogLineTests {
    let time = Date(timeIntervalSince1970: 1_764_000_000.25)

    @Test func logfmtQuotesWhatMustBeQuotedAndKeepsTheOrder() {
        let log = EventLog(format: .logfmt)
        let line = log.line(.warn, "stall", [("workspace", "default"), ("revision", "abc"), ("reason", "ValidationFailed"),
                                             ("message", "a.yaml:3:1: App/x: spec.image: \"bad\" = wrong\nnext"), ("count", 3),
                                             ("duration", .double(0.5)), ("absent", nil), ("ok", .bool(true))], at: time)
        #expect(line == #"time=2025-11-24T16:00:00.250000Z level=warn event=stall workspace=default revision=abc reason=ValidationFailed message="a.yaml:3:1: App/x: spec.image: \"bad\" = wrong\nnext" count=3 duration=0.500 ok=true"#)
    }

    @Test func jsonLinesAreObjectsInTheSameOrder() throws {
        let log = EventLog(format: .json)
        let line = log.line(.info, "apply", [("workspace", "default"), ("added", 2), ("duration", .double(1.25)), ("message", "tab\there \"q\"")],
                            at: time)
        #expect(line == #"{"time":"2025-11-24T16:00:00.250000Z","level":"info","event":"apply","workspace":"default","added":2,"duration":1.250,"message":"tab\there \"q\""}"#)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["added"] as? Int == 2)
    }

    @Test func credentialsInURLsNeverReachTheLog() {
        #expect(EventLog.scrubbed("fetch https://bot:ghp_s3cr3t@github.com/org/estate.git failed; ssh://git:pw@host:22/r too")
                == "fetch https://github.com/org/estate.git failed; ssh://host:22/r too")
        #expect(EventLog.scrubbed("no url here, a@b") == "no url here, a@b")
        let line = EventLog(format: .json).line(.error, "reconcile", [("message", "cannot fetch https://u:tok3n@example.com/x.git")], at: time)
        #expect(!line.contains("tok3n"))
    }
}

/// The controller's log, history and gauges, with a real `bcctl controller` process.
@Suite(.serialized) struct ControllerObservabilityTests {
    static func lines(_ c: ControllerProcess) -> [String] {
        ((try? String(contentsOfFile: c.log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The JSON event lines of the log (the startup lines are plain text).
    static func events(_ c: ControllerProcess) -> [[String: Any]] {
        lines(c).compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    /// logfmt lines as dictionaries (values unquoted well enough for the fields checked here).
    static func logfmtEvents(_ c: ControllerProcess) -> [[String: String]] {
        lines(c).compactMap { line in
            guard line.hasPrefix("time=") else { return nil }
            var out: [String: String] = [:]
            var rest = Substring(line)
            while let eq = rest.firstIndex(of: "=") {
                let key = String(rest[..<eq]).trimmingCharacters(in: .whitespaces)
                rest = rest[rest.index(after: eq)...]
                var value = ""
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    var escaped = false
                    while let c = rest.first {
                        rest = rest.dropFirst()
                        if escaped { value.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { value.append(c) }
                    }
                } else {
                    let end = rest.firstIndex(of: " ") ?? rest.endIndex
                    value = String(rest[..<end])
                    rest = rest[end...]
                }
                out[key] = value
                rest = rest.drop { $0 == " " }
            }
            return out
        }
    }

    @Test func jsonLogHasAReconcileAnApplyAWebhookAndAStallLineAndNoSecret() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("logged"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s", extra: ["--log-format", "json"])
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first })
        #expect(try await c.eventually(5) { Self.events(c).contains { $0["event"] as? String == "reconcile" } })

        let apply = Self.events(c).first { $0["event"] as? String == "apply" }
        #expect(apply?["result"] as? String == "succeeded", "\(Self.lines(c))")
        #expect(apply?["added"] as? Int == 1)
        #expect(apply?["revision"] as? String == first)
        #expect(apply?["workspace"] as? String == "default")
        #expect(apply?["duration"] is Double)
        let reconcile = Self.events(c).first { $0["event"] as? String == "reconcile" }
        #expect(reconcile?["result"] as? String == "succeeded")
        #expect(reconcile?["trigger"] as? String == "interval")
        #expect(reconcile?["to_add"] as? Int == 1)
        #expect(reconcile?["level"] as? String == "info")
        #expect((reconcile?["time"] as? String).flatMap(WireTime.parse) != nil)

        // A webhook: accepted (202), then a forged one: rejected (401). Neither logs the secret.
        try repo.write("estate/app.yaml", ControllerTests.app("logged") + "\n  bogus: 1\n")
        let broken = try repo.push("broken")
        #expect(try await c.githubPush(key: "not-the-secret", delivery: "forged-1") == 401)
        #expect(try await c.githubPush(delivery: "delivery-1") == 202)
        #expect(try await c.eventually(10) { Self.events(c).contains { $0["event"] as? String == "stall" } })
        let webhooks = Self.events(c).filter { $0["event"] as? String == "webhook" }
        #expect(webhooks.contains { $0["result"] as? String == "accepted" && $0["status"] as? Int == 202 && $0["delivery"] as? String == "delivery-1"
            && $0["provider"] as? String == "github" }, "\(webhooks)")
        #expect(webhooks.contains { $0["result"] as? String == "rejected" && $0["status"] as? Int == 401 && $0["level"] as? String == "warn" })
        let stall = Self.events(c).first { $0["event"] as? String == "stall" }
        #expect(stall?["reason"] as? String == "ValidationFailed")
        #expect(stall?["revision"] as? String == broken)
        #expect((stall?["message"] as? String ?? "").contains("estate/app.yaml:"))
        #expect(Self.events(c).contains { $0["event"] as? String == "reconcile" && $0["result"] as? String == "stalled" && $0["trigger"] as? String == "webhook:github" })
        let text = Self.lines(c).joined(separator: "\n")
        #expect(!text.contains(c.secret), "the webhook secret is never logged")
        let token = try String(contentsOfFile: c.data + "/controller/api-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!text.contains(token), "the API token is never logged")
    }

    @Test func logfmtIsTheDefault() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("plain"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first })
        #expect(try await c.eventually(5) { Self.logfmtEvents(c).contains { $0["event"] == "reconcile" } })
        #expect(try await c.githubPush() == 202)
        #expect(try await c.eventually(5) { Self.logfmtEvents(c).contains { $0["event"] == "webhook" } })
        let events = Self.logfmtEvents(c)
        let apply = events.first { $0["event"] == "apply" }
        #expect(apply?["result"] == "succeeded", "\(Self.lines(c))")
        #expect(apply?["added"] == "1")
        #expect(events.first { $0["event"] == "webhook" }?["result"] == "accepted")
        #expect(events.first { $0["event"] == "reconcile" }?["revision"] == first)
        #expect(!Self.lines(c).contains { $0.hasPrefix("{") }, "no JSON without --log-format json")
    }

    @Test func theHistorySurvivesARestart() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("remembered"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first })
        let before = try await c.status()["history"] as? [[String: Any]] ?? []
        #expect(before.count == 1)
        let started = before.first?["started"] as? String
        c.terminate()
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: c.data + "/controller/history.json"))) as? [String: Any]
        #expect((saved?["history"] as? [[String: Any]])?.first?["started"] as? String == started)
        try c.start()
        // Served before the first pass after the restart has finished, and kept after it.
        let after = try await c.status()["history"] as? [[String: Any]] ?? []
        #expect(after.contains { $0["started"] as? String == started && $0["result"] as? String == "succeeded" && $0["revision"] as? String == first },
                "\(after)")
        #expect(try await c.eventually(10) { (try await c.status()["history"] as? [[String: Any]] ?? []).count == 2 })
        let text = try c.bcctl(["status", "--data", c.data])
        #expect(text.stdout.contains("succeeded"), "\(text.combined)")
    }

    @Test func theResourceGaugeIsRightRightAfterTheApply() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("gauged"))
        try repo.write("estate/other.yaml", ControllerTests.app("gauged-too"))
        let first = try repo.push("first")
        // One pass only (60 s interval): the gauges must be right after the pass that applied.
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first })
        #expect(try await c.eventually(5) { (try await c.status()["history"] as? [[String: Any]] ?? []).count == 1 })
        let metrics = String(decoding: try await c.http("GET", "/metrics").1, as: UTF8.self)
        #expect(metrics.contains("bcops_resources{kind=\"App\",ready=\"true\"} 2"), "\(metrics)")
        #expect(metrics.contains("bcops_resources{kind=\"App\",ready=\"false\"} 0"), "\(metrics)")
        #expect((try await c.status()["history"] as? [[String: Any]] ?? []).count == 1, "still the first pass")
    }
}
