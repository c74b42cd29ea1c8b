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
}
