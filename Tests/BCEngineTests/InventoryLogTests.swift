import BCTestSupport
import Foundation
import GRDB
import Testing
@testable import BCEngine

/// The inventory log on a real SQLite file: what `GET /bcops/inventory?Since=` answers.
@Suite struct InventoryLogTests {
    static func app(_ name: String, _ workspace: String, _ note: String = "") -> String {
        #"{"Name":"\#(name)","Description":"\#(note)","Labels":{"bcops.io/workspace":"\#(workspace)","bcops.io/address":"App/\#(name)"}}"#
    }

    @Test func changesAreListedOnceAndLeavingObjectsAsRemoved() throws {
        let s = try StoreTests.store()
        try s.createApp(name: "a", description: Self.app("a", "w"))
        try s.createApp(name: "b", description: Self.app("b", "w"))
        let first = try s.inventory(workspace: "w", since: nil)
        #expect(first.complete && first.items.map(\.id) == ["a", "b"])

        // b revised twice, then moved to another workspace by a third revision; c created; a
        // unchanged; an app of no workspace and one of another workspace are not listed.
        try s.modifyApp(name: "b", description: Self.app("b", "w", "two"))
        try s.modifyApp(name: "b", description: Self.app("b", "w", "three"))
        try s.createApp(name: "c", description: Self.app("c", "w"))
        try s.createApp(name: "x", description: #"{"Name":"x"}"#)
        try s.createApp(name: "y", description: Self.app("y", "elsewhere"))
        let second = try s.inventory(workspace: "w", since: first.cursor)
        #expect(!second.complete && second.items.map(\.id) == ["b", "c"] && second.items.first?.revision == 3 && second.removed.isEmpty)

        try s.modifyApp(name: "b", description: Self.app("b", "elsewhere"))
        try s.deleteApp("c", revision: nil)
        let third = try s.inventory(workspace: "w", since: second.cursor)
        #expect(!third.complete && third.items.isEmpty)
        #expect(third.removed.map(\.id).sorted() == ["b", "c"] && third.removed.allSatisfy { $0.collection == "apps" })
        // The other workspace sees b arrive.
        let elsewhere = try s.inventory(workspace: "elsewhere", since: second.cursor)
        #expect(elsewhere.items.map(\.id) == ["b"])
    }

    @Test func aCursorOlderThanTheKeptLogGetsTheWholeInventory() throws {
        let s = try StoreTests.store()
        try s.createApp(name: "a", description: Self.app("a", "w"))
        let old = try s.inventory(workspace: "w", since: nil).cursor
        // More changes than the log keeps, written as the triggers write them.
        try s.pool.write { db in
            let insert = try db.makeStatement(sql: "INSERT INTO inventory_log (workspace, collection, id) VALUES ('other', 'apps', 'z')")
            for _ in 0..<(EngineStore.inventoryLogKept + 8_192) { try insert.execute() }
        }
        let kept = try s.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inventory_log")! }
        #expect(kept <= EngineStore.inventoryLogKept + 4_096)
        let answer = try s.inventory(workspace: "w", since: old)
        #expect(answer.complete && answer.items.map(\.id) == ["a"])
        // A recent cursor still gets what changed.
        try s.modifyApp(name: "a", description: Self.app("a", "w", "two"))
        let recent = try s.inventory(workspace: "w", since: answer.cursor)
        #expect(!recent.complete && recent.items.map(\.id) == ["a"])
    }

    @Test func clusterAndJobChangesAreLogged() throws {
        let s = try StoreTests.store()
        let first = try s.inventory(workspace: "w", since: nil)
        let cluster = try s.createCluster(name: "c", description: #"{"Name":"c","Labels":{"bcops.io/workspace":"w","bcops.io/address":"Cluster/c"}}"#, token: nil)
        let job = try s.createJob(name: "j", type: "DAG", priority: 1,
                                  description: #"{"Name":"j","Labels":{"bcops.io/workspace":"w","bcops.io/address":"Job/j"}}"#, token: nil,
                                  tasks: [("t", 1)])
        let second = try s.inventory(workspace: "w", since: first.cursor)
        #expect(Set(second.items.map(\.id)) == [cluster, job])
        try s.pool.write { db in try db.execute(sql: "UPDATE jobs SET state = 'Stopped' WHERE id = ?", arguments: [job]) }
        let third = try s.inventory(workspace: "w", since: second.cursor)
        #expect(third.items.map(\.id) == [job] && third.items.first?.state == "Stopped")
        try s.pool.write { db in
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [job])
            try db.execute(sql: "DELETE FROM clusters WHERE id = ?", arguments: [cluster])
        }
        let fourth = try s.inventory(workspace: "w", since: third.cursor)
        #expect(fourth.items.isEmpty && Set(fourth.removed.map(\.id)) == [cluster, job])
    }

    /// A read of what changed looks each logged object up by its key; only the full read goes
    /// through the workspace index (a search per logged entry of it would be a pass over the
    /// workspace per change).
    @Test func aReadOfWhatChangedLooksObjectsUpByKey() throws {
        let s = try StoreTests.store()
        func plan(_ sql: String, _ arguments: StatementArguments) throws -> String {
            try s.pool.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(separator: "; ") }
        }
        let (delta, full) = (EngineStore.inventorySQL(changed: true), EngineStore.inventorySQL(changed: false))
        for (table, key, sql) in [("clusters", "id", delta.clusters), ("apps", "name", delta.apps), ("jobs", "id", delta.jobs)] {
            let p = try plan(sql, ["w", 0])
            #expect(p.contains("SEARCH inventory_log USING INTEGER PRIMARY KEY (rowid>?)"), "\(p)")
            #expect(p.contains("SEARCH \(table) USING INDEX sqlite_autoindex_\(table)_1 (\(key)=?)"), "\(p)")
            #expect(!p.contains("\(table)_workspace") && !p.contains("SCAN \(table)"), "\(p)")
        }
        for (table, sql) in [("clusters", full.clusters), ("apps", full.apps), ("jobs", full.jobs)] {
            let p = try plan(sql, ["w"])
            #expect(p.contains("SEARCH \(table) USING INDEX \(table)_workspace"), "\(p)")
        }
    }
}
