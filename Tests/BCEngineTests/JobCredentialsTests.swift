import BCAPI
import BCTestSupport
import Foundation
import Testing

/// A job's own access key (what the workflow runner submits its calls with): derived from the
/// engine's secret, good while the job runs, limited to reading and to jobs, and refused once
/// the job has ended. The public `cromwell` App is listed and read as BatchCompute's was.
@Suite(.serialized) struct JobCredentialsTests {
    static func body(_ o: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: o) }

    /// The derivation the engine documents (JobCredentials): HMAC-SHA256 of the job id under its secret.
    static func key(_ engine: EngineProcess, job: String) -> (id: String, secret: String) {
        let mac = HMACDigest.sha256.mac(key: Array(engine.credentials.accessKeySecret.utf8), message: Array(("bcops-job-credential:" + job).utf8))
        return ("job." + job, mac.map { String(format: "%02x", $0) }.joined())
    }

    static func sleeper(_ engine: EngineProcess, seconds: Int) async throws -> String {
        let job = try await engine.request("POST", "/jobs", body: body([
            "Name": "sleeper", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": "sleep \(seconds)", "PackagePath": ""],
                                                   "StdoutRedirectPath": "", "StderrRedirectPath": ""]]]],
        ]))
        return try #require(job.json["Id"] as? String, "\(job.json)")
    }

    @Test func aRunningJobsKeyReadsAndSubmitsJobsButChangesNothingElse() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let running = try await Self.sleeper(engine, seconds: 30)
        let key = Self.key(engine, job: running)
        let list = try await engine.request("GET", "/jobs", accessKeyId: key.id, secret: key.secret)
        #expect(list.status == 200, "\(list.json)")
        let submitted = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "call", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": "true", "PackagePath": ""],
                                                   "StdoutRedirectPath": "", "StderrRedirectPath": ""]]]],
        ]), accessKeyId: key.id, secret: key.secret)
        #expect(submitted.status == 201, "\(submitted.json)")
        let cluster = try await engine.request("POST", "/clusters", body: Self.body([
            "Name": "c", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]]]),
            accessKeyId: key.id, secret: key.secret)
        #expect(cluster.status == 403, "\(cluster.json)")
        #expect(cluster.json["Code"] as? String == "Forbidden")
        // A wrong secret for the same key is a bad signature, as for the engine's own key.
        let forged = try await engine.request("GET", "/jobs", accessKeyId: key.id, secret: key.secret + "0")
        #expect(forged.status == 403)
        #expect(forged.json["Code"] as? String == "SignatureDoesNotMatch")

        _ = try await engine.request("POST", "/jobs/\(running)/stop")
        _ = try await ExecutionTests.waitFor(engine, running) { ["Stopped", "Failed", "Finished"].contains($0["State"] as? String ?? "") }
        // Refused once the stopped job's instance has ended (at its SIGTERM, for a sleep).
        var after = try await engine.request("GET", "/jobs", accessKeyId: key.id, secret: key.secret)
        let deadline = Date().addingTimeInterval(15)
        while after.status == 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            after = try await engine.request("GET", "/jobs", accessKeyId: key.id, secret: key.secret)
        }
        #expect(after.status == 403)
        #expect(after.json["Code"] as? String == "InvalidAccessKeyId.NotFound")
        // A job that never existed has no key either.
        let made = Self.key(engine, job: "job-00000000000000000000000000009999")
        #expect(try await engine.request("GET", "/jobs", accessKeyId: made.id, secret: made.secret).status == 403)
    }

    /// A stopped job's instances get SIGTERM and the grace before SIGKILL (`--stop-grace`), and
    /// the job's key stays good meanwhile (a runner writes its last metadata with it), then is
    /// refused: here an instance that ignores SIGTERM uses the key after the stop, until its
    /// SIGKILL.
    @Test func aStoppedJobsKeyLastsAsLongAsItsInstancesGrace() async throws {
        let engine = try EngineProcess(arguments: ["--stop-grace", "3s"])
        defer { engine.stop() }
        // The instance says when its trap is set: Running in the store means handed over, and a
        // SIGTERM before the `trap` ran would end the shell at once.
        let ready = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-trap-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: ready) }
        let job = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "stubborn", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": "trap 'echo got TERM' TERM; touch \(ready); while :; do sleep 0.1; done",
                                                               "PackagePath": ""],
                                                   "StdoutRedirectPath": "", "StderrRedirectPath": ""]]]],
        ]))
        let id = try #require(job.json["Id"] as? String, "\(job.json)")
        let key = Self.key(engine, job: id)
        _ = try await ExecutionTests.waitFor(engine, id) { $0["State"] as? String == "Running" }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: ready) { try await Task.sleep(for: .milliseconds(50)) }
        try #require(FileManager.default.fileExists(atPath: ready), "the instance never set its trap")
        let stoppedAt = Date()
        _ = try await engine.request("POST", "/jobs/\(id)/stop")
        let during = try await engine.request("GET", "/jobs/\(id)", accessKeyId: key.id, secret: key.secret)
        #expect(during.status == 200, "the key of a job whose instance is still ending: \(during.json)")
        #expect(during.json["State"] as? String == "Stopped")
        var after = during
        while after.status == 200 && Date().timeIntervalSince(stoppedAt) < 20 {
            try await Task.sleep(for: .milliseconds(100))
            after = try await engine.request("GET", "/jobs", accessKeyId: key.id, secret: key.secret)
        }
        #expect(after.status == 403, "refused once the grace ended with a SIGKILL")
        #expect(Date().timeIntervalSince(stoppedAt) >= 2.5, "the instance had its grace before the SIGKILL")
    }

    /// A workflow's calls never outlive it: the jobs a job submitted with its own key stop
    /// when it ends, here by StopJob, and their processes with them.
    @Test func jobsAJobSubmittedStopWhenItEnds() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let parent = try await Self.sleeper(engine, seconds: 30)
        let key = Self.key(engine, job: parent)
        // A sleep no other test runs: its seconds carry a random fraction.
        let marker = "sleep 30.\(Int.random(in: 100_000...999_999))"
        let child = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "call", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": 1, "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": marker, "PackagePath": ""],
                                                   "StdoutRedirectPath": "", "StderrRedirectPath": ""]]]],
        ]), accessKeyId: key.id, secret: key.secret)
        let childId = try #require(child.json["Id"] as? String, "\(child.json)")
        _ = try await ExecutionTests.waitFor(engine, childId) { $0["State"] as? String == "Running" }
        // An unrelated job (the engine's own key) is nobody's child and keeps running.
        let other = try await Self.sleeper(engine, seconds: 30)
        _ = try await engine.request("POST", "/jobs/\(parent)/stop")
        let stopped = try await ExecutionTests.waitFor(engine, childId) { $0["State"] as? String != "Running" }
        #expect(stopped["State"] as? String == "Stopped", "\(stopped)")
        #expect((stopped["Message"] as? String ?? "").contains("the job that submitted it, \(parent), ended"), "\(stopped)")
        #expect(try await engine.request("GET", "/jobs/\(other)").json["State"] as? String != "Stopped")
        let deadline = Date().addingTimeInterval(10)
        var left = true
        while left && Date() < deadline {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
            p.arguments = ["-f", marker]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            left = p.terminationStatus == 0
            if left { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(!left, "the child's process outlived its stopped job")
    }

    @Test func thePublicCromwellAppIsListedAndReadAsPublic() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let list = try await engine.request("GET", "/apps?Scope=Public")
        let names = (list.json["Items"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
        #expect(names == ["cromwell"], "\(list.json)")
        let app = try await engine.request("GET", "/apps/cromwell?Scope=Public")
        #expect(app.status == 200)
        let inputs = (app.json["InputParameters"] as? [String: Any] ?? [:]).keys.sorted()
        #expect(inputs == ["DEPENDS_ON", "WDL", "WORKFLOW_ID", "WORKFLOW_INPUTS", "WORKFLOW_OPTIONS", "WORKING_DIR"])
        // Not a private App: `bcs asub` falls back to the public one and names it `:cromwell`.
        #expect(try await engine.request("GET", "/apps/cromwell").status == 404)
        let unknown = try await engine.request("POST", "/jobs", body: Self.body([
            "Name": "w", "Type": "App", "App": ["AppName": ":nosuch", "Inputs": [:]]]))
        #expect(unknown.status == 404, "\(unknown.json)")
    }
}
