import BCAPI
import GRDB

/// What changed in each workspace's inventory, in order, so that a controller holding the
/// inventory it read at one commit reads at the next only what moved (`InventoryAnswer`):
/// at 10,000 objects the whole inventory is the largest part of a one-line commit.
///
/// Triggers write the log, so every way an object changes (the API, the scheduler, a
/// parent job's trigger stopping its children, a restarted engine settling what it found)
/// is logged in the same transaction as the change, and no writer can forget to.
extension EngineStore {
    /// How many log entries are kept: a cursor older than that gets the whole inventory.
    static let inventoryLogKept = 262_144

    static func createInventoryLog(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE inventory_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL,
                                        collection TEXT NOT NULL, id TEXT NOT NULL);
            CREATE INDEX inventory_log_by_workspace ON inventory_log(workspace, seq);
            CREATE TABLE inventory_log_meta (epoch TEXT NOT NULL, pruned_through INTEGER NOT NULL);
            INSERT INTO inventory_log_meta VALUES (lower(hex(randomblob(16))), 0);
            CREATE TRIGGER inventory_log_prune AFTER INSERT ON inventory_log WHEN NEW.seq % 4096 = 0
            BEGIN
              DELETE FROM inventory_log WHERE seq <= NEW.seq - \(inventoryLogKept);
              UPDATE inventory_log_meta SET pruned_through = MAX(pruned_through, NEW.seq - \(inventoryLogKept));
            END;
            """)
        // Each change is logged under the workspace the object had and the one it has (the
        // same, but for a relabelled object); objects of no workspace are not logged.
        let old = workspaceLabel("OLD.description"), new = workspaceLabel("NEW.description")
        func log(_ collection: String, id: String, workspaces: [String]) -> String {
            let union = workspaces.map { "SELECT \($0) AS w" }.joined(separator: " UNION ")
            return "INSERT INTO inventory_log (workspace, collection, id) SELECT w, '\(collection)', \(id) FROM (\(union)) WHERE w IS NOT NULL;"
        }
        // An app changes by a new revision: the workspace it leaves is its previous revision's.
        let previousApp = "(SELECT \(workspaceLabel("p.description")) FROM apps p WHERE p.name = NEW.name AND p.revision < NEW.revision ORDER BY p.revision DESC LIMIT 1)"
        for (table, collection, key, updated, inserted) in [("clusters", "clusters", "id", "", [new]), ("apps", "apps", "name", "", [new, previousApp]),
                                                            ("jobs", "jobs", "id", " OF state, message, description, end_time", [new])] {
            try db.execute(sql: """
                CREATE TRIGGER \(table)_inventory_insert AFTER INSERT ON \(table)
                BEGIN \(log(collection, id: "NEW.\(key)", workspaces: inserted)) END;
                CREATE TRIGGER \(table)_inventory_update AFTER UPDATE\(updated) ON \(table)
                BEGIN \(log(collection, id: "NEW.\(key)", workspaces: [old, new])) END;
                CREATE TRIGGER \(table)_inventory_delete AFTER DELETE ON \(table)
                BEGIN \(log(collection, id: "OLD.\(key)", workspaces: [old])) END;
                """)
        }
    }

    /// One owned object, briefly: what a plan needs to know whether it changed since it was applied.
    public struct InventoryItem: Sendable {
        public var collection: String
        public var id: String
        public var revision: Int
        public var state: String
        public var message: String
        /// The labels as JSON text, without the per-field hashes (`bcops.io/fields`).
        public var labels: String
        /// A job's end (seconds since 1970), once it has ended.
        public var endTime: Double? = nil
    }

    /// The inventory as one read: in full, or what changed since `since` (an earlier answer's
    /// cursor) when the log still holds every change since then.
    public struct InventoryRead: Sendable {
        public var items: [InventoryItem]
        /// Objects the workspace owned at `since` and no longer owns (`complete` is false).
        public var removed: [(collection: String, id: String)]
        public var cursor: String
        public var complete: Bool
    }

    public func inventory(workspace: String, since: String?) throws -> InventoryRead {
        try pool.read { db in
            let meta = try Row.fetchOne(db, sql: "SELECT epoch, pruned_through FROM inventory_log_meta")!
            let epoch: String = meta["epoch"], pruned: Int64 = meta["pruned_through"]
            let last = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'inventory_log'") ?? 0
            let cursor = "\(epoch).\(last)"
            // A cursor of another store (a new data directory), of changes pruned from the log,
            // or from a future this store never reached: the whole inventory.
            guard let since, let dot = since.lastIndex(of: "."), since[..<dot] == epoch,
                  let from = Int64(since[since.index(after: dot)...]), from >= pruned, from <= last else {
                return InventoryRead(items: try inventory(db, workspace: workspace, changedSince: nil), removed: [], cursor: cursor, complete: true)
            }
            let items = try inventory(db, workspace: workspace, changedSince: from)
            let present = Set(items.map { "\($0.collection)/\($0.id)" })
            var removed: [(collection: String, id: String)] = []
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT collection, id FROM inventory_log WHERE workspace = ? AND seq > ?",
                                        arguments: [workspace, from]) {
                let collection: String = row["collection"], id: String = row["id"]
                if !present.contains("\(collection)/\(id)") { removed.append((collection, id)) }
            }
            return InventoryRead(items: items, removed: removed, cursor: cursor, complete: false)
        }
    }

    /// Everything a workspace owns, through the workspace index (no description is parsed in
    /// Swift: SQLite's JSON functions pick out the labels); or of it only the objects logged
    /// after `changedSince`. Clusters, apps, then jobs in submission order: attempts of a run
    /// come oldest first.
    func inventory(_ db: Database, workspace: String, changedSince: Int64?) throws -> [InventoryItem] {
        let sql = Self.inventorySQL(changed: changedSince != nil)
        let arguments: StatementArguments = changedSince.map { [workspace, $0] } ?? [workspace]
        var out: [InventoryItem] = []
        for row in try Row.fetchAll(db, sql: sql.clusters, arguments: arguments) {
            out.append(InventoryItem(collection: "clusters", id: row["id"], revision: row["revision"], state: row["state"], message: "", labels: row["labels"]))
        }
        for row in try Row.fetchAll(db, sql: sql.apps, arguments: arguments) {
            out.append(InventoryItem(collection: "apps", id: row["name"], revision: row["revision"], state: "", message: "", labels: row["labels"]))
        }
        for row in try Row.fetchAll(db, sql: sql.jobs, arguments: arguments) {
            out.append(InventoryItem(collection: "jobs", id: row["id"], revision: 1, state: row["state"], message: row["message"], labels: row["labels"],
                                     endTime: row["end_time"]))
        }
        return out
    }

    /// The inventory's queries (`?1` the workspace, `?2` the log's sequence number).
    ///
    /// What changed drives the `changed` queries: the log's entries after the cursor, by
    /// sequence (every workspace's, so a read costs what changed in the engine since the last
    /// one, not an index insert per change), then each object by its key (CROSS JOIN fixes that
    /// order, and the unary + keeps SQLite off the workspace index, which it would otherwise
    /// search for each entry): a one-object change costs one lookup, not a pass over 30,000
    /// rows. InventoryLogTests holds the query plans to that.
    static func inventorySQL(changed: Bool) -> (clusters: String, apps: String, jobs: String) {
        func labels(_ table: String) -> String {
            "COALESCE(json_remove(json_extract(\(table).description, '$.Labels'), '$.\"bcops.io/fields\"'), '{}')"
        }
        func from(_ table: String, _ collection: String, _ key: String) -> String {
            let workspace = workspaceLabel("\(table).description") + " = ?1"
            guard changed else { return "\(table) WHERE \(workspace)" }
            return """
                (SELECT DISTINCT id AS changed FROM inventory_log WHERE workspace = ?1 AND seq > ?2 AND collection = '\(collection)')
                CROSS JOIN \(table) ON \(table).\(key) = changed WHERE +\(workspace)
                """
        }
        return (
            clusters: "SELECT id, revision, state, \(labels("clusters")) AS labels FROM \(from("clusters", "clusters", "id"))",
            apps: """
                SELECT apps.name, apps.revision, \(labels("apps")) AS labels FROM \(from("apps", "apps", "name"))
                  AND apps.revision = (SELECT MAX(revision) FROM apps m WHERE m.name = apps.name)
                """,
            jobs: "SELECT id, state, COALESCE(message, '') AS message, \(labels("jobs")) AS labels, end_time FROM \(from("jobs", "jobs", "id")) ORDER BY jobs.seq")
    }
}
