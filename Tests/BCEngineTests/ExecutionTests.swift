import BCTestSupport
import Foundation
import Testing

/// The engine runs instances for real: timeouts kill the process group, stopping a job kills
/// its running instances, retries follow MaxRetryCount.
@Suite(.serialized) struct ExecutionTests {
    static func cluster(_ engine: EngineProcess, nodes: Int) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "run", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": nodes, "InstanceType": "ecs.sn1.medium"]],
        ] as [String: Any])
        return try await engine.request("POST", "/clusters", body: body).json["Id"] as! String
    }

    static func job(_ cluster: String, command: String, count: Int = 1, timeout: Int = 3600, retries: Int = 0) -> Data {
        try! JSONSerialization.data(withJSONObject: [
            "Name": "run", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": count, "ClusterId": cluster, "Timeout": timeout, "MaxRetryCount": retries,
                                    "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"] as [String: Any],
                                   ] as [String: Any]],
                    "Dependencies": [:] as [String: Any]] as [String: Any],
        ] as [String: Any])
    }

    static func waitFor(_ engine: EngineProcess, _ id: String, seconds: Double = 30, until: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        var job: [String: Any] = [:]
        while Date() < deadline {
            job = try await engine.request("GET", "/jobs/\(id)").json
            if until(job) { return job }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return job
    }

    @Test func timeoutKillsTheWholeProcessGroupAndFailsAfterRetries() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        // A sleep length no other process uses, so counting processes is exact even beside other test runs.
        let sleep = "sleep 30.\(Int.random(in: 100_000...999_999))"
        let cluster = try await Self.cluster(engine, nodes: 1)
        // The child sleeps in the background: only killing the group stops it.
        let created = try await engine.request("POST", "/jobs", body: Self.job(cluster, command: "\(sleep) & echo started; \(sleep)",
                                                                               timeout: 1, retries: 1))
        let id = try #require(created.json["Id"] as? String)
        let job = try await Self.waitFor(engine, id) { $0["State"] as? String == "Failed" }
        #expect(job["State"] as? String == "Failed")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect(instance["RetryCount"] as? Int == 1)
        #expect((instance["Error"] as? [String: Any])?["Code"] as? String == "Timeout")
        let stray = try await Self.pgrep(sleep)
        #expect(stray == 0, "the timed-out instance's process group is gone")
    }

    @Test func stoppingARunningJobKillsItsInstances() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let sleep = "sleep 41.\(Int.random(in: 100_000...999_999))"
        let cluster = try await Self.cluster(engine, nodes: 1)
        let created = try await engine.request("POST", "/jobs", body: Self.job(cluster, command: sleep, count: 2))
        let id = try #require(created.json["Id"] as? String)
        _ = try await Self.waitFor(engine, id) { ($0["InstanceMetrics"] as? [String: Any])?["RunningCount"] as? Int == 2 }
        // Running from the moment the scheduler hands them over; their processes follow.
        var running = 0
        for _ in 0..<100 where running < 2 {
            running = try await Self.pgrep(sleep)
            if running < 2 { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(running == 2)
        let stop = try await engine.request("POST", "/jobs/\(id)/stop")
        #expect(stop.status == 200)
        var left = 2
        for _ in 0..<100 where left > 0 {
            try await Task.sleep(nanoseconds: 50_000_000)
            left = try await Self.pgrep(sleep)
        }
        #expect(left == 0)
        #expect(try await engine.request("GET", "/jobs/\(id)").json["State"] as? String == "Stopped")
    }

    @Test func failingInstanceIsRetriedThenFailsTheJob() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await Self.cluster(engine, nodes: 1)
        let created = try await engine.request("POST", "/jobs", body: Self.job(cluster, command: "echo try >> /tmp/bcops-retry-$BATCH_COMPUTE_DAG_JOB_ID; echo 'Error: no such scene' >&2; echo >&2; exit 3", retries: 2))
        let id = try #require(created.json["Id"] as? String)
        let job = try await Self.waitFor(engine, id) { $0["State"] as? String == "Failed" }
        #expect(job["State"] as? String == "Failed")
        // The reason carries the last thing the program said on stderr.
        #expect(job["Message"] as? String == "instance exited with code 3: Error: no such scene")
        let tries = try String(contentsOfFile: "/tmp/bcops-retry-\(id)", encoding: .utf8)
        #expect(tries.split(separator: "\n").count == 3, "one run and two retries")
        try? FileManager.default.removeItem(atPath: "/tmp/bcops-retry-\(id)")
    }

    static func pgrep(_ pattern: String) async throws -> Int {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        p.arguments = ["-fc", "^\(pattern)$"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        return Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }
}

/// `bcctl oss --local` reaches the object store's directory (OSSCommandTests.swift: through the engine).
@Suite struct OSSCommandTests {
    static func bcctl(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try ProcessRunner.run(ProcessRunner.product("bcctl"), args)
        return (r.status, r.stdout, r.stderr)
    }

    @Test func copyListCatAndRefuseEscapes() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-oss-\(UUID().uuidString)").path
        let local = data + "-scene.blend"
        try "scene".write(toFile: local, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: local) }
        #expect(try Self.bcctl(["oss", "cp", local, "oss://render/scenes/", "--local", "--data", data]).status == 0)
        let name = (local as NSString).lastPathComponent
        #expect(try Self.bcctl(["oss", "ls", "-r", "oss://render/", "--local", "--data", data]).out == "oss://render/scenes/\(name)\n")
        #expect(try Self.bcctl(["oss", "cat", "oss://render/scenes/\(name)", "--local", "--data", data]).out == "scene")
        let escape = try Self.bcctl(["oss", "cat", "oss://render/../../etc/passwd", "--local", "--data", data])
        #expect(escape.status != 0)
        #expect(escape.err.contains("InvalidOSSPath"))
    }
}
