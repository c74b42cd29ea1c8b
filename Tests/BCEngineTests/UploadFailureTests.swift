import BCTestSupport
import Foundation
import Testing

/// An instance whose logs cannot reach OSS has not done its job: it fails, saying which upload
/// failed, where to and why (the upload used to be dropped without a word, and the instance
/// reported Finished with its log missing).
@Suite(.serialized) struct UploadFailureTests {
    /// An object store where `oss://b/logs/` cannot hold anything: `logs` is a file, not a prefix.
    static func blockedLogs(_ engine: EngineProcess) throws {
        let bucket = engine.dataDirectory + "/oss/b"
        try FileManager.default.createDirectory(atPath: bucket, withIntermediateDirectories: true)
        try "not a directory\n".write(toFile: bucket + "/logs", atomically: true, encoding: .utf8)
    }

    @Test func aLogThatCannotBeUploadedFailsTheInstanceWithTheReason() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        try Self.blockedLogs(engine)
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        let created = try await engine.request("POST", "/jobs", body: ExecutionTests.job(cluster, command: "echo hello"))
        let id = try #require(created.json["Id"] as? String, "\(created.json)")
        let job = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(job["State"] as? String == "Failed", "\(job)")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        let error = try #require(instance["Error"] as? [String: Any], "\(instance)")
        #expect(error["Code"] as? String == "UploadFailed")
        let message = error["Message"] as? String ?? ""
        #expect(message == "cannot upload stdout log to oss://b/logs/stdout.\(id).t.0: oss://b/logs is an object, not a folder; "
                + "cannot upload stderr log to oss://b/logs/stderr.\(id).t.0: oss://b/logs is an object, not a folder")
        #expect(job["Message"] as? String == message, "the job says why it failed")
    }

    @Test func aFailedProgramKeepsItsOwnReasonFirst() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        try Self.blockedLogs(engine)
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        let created = try await engine.request("POST", "/jobs", body: ExecutionTests.job(cluster, command: "sh -c 'echo broken >&2; exit 3'"))
        let id = try #require(created.json["Id"] as? String, "\(created.json)")
        let job = try await ExecutionTests.waitFor(engine, id) { ["Finished", "Failed"].contains($0["State"] as? String ?? "") }
        #expect(job["State"] as? String == "Failed", "\(job)")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect((instance["Error"] as? [String: Any])?["Code"] as? String == "NonZeroExitCode", "\(instance)")
        let message = (instance["Error"] as? [String: Any])?["Message"] as? String ?? ""
        #expect(message.hasPrefix("instance exited with code 3: broken; cannot upload stdout log to oss://b/logs/"), "\(message)")
    }
}
