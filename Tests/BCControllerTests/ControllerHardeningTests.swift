import BCClient
import BCTestSupport
import Foundation
import Testing

/// Issue #12 under `bcctl controller --embedded-engine`, where the engine shares a process with
/// the controller: a job inherits none of the controller's descriptors (defect 1: a job accepted
/// connections on the controller's listener and caught webhooks with their secret), and a
/// poisoned live object makes the reconcile fail by name instead of crash-looping the
/// controller and its engine (defect 2).
@Suite(.serialized) struct ControllerHardeningTests {
    static func value(_ o: [String: Any]) throws -> JSONValue {
        try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: o)))
    }

    @Test func aJobOfTheEmbeddedEngineInheritsNoneOfTheControllersDescriptors() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("fds"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo)
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        let client = try ControllerTests.client(c)
        let cluster = try await client.createCluster(try Self.value([
            "Name": "fds", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]]])).id
        let job = try await client.createJob(try Self.value([
            "Name": "fds", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "ClusterId": cluster,
                                    "Parameters": ["Command": ["CommandLine": "ls -l /proc/self/fd", "PackagePath": ""],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"]]],
                    "Dependencies": [String: Any]()]])).id
        #expect(try await c.eventually(30) { try await client.job(job).state.isEnded })
        #expect(try await client.job(job).state == .finished)
        let listing = try String(contentsOfFile: c.data + "/oss/b/logs/stdout.\(job).t.0", encoding: .utf8)
        let fds = listing.split(separator: "\n").filter { $0.contains(" -> ") }
        #expect(fds.count >= 3 && fds.count <= 4, "only stdin, stdout, stderr and ls's own directory: \(listing)")
        // The controller's and the engine's listeners, their accepted sockets, epoll and the keeper's socket.
        #expect(!listing.contains("socket:") && !listing.contains("anon_inode") && !listing.contains("pipe:"), "\(listing)")
        #expect(!listing.contains(c.data + "/engine.sqlite"), "\(listing)")
    }

    /// `--allow-remote` on every listener: the controller's two are in ControllerSecurityTests;
    /// this is `bcctl engine serve`'s own guard, with the same notion of loopback.
    @Test func engineServeListensOnLoopbackUnlessAllowRemote() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-engine-remote-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        for address in ["0.0.0.0:0", "127.attacker.example:0", "[::]:0"] {
            let r = try ControllerSecurityTests.bcctlBriefly(["engine", "serve", "--data", data, "--listen", address])
            #expect(r.status != 0 && r.status != -1, "\(address) must not start: \(r.combined)")
            #expect(r.combined.contains("refusing to listen on") && r.combined.contains("--allow-remote"), "\(address): \(r.combined)")
            #expect(!r.combined.contains("listening on http"), "\(address): \(r.combined)")
        }
        let allowed = try ControllerSecurityTests.bcctlBriefly(["engine", "serve", "--data", data, "--listen", "0.0.0.0:0", "--allow-remote"], seconds: 5)
        #expect(allowed.combined.contains("listening on http://0.0.0.0:"), "\(allowed.combined)")
    }

    /// The controller used to crash (SIGSEGV in the JSON parser) on every reconcile, and so on
    /// every restart, once an owned App's `bcops.io/fields` label held 60 KB of brackets.
    @Test func aPoisonedLiveObjectFailsTheReconcileByNameAndTheControllerStaysUp() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", ControllerTests.app("poisoned"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo)
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        let script = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=30)
            for name, rev, desc in db.execute("SELECT name, revision, description FROM apps").fetchall():
                d = json.loads(desc)
                d.setdefault("Labels", {})["bcops.io/fields"] = "[" * 60000 + "]" * 60000
                db.execute("UPDATE apps SET description = ? WHERE name = ? AND revision = ?", (json.dumps(d), name, rev))
            db.commit()
            """
        let poisoned = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, c.data + "/engine.sqlite"])
        try #require(poisoned.status == 0, "\(poisoned.combined)")

        // A change makes the plan read the App in full, and so its label.
        try repo.write("estate/app.yaml", ControllerTests.app("poisoned", "changed"))
        let second = try repo.push("second")
        let named = "App/poisoned: live object poisoned cannot be read: nesting deeper than 512"
        func said() async throws -> Bool {
            String(decoding: try await c.http("GET", "/api/status").1, as: UTF8.self).contains(named)
        }
        #expect(try await c.githubPush() == 202)
        let found = try await c.eventually(15) { try await said() }
        let status = String(decoding: try await c.http("GET", "/api/status").1, as: UTF8.self)
        #expect(found, "\(status)")
        #expect(c.process.isRunning, "the controller did not crash")
        #expect(try await c.http("GET", "/healthz").0 == 200)
        #expect(try await c.condition("Ready")?["status"] as? String == "False")
        #expect(try await c.appliedRevision() == first, "nothing of the second commit was applied")

        // Restarted, it comes up, fails the same way by name, and keeps serving: no crash loop.
        c.terminate()
        try c.start()
        #expect(try await c.eventually(15) { try await said() })
        try await Task.sleep(nanoseconds: 1_000_000_000)
        #expect(c.process.isRunning, "the controller did not crash after its restart")
        #expect(try await c.http("GET", "/healthz").0 == 200)
        #expect(try await c.appliedRevision() != second)
    }
}
