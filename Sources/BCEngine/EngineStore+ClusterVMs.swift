import BCAPI
import Foundation
import GRDB

/// Cluster VMs and registered images.
///
/// On this engine a cluster's VMs are slots of the host: they have ECS-style ids (`i-…`),
/// a host name and 127.0.0.1, and follow each group's DesiredVMCount. Ids (VMs and images
/// alike) come from AUTOINCREMENT sequences, so a deleted one never comes back, not even
/// after a restart.
extension EngineStore {
    /// A cluster VM may not outnumber this per group (every VM is a row).
    public static let maxVMsPerGroup = 10_000

    public struct ClusterVMRow: Sendable {
        public var seq: Int64
        public var id: String
        public var cluster: String
        public var group: String
        public var state: String
        public var hostName: String
        public var ipAddress: String
        public var creationTime: Date
    }

    public struct ImageRow: Sendable {
        public var id: String
        public var name: String
        public var description: String
        public var platform: String
        public var ecsImageId: String
        public var creationTime: Date
    }

    static func createClusterVMTables(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE cluster_vms (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              id TEXT NOT NULL UNIQUE,
              cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
              grp TEXT NOT NULL,
              state TEXT NOT NULL,
              host_name TEXT NOT NULL,
              ip_address TEXT NOT NULL,
              creation_time REAL NOT NULL);
            CREATE INDEX cluster_vms_by_group ON cluster_vms(cluster_id, grp, seq);
            CREATE TABLE cluster_oplogs (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              cluster_id TEXT NOT NULL REFERENCES clusters(id) ON DELETE CASCADE,
              time REAL NOT NULL,
              line TEXT NOT NULL);
            CREATE INDEX cluster_oplogs_by_cluster ON cluster_oplogs(cluster_id, seq);
            CREATE TABLE images (
              seq INTEGER PRIMARY KEY AUTOINCREMENT,
              id TEXT NOT NULL UNIQUE,
              name TEXT NOT NULL,
              description TEXT NOT NULL,
              platform TEXT NOT NULL,
              ecs_image_id TEXT NOT NULL,
              body TEXT NOT NULL,
              token TEXT,
              creation_time REAL NOT NULL);
            CREATE UNIQUE INDEX images_token ON images(token) WHERE token IS NOT NULL;
            CREATE INDEX images_by_ecs_id ON images(ecs_image_id);
            """)
        let now = Date()
        for id in try String.fetchAll(db, sql: "SELECT id FROM clusters ORDER BY seq") {
            try reconcileVMs(db, cluster: id, now: now)
        }
    }

    // MARK: Ids

    /// `prefix` + `width` lower-case letters and digits: the creation time in base 36 (8
    /// digits), then the sequence number, which alone makes the id unique.
    static func sequenceId(_ prefix: String, sequence: Int64, width: Int, now: Date) -> String {
        func base36(_ v: UInt64, _ w: Int) -> String {
            let digits = String(v, radix: 36)
            return String(repeating: "0", count: max(0, w - digits.count)) + digits
        }
        return prefix + base36(UInt64(max(0, now.timeIntervalSince1970)), 8) + base36(UInt64(sequence), width - 8)
    }

    /// The next value of a table's AUTOINCREMENT sequence (its high-water mark, not MAX()).
    static func nextSequence(_ db: Database, table: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0) + 1", arguments: [table]) ?? 1
    }

    // MARK: Cluster VMs

    /// Brings a cluster's VMs in line with its groups' DesiredVMCount: new VMs for a group
    /// that has too few, the newest removed from one that has too many, none for a group or
    /// cluster that no longer exists.
    static func reconcileVMs(_ db: Database, cluster: String, now: Date = Date()) throws {
        guard let text = try String.fetchOne(db, sql: "SELECT description FROM clusters WHERE id = ?", arguments: [cluster]) else {
            try db.execute(sql: "DELETE FROM cluster_vms WHERE cluster_id = ?", arguments: [cluster])
            return
        }
        // Stored only after the API validated it, so it parses.
        let o = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        let groups = o[ClusterKey.groups] as? [String: Any] ?? [:]
        var have: [String: Int] = [:]
        for r in try Row.fetchAll(db, sql: "SELECT grp, COUNT(*) AS n FROM cluster_vms WHERE cluster_id = ? GROUP BY grp", arguments: [cluster]) {
            have[r["grp"]] = r["n"]
        }
        for (g, n) in have.sorted(by: { $0.key < $1.key }) where groups[g] == nil {
            try db.execute(sql: "DELETE FROM cluster_vms WHERE cluster_id = ? AND grp = ?", arguments: [cluster, g])
            try oplog(db, cluster, "deleted \(n) VMs of group \(g), which is gone", now: now)
        }
        for (g, value) in groups.sorted(by: { $0.key < $1.key }) {
            let group = value as? [String: Any] ?? [:]
            let want = min(max((group[ClusterGroupKey.desiredVMCount] as? NSNumber)?.intValue ?? 0, 0), maxVMsPerGroup)
            let current = have[g] ?? 0
            if current < want {
                var ids: [String] = []
                for _ in current..<want {
                    ids.append(try insertVM(db, cluster: cluster, group: g, hostnamePrefix: group[ClusterGroupKey.hostnamePrefix] as? String, now: now))
                }
                try oplog(db, cluster, "created \(summary(ids)) in group \(g) (DesiredVMCount \(want))", now: now)
            } else if current > want {
                let ids = try String.fetchAll(db, sql: "SELECT id FROM cluster_vms WHERE cluster_id = ? AND grp = ? ORDER BY seq DESC LIMIT ?",
                                              arguments: [cluster, g, current - want])
                for id in ids { try db.execute(sql: "DELETE FROM cluster_vms WHERE id = ?", arguments: [id]) }
                try oplog(db, cluster, "deleted \(summary(ids)) from group \(g) (DesiredVMCount \(want))", now: now)
            }
        }
    }

    static func summary(_ ids: [String]) -> String {
        let shown = ids.prefix(5).joined(separator: ", ")
        let more = ids.count > 5 ? " and \(ids.count - 5) more" : ""
        return (ids.count == 1 ? "VM " : "\(ids.count) VMs ") + shown + more
    }

    static func insertVM(_ db: Database, cluster: String, group: String, hostnamePrefix: String?, now: Date) throws -> String {
        let seq = try nextSequence(db, table: "cluster_vms")
        let id = sequenceId("i-", sequence: seq, width: 20, now: now)
        let host = (hostnamePrefix.flatMap { $0.isEmpty ? nil : $0 } ?? "bcops-") + id.dropFirst(2)
        try db.execute(sql: """
            INSERT INTO cluster_vms (seq, id, cluster_id, grp, state, host_name, ip_address, creation_time)
            VALUES (?, ?, ?, ?, ?, ?, '127.0.0.1', ?)
            """, arguments: [seq, id, cluster, group, ClusterVMState.running.rawValue, host, now.timeIntervalSince1970])
        return id
    }

    static func oplog(_ db: Database, _ cluster: String, _ line: String, now: Date) throws {
        try db.execute(sql: "INSERT INTO cluster_oplogs (cluster_id, time, line) VALUES (?, ?, ?)",
                       arguments: [cluster, now.timeIntervalSince1970, WireTime.format(now) + " " + line])
    }

    static func vmRow(_ r: Row) -> ClusterVMRow {
        ClusterVMRow(seq: r["seq"], id: r["id"], cluster: r["cluster_id"], group: r["grp"], state: r["state"],
                     hostName: r["host_name"], ipAddress: r["ip_address"], creationTime: Date(timeIntervalSince1970: r["creation_time"]))
    }

    /// One page of a group's VMs, oldest first, after `marker` (a VM id).
    public func clusterVMs(cluster: String, group: String, after marker: String?, limit: Int) throws -> (items: [ClusterVMRow], next: String) {
        try pool.read { db in
            try EngineStore.page(db, sql: "SELECT * FROM cluster_vms WHERE cluster_id = ? AND grp = ?",
                                 markerClause: "seq >= (SELECT seq FROM cluster_vms WHERE id = ?)", order: "seq", marker: marker,
                                 arguments: [cluster, group], limit: limit, row: EngineStore.vmRow, key: \.id)
        }
    }

    public func clusterVM(cluster: String, group: String, id: String) throws -> ClusterVMRow? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM cluster_vms WHERE cluster_id = ? AND grp = ? AND id = ?",
                             arguments: [cluster, group, id]).map(EngineStore.vmRow)
        }
    }

    /// VMs by cluster, group and state, for several clusters in one read.
    public func vmCounts(of clusters: [String]) throws -> [String: [String: [String: Int]]] {
        guard !clusters.isEmpty else { return [:] }
        return try pool.read { db in
            let marks = Array(repeating: "?", count: clusters.count).joined(separator: ",")
            var out: [String: [String: [String: Int]]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT cluster_id, grp, state, COUNT(*) AS n FROM cluster_vms WHERE cluster_id IN (\(marks)) GROUP BY cluster_id, grp, state",
                                      arguments: StatementArguments(clusters)) {
                out[r["cluster_id"], default: [:]][r["grp"], default: [:]][r["state"]] = r["n"]
            }
            return out
        }
    }

    /// The cluster's VM operation log, oldest first (the last `limit` lines).
    public func operationLogs(of cluster: String, limit: Int = 200) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT line FROM (SELECT seq, line FROM cluster_oplogs WHERE cluster_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq",
                                arguments: [cluster, limit])
        }
    }

    /// Replaces a VM by a new one (a new id) in the same group; the old id is gone for good.
    public func recreateClusterVM(cluster: String, group: String, id: String, now: Date = Date()) throws -> String {
        try pool.write { db in
            let (_, groupObject) = try EngineStore.vmGroup(db, cluster: cluster, group: group, id: id)
            try db.execute(sql: "DELETE FROM cluster_vms WHERE id = ?", arguments: [id])
            let new = try EngineStore.insertVM(db, cluster: cluster, group: group, hostnamePrefix: groupObject[ClusterGroupKey.hostnamePrefix] as? String, now: now)
            try EngineStore.oplog(db, cluster, "recreated VM \(id) of group \(group) as \(new)", now: now)
            return new
        }
    }

    /// Deletes a VM and lowers its group's DesiredVMCount by one, so it is not created again;
    /// that is a change of the cluster's description, so a new revision.
    public func deleteClusterVM(cluster: String, group: String, id: String, now: Date = Date()) throws {
        try pool.write { db in
            var (o, groupObject) = try EngineStore.vmGroup(db, cluster: cluster, group: group, id: id)
            try db.execute(sql: "DELETE FROM cluster_vms WHERE id = ?", arguments: [id])
            let desired = max(0, ((groupObject[ClusterGroupKey.desiredVMCount] as? NSNumber)?.intValue ?? 0) - 1)
            groupObject[ClusterGroupKey.desiredVMCount] = desired
            var groups = o[ClusterKey.groups] as? [String: Any] ?? [:]
            groups[group] = groupObject
            o[ClusterKey.groups] = groups
            try db.executeCached(sql: "UPDATE clusters SET description = ?, revision = revision + 1 WHERE id = ?",
                           arguments: [String(decoding: JSONBody.serialize(o), as: UTF8.self), cluster])
            try EngineStore.oplog(db, cluster, "deleted VM \(id) of group \(group) (DesiredVMCount \(desired))", now: now)
            // The group may still have more VMs than it wants (a count lowered while VMs were
            // missing): the same rule as a resize.
            try EngineStore.reconcileVMs(db, cluster: cluster, now: now)
            try EngineStore.event(db, "OnClusterModified", cluster, now: now.timeIntervalSince1970)
        }
    }

    /// The cluster's description and the group's object, if the cluster, the group and the
    /// VM in that group all exist; 404 otherwise.
    static func vmGroup(_ db: Database, cluster: String, group: String, id: String) throws -> ([String: Any], [String: Any]) {
        guard let text = try String.fetchOne(db, sql: "SELECT description FROM clusters WHERE id = ?", arguments: [cluster]) else {
            throw StoreError.notFound(.cluster(cluster))
        }
        let o = try JSONBody.parse(Data(text.utf8)).object
        guard let g = (o[ClusterKey.groups] as? [String: Any])?[group] as? [String: Any] else {
            throw StoreError.notFound(.group(group, cluster: cluster))
        }
        guard try Int.fetchOne(db, sql: "SELECT 1 FROM cluster_vms WHERE cluster_id = ? AND grp = ? AND id = ?",
                               arguments: [cluster, group, id]) != nil else {
            throw StoreError.notFound(.clusterVM(id, group: group, cluster: cluster))
        }
        return (o, g)
    }

    // MARK: Images

    static func imageRow(_ r: Row) -> ImageRow {
        ImageRow(id: r["id"], name: r["name"], description: r["description"], platform: r["platform"], ecsImageId: r["ecs_image_id"],
                 creationTime: Date(timeIntervalSince1970: r["creation_time"]))
    }

    /// Registers an image; a repeated idempotent token returns the first image's id when the
    /// body matches, and fails otherwise.
    public func createImage(name: String, description: String, platform: String, ecsImageId: String, body: String, token: String?,
                            now: Date = Date()) throws -> String {
        try pool.write { db in
            if let token, let row = try Row.fetchOne(db, sql: "SELECT id, body FROM images WHERE token = ?", arguments: [token]) {
                guard row["body"] as String == body else { throw StoreError.tokenMismatch }
                return row["id"]
            }
            let seq = try EngineStore.nextSequence(db, table: "images")
            let id = EngineStore.sequenceId("img-", sequence: seq, width: 22, now: now)
            try db.execute(sql: """
                INSERT INTO images (seq, id, name, description, platform, ecs_image_id, body, token, creation_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [seq, id, name, description, platform, ecsImageId, body, token, now.timeIntervalSince1970])
            return id
        }
    }

    public func image(_ id: String) throws -> ImageRow? {
        try pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM images WHERE id = ?", arguments: [id]).map(EngineStore.imageRow) }
    }

    /// One page of registered images in creation order after `marker` (an image id).
    public func images(after marker: String?, limit: Int) throws -> (items: [ImageRow], next: String) {
        try pool.read { db in
            try EngineStore.page(db, sql: "SELECT * FROM images", markerClause: "seq >= (SELECT seq FROM images WHERE id = ?)",
                                 order: "seq", marker: marker, limit: limit, row: EngineStore.imageRow, key: \.id)
        }
    }

    public func deleteImage(_ id: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM images WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.notFound(.image(id)) }
        }
    }

    /// Whether a cluster or AutoCluster may name `id`: a system or registered image's Id, or
    /// an `m-…` ECS image id that is the EcsImageId of one.
    public func imageIsKnown(_ id: String) throws -> Bool {
        if SystemImages.all.contains(where: { $0.id == id }) { return true }
        if id.hasPrefix("m-") {
            if SystemImages.all.contains(where: { $0.ecsImageId == id }) { return true }
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT 1 FROM images WHERE ecs_image_id = ? LIMIT 1", arguments: [id]) != nil }
        }
        return try pool.read { db in try Int.fetchOne(db, sql: "SELECT 1 FROM images WHERE id = ?", arguments: [id]) != nil }
    }
}
