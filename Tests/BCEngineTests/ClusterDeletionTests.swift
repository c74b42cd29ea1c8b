import BCTestSupport
import Foundation
import Testing

/// Deleting a cluster fails the jobs that use it, at once and saying so (issue 13, item 6):
/// they used to wait for its nodes forever.
@Suite(.serialized) struct ClusterDeletionTests {
    static func state(_ engine: EngineProcess, _ id: String) async throws -> (state: String, message: String) {
        let job = try await engine.request("GET", "/jobs/\(id)").json
        return (job["State"] as? String ?? "", job["Message"] as? String ?? "")
    }

    @Test func aJobWaitingOnADeletedClusterFailsWithThatReason() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await ExecutionTests.cluster(engine, nodes: 0)
        let created = try await engine.request("POST", "/jobs", body: ExecutionTests.job(cluster, command: "echo never"))
        let id = try #require(created.json["Id"] as? String)
        try await Task.sleep(nanoseconds: 600_000_000)  // the scheduler has seen it and left it waiting
        #expect(try await Self.state(engine, id).state == "Waiting")
        #expect(try await engine.request("DELETE", "/clusters/\(cluster)").status == 200)
        // In the delete's own transaction: failed by the time the delete answered.
        let after = try await Self.state(engine, id)
        #expect(after.state == "Failed" && after.message == "cluster \(cluster) was deleted", "\(after)")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect(instance["State"] as? String == "Failed")
        #expect((instance["Error"] as? [String: Any])?["Message"] as? String == "cluster \(cluster) was deleted", "\(instance)")
    }

    @Test func aRunningJobWhoseClusterIsDeletedIsStopped() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let sleep = "sleep 43.\(Int.random(in: 100_000...999_999))"
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        let created = try await engine.request("POST", "/jobs", body: ExecutionTests.job(cluster, command: sleep))
        let id = try #require(created.json["Id"] as? String)
        _ = try await ExecutionTests.waitFor(engine, id) { ($0["InstanceMetrics"] as? [String: Any])?["RunningCount"] as? Int == 1 }
        #expect(try await ExecutionTests.pgrep(sleep) == 1)
        #expect(try await engine.request("DELETE", "/clusters/\(cluster)").status == 200)
        let after = try await Self.state(engine, id)
        #expect(after.state == "Failed" && after.message == "cluster \(cluster) was deleted", "\(after)")
        var left = 1
        for _ in 0..<100 where left > 0 {
            try await Task.sleep(nanoseconds: 50_000_000)
            left = try await ExecutionTests.pgrep(sleep)
        }
        #expect(left == 0, "its instance was stopped with the cluster")
        #expect(try await Self.state(engine, id).state == "Failed")
    }

    /// A later task on the deleted cluster fails the job now, not when that task's turn comes.
    @Test func aJobWithALaterTaskOnTheDeletedClusterFailsNow() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let sleep = "sleep 44.\(Int.random(in: 100_000...999_999))"
        let first = try await ExecutionTests.cluster(engine, nodes: 1)
        let second = try await ExecutionTests.cluster(engine, nodes: 1)
        let task: (String, String) -> [String: Any] = { cluster, command in
            ["InstanceCount": 1, "ClusterId": cluster, "Timeout": 600, "MaxRetryCount": 0,
             "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                            "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"] as [String: Any]]
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "two", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["a": task(first, sleep), "b": task(second, "echo b")], "Dependencies": ["a": ["b"]]] as [String: Any],
        ] as [String: Any])
        let id = try #require(try await engine.request("POST", "/jobs", body: body).json["Id"] as? String)
        _ = try await ExecutionTests.waitFor(engine, id) { ($0["InstanceMetrics"] as? [String: Any])?["RunningCount"] as? Int == 1 }
        #expect(try await engine.request("DELETE", "/clusters/\(second)").status == 200)
        let after = try await Self.state(engine, id)
        #expect(after.state == "Failed" && after.message == "cluster \(second) was deleted", "\(after)")
        var left = 1
        for _ in 0..<100 where left > 0 {
            try await Task.sleep(nanoseconds: 50_000_000)
            left = try await ExecutionTests.pgrep(sleep)
        }
        #expect(left == 0)
    }
}
