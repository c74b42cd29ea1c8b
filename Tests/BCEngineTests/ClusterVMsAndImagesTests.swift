import BCTestSupport
import Foundation
import Testing
@testable import BCEngine

/// Cluster VMs (`/clusters/{id}/groups/{g}/instances…`) and `/images`, through the official
/// SDK 2.1.7 and `bcs` 1.7.7, unmodified.
@Suite(.serialized) struct ClusterVMsAndImagesTests {
    /// Images, image checks on clusters and AutoClusters, and VMs listed, paged, got,
    /// recreated, deleted and resized; then the engine restarts on the same data directory and
    /// no VM id seen before comes back.
    @Test func sdkClusterVMsAndImagesAndIdsNeverReusedAcrossARestart() throws {
        #expect(FileManager.default.isExecutableFile(atPath: SDKPython.path), "no SDK venv at \(SDKPython.path): run scripts/test.sh")
        let engine = try EngineProcess()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-vms-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try SDKPython.run("sdk_clusters_images.py", [String(engine.port), engine.credentials.accessKeyId,
                                                                 engine.credentials.accessKeySecret, state])
        engine.stop()
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("all cluster VM and image checks passed"), "\(first.output)")
        guard first.status == 0 else { return }

        let restarted = try EngineProcess(dataDirectory: engine.dataDirectory)
        defer { restarted.stop() }
        let second = try SDKPython.run("sdk_clusters_images.py", [String(restarted.port), restarted.credentials.accessKeyId,
                                                                  restarted.credentials.accessKeySecret, state, "after-restart"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("all checks after restart passed"), "\(second.output)")
    }

    @Test func bcsImageAndClusterInstanceVerbs() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcs-\(UUID().uuidString)").path
        let r = try SDKPython.run("bcs_clusters_images.py", [String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, home])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("FAIL"), "\(r.output)")
        #expect(r.output.components(separatedBy: "ok   bcs").count == 16, "\(r.output)")
    }

    /// A database from before cluster VMs gives its clusters their VMs when an engine opens
    /// it (migration v8).
    @Test func clustersFromBeforeTheMigrationGetTheirVMs() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-store-\(UUID().uuidString).sqlite").path
        let old = try EngineStore(path: path)
        let id = try old.createCluster(name: "old", description: #"{"Name":"old","ImageId":"img-ubuntu","Groups":{"a":{"DesiredVMCount":2},"b":{"DesiredVMCount":1}}}"#,
                                       token: nil)
        // As an engine of before left it: no VM tables, v8 not applied.
        try old.pool.write { db in
            try db.execute(sql: """
                DROP TABLE cluster_vms; DROP TABLE cluster_oplogs; DROP TABLE images;
                DELETE FROM grdb_migrations WHERE identifier = 'v8-cluster-vms-and-images';
                """)
        }
        let store = try EngineStore(path: path)
        let a = try store.clusterVMs(cluster: id, group: "a", after: nil, limit: 10)
        let b = try store.clusterVMs(cluster: id, group: "b", after: nil, limit: 10)
        #expect(a.items.count == 2 && b.items.count == 1)
        #expect((a.items + b.items).allSatisfy { $0.id.hasPrefix("i-") && $0.state == "Running" })
    }
}
