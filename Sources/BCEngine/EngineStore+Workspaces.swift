import BCAPI
import Foundation
import GRDB

/// bcops' extensions for plan/apply: a per-workspace state serial with a lineage, and
/// leased locks that expire by themselves when their holder stops renewing them.
extension EngineStore {
    public struct WorkspaceState: Sendable, Equatable {
        public var name: String
        public var lineage: String
        public var serial: Int
    }

    /// The workspace's lineage and serial, created on first use.
    public func workspace(_ name: String) throws -> WorkspaceState {
        try pool.write { db in try EngineStore.workspace(db, name) }
    }

    /// Increments the serial (after a change the workspace made) and returns the new state.
    public func bumpSerial(_ name: String) throws -> WorkspaceState {
        try pool.write { db in
            _ = try EngineStore.workspace(db, name)
            try db.execute(sql: "UPDATE workspaces SET serial = serial + 1 WHERE name = ?", arguments: [name])
            return try EngineStore.workspace(db, name)
        }
    }

    static func workspace(_ db: Database, _ name: String) throws -> WorkspaceState {
        if let r = try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE name = ?", arguments: [name]) {
            return WorkspaceState(name: r["name"], lineage: r["lineage"], serial: r["serial"])
        }
        let lineage = UUID().uuidString.lowercased()
        try db.execute(sql: "INSERT INTO workspaces (name, lineage, serial) VALUES (?, ?, 0)", arguments: [name, lineage])
        return WorkspaceState(name: name, lineage: lineage, serial: 0)
    }

    public struct Lease: Sendable, Equatable {
        public var id: String
        public var workspace: String
        public var owner: String
        public var operation: String
        public var info: String
        public var created: Date
        public var expires: Date
    }

    public enum AcquireResult: Sendable { case acquired(Lease), held(Lease) }

    /// Takes the workspace's lock for `ttl` seconds, or reports who holds it. An expired
    /// lease is simply replaced: a crashed holder never blocks others for longer than its TTL.
    public func acquireLock(workspace: String, owner: String, operation: String, info: String, ttl: Double,
                            now: Date = Date()) throws -> AcquireResult {
        try pool.write { db in
            if let r = try Row.fetchOne(db, sql: "SELECT * FROM locks WHERE workspace = ?", arguments: [workspace]) {
                let lease = EngineStore.lease(r)
                if lease.expires > now { return .held(lease) }
                try db.execute(sql: "DELETE FROM locks WHERE id = ?", arguments: [lease.id])
            }
            let lease = Lease(id: UUID().uuidString.lowercased(), workspace: workspace, owner: owner, operation: operation, info: info,
                              created: now, expires: now.addingTimeInterval(ttl))
            try db.execute(sql: "INSERT INTO locks (id, workspace, owner, operation, info, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [lease.id, workspace, owner, operation, info, now.timeIntervalSince1970, lease.expires.timeIntervalSince1970])
            return .acquired(lease)
        }
    }

    /// Extends a lease; nil when it expired or was released (the holder must stop).
    public func renewLock(_ id: String, ttl: Double, now: Date = Date()) throws -> Lease? {
        try pool.write { db in
            guard let r = try Row.fetchOne(db, sql: "SELECT * FROM locks WHERE id = ?", arguments: [id]) else { return nil }
            var lease = EngineStore.lease(r)
            guard lease.expires > now else {
                try db.execute(sql: "DELETE FROM locks WHERE id = ?", arguments: [id])
                return nil
            }
            lease.expires = now.addingTimeInterval(ttl)
            try db.execute(sql: "UPDATE locks SET expires = ? WHERE id = ?", arguments: [lease.expires.timeIntervalSince1970, id])
            return lease
        }
    }

    public func releaseLock(_ id: String) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM locks WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func locks(now: Date = Date()) throws -> [Lease] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM locks WHERE expires > ? ORDER BY created", arguments: [now.timeIntervalSince1970]).map(EngineStore.lease)
        }
    }

    static func lease(_ r: Row) -> Lease {
        Lease(id: r["id"], workspace: r["workspace"], owner: r["owner"], operation: r["operation"], info: r["info"],
              created: Date(timeIntervalSince1970: r["created"]), expires: Date(timeIntervalSince1970: r["expires"]))
    }
}
