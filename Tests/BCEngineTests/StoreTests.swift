import BCTestSupport
import Foundation
import Testing
@testable import BCEngine

/// The store on a real SQLite file.
@Suite struct StoreTests {
    static func store() throws -> EngineStore {
        try EngineStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("bcops-store-\(UUID().uuidString).sqlite").path)
    }

    @Test func labelFilterMatchesKeysWithDotsAndSlashes() throws {
        let s = try Self.store()
        for (name, ws) in [("a", "prod"), ("b", "dev"), ("c", "prod")] {
            _ = try s.createCluster(name: name, description: #"{"Name":"\#(name)","Labels":{"bcops.io/workspace":"\#(ws)"}}"#, token: nil)
        }
        let (items, next) = try s.clusters(after: nil, limit: 50, labels: ["bcops.io/workspace": "prod"])
        #expect(items.map(\.name) == ["a", "c"])
        #expect(next == "")
        let page = try s.clusters(after: nil, limit: 1, labels: ["bcops.io/workspace": "prod"])
        #expect(page.items.map(\.name) == ["a"])
        let rest = try s.clusters(after: page.next, limit: 1, labels: ["bcops.io/workspace": "prod"])
        #expect(rest.items.map(\.name) == ["c"])
    }

    /// A data directory from before v10 (its instances table still has v3's never-written
    /// `pgid`) opens: the column goes, the jobs stay.
    @Test func anOlderDataDirectoryLosesOnlyTheUnusedProcessGroupColumn() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-store-\(UUID().uuidString).sqlite").path
        let id = try EngineStore(path: path).createJob(name: "old", type: "DAG", priority: 1, description: "{}", token: nil,
                                                      tasks: [(name: "t", instances: 2)])
        // Back to v9: the column as v3 added it, and v10 not applied.
        let sqlite = "/usr/bin/sqlite3"
        try #require(FileManager.default.isExecutableFile(atPath: sqlite), "sqlite3 (apt sqlite3) reads the file as it is")
        let back = try ProcessRunner.run(sqlite, [path, "ALTER TABLE instances ADD COLUMN pgid INTEGER; UPDATE instances SET pgid = 42; "
                                                  + "DELETE FROM grdb_migrations WHERE identifier = 'v10-drop-instance-process-group'"])
        #expect(back.status == 0, "\(back.combined)")
        #expect(try ProcessRunner.run(sqlite, [path, "PRAGMA table_info(instances)"]).stdout.contains("|pgid|"))
        let reopened = try EngineStore(path: path)
        #expect(try reopened.instances(of: id, task: "t").map(\.index) == [0, 1])
        #expect(!(try ProcessRunner.run(sqlite, [path, "PRAGMA table_info(instances)"]).stdout.contains("pgid")))
    }
}
