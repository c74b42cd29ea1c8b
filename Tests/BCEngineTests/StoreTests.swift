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

    /// Apps list their latest revision only, by name, page by page, filtered by the latest
    /// revision's labels (each page reads from its marker through the primary key).
    @Test func appsPageTheirLatestRevisionsByName() throws {
        let s = try Self.store()
        func app(_ name: String, _ ws: String) -> String { #"{"Name":"\#(name)","Labels":{"bcops.io/workspace":"\#(ws)","team":"\#(ws)"}}"# }
        for name in ["e", "b", "d", "a", "c"] { try s.createApp(name: name, description: app(name, "prod")) }
        try s.modifyApp(name: "b", description: app("b", "dev"))   // b's latest revision moved to dev
        try s.modifyApp(name: "d", description: app("d", "prod"))
        try s.modifyApp(name: "d", description: app("d", "prod"))
        let all = try s.apps(after: nil, limit: 50)
        #expect(all.items.map(\.name) == ["a", "b", "c", "d", "e"])
        #expect(all.items.map(\.revision) == [1, 2, 1, 3, 1])
        #expect(all.next == "")
        for labels in [["bcops.io/workspace": "prod"], ["team": "prod"], ["bcops.io/workspace": "prod", "team": "prod"]] {
            var names: [String] = []
            var marker: String?
            repeat {
                let page = try s.apps(after: marker, limit: 2, labels: labels)
                #expect(page.items.count <= 2)
                names += page.items.map(\.name)
                marker = page.next
            } while marker != ""
            #expect(names == ["a", "c", "d", "e"], "\(labels)")
        }
        #expect(try s.apps(after: "c", limit: 50, labels: ["team": "dev"]).items.map(\.name) == [])
        #expect(try s.apps(after: nil, limit: 50, labels: ["team": "dev"]).items.map { "\($0.name)@\($0.revision)" } == ["b@2"])
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
