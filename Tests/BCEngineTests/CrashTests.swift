import BCTestSupport
import Foundation
import Testing

/// SIGKILL the engine three times during a 200-instance job: after the restarts the job
/// finishes with exactly 200 results, one stdout object per instance, none twice.
@Suite(.serialized) struct CrashTests {
    @Test func killedThreeTimesDuringA200InstanceJob() async throws {
        var engine = try EngineProcess()
        let dir = engine.dataDirectory
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)  // 2 slots
        let body = ExecutionTests.job(cluster, command: "echo $BATCH_COMPUTE_DAG_INSTANCE_ID; sleep 0.02", count: 200)
        let created = try await engine.request("POST", "/jobs", body: body)
        let id = try #require(created.json["Id"] as? String)

        for round in 0..<3 {
            // Let some instances run, then kill the engine mid-flight and start it again.
            let target = 30 * (round + 1)
            _ = try await ExecutionTests.waitFor(engine, id, seconds: 60) {
                (($0["InstanceMetrics"] as? [String: Any])?["FinishedCount"] as? Int ?? 0) >= target
            }
            try await Task.sleep(nanoseconds: UInt64.random(in: 0...30_000_000))
            engine.kill()
            engine = try EngineProcess(dataDirectory: dir)
        }
        defer { engine.stop() }
        let job = try await ExecutionTests.waitFor(engine, id, seconds: 120) { $0["State"] as? String == "Finished" }
        #expect(job["State"] as? String == "Finished")
        #expect((job["InstanceMetrics"] as? [String: Any])?["FinishedCount"] as? Int == 200)

        let logs = dir + "/oss/b/logs"
        let objects = try FileManager.default.contentsOfDirectory(atPath: logs).filter { $0.hasPrefix("stdout.\(id).t.") }
        #expect(objects.count == 200)
        #expect(Set(objects).count == 200)
        for n in [0, 57, 199] {
            let text = try String(contentsOfFile: "\(logs)/stdout.\(id).t.\(n)", encoding: .utf8)
            #expect(text == "\(n)\n")
        }
        #expect((try FileManager.default.contentsOfDirectory(atPath: logs)).allSatisfy { $0.hasPrefix("stdout.") || $0.hasPrefix("stderr.") }, "no half-written object")
    }
}
