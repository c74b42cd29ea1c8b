import BCTestSupport
import Foundation
import Testing

/// The official `batchcompute` SDK 2.1.7 and `bcs` CLI 1.7.7, unmodified, against the engine.
@Suite(.serialized) struct OfficialClientTests {
    @Test func sdkRoundTripOverClustersAppsAndJobs() throws {
        #expect(FileManager.default.isExecutableFile(atPath: SDKPython.path), "no SDK venv at \(SDKPython.path): run scripts/test.sh")
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try SDKPython.run("sdk_roundtrip.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret,
                                                       engine.dataDirectory])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("all SDK checks passed"))
        #expect(!r.output.contains(engine.credentials.accessKeySecret), "the secret must not be printed")
    }

    @Test func bcsListsJobsAndClusters() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcs-\(UUID().uuidString)").path
        let r = try SDKPython.run("bcs_check.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, home])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.components(separatedBy: "ok   bcs").count == 4)
    }

    /// `bcs log` and `bcs o` use oss2, not the BatchCompute API: the engine answers them too.
    @Test func bcsLogAndOSSCommandsReadTheEnginesObjectStore() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcs-\(UUID().uuidString)").path
        let r = try SDKPython.run("bcs_logs.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, home])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
        #expect(r.output.components(separatedBy: "ok   bcs").count == 11)
        let escaped = (engine.dataDirectory as NSString).deletingLastPathComponent + "/escaped.txt"
        #expect(!FileManager.default.fileExists(atPath: escaped) && !FileManager.default.fileExists(atPath: engine.dataDirectory + "/escaped.txt"))
    }
}
