import BCAPI
import Foundation
import GRDB

/// What the Grid Engine realiser (`SGEClusters`) reads and writes in the store: every
/// cluster, a VM's address and state once its node is up, and the cluster's operation log.
extension EngineStore {
    /// Every cluster, oldest first (the realiser walks them all on each pass; there are few).
    public func allClusters() throws -> [ClusterRow] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM clusters ORDER BY seq").map(EngineStore.clusterRow) }
    }

    /// Every VM of a cluster, oldest first, over all its groups.
    public func allClusterVMs(cluster: String) throws -> [ClusterVMRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cluster_vms WHERE cluster_id = ? ORDER BY seq", arguments: [cluster]).map(EngineStore.vmRow)
        }
    }

    /// Records what the node of a VM really is: its state, address and host name.
    public func setClusterVM(_ id: String, state: ClusterVMState, ipAddress: String, hostName: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE cluster_vms SET state = ?, ip_address = ?, host_name = ? WHERE id = ?",
                           arguments: [state.rawValue, ipAddress, hostName, id])
        }
    }

    /// Adds a line to the cluster's operation log (what `bcc status` and the console show);
    /// nothing when the cluster is gone (its log went with it).
    public func appendOperationLog(_ cluster: String, _ line: String, now: Date = Date()) throws {
        try pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM clusters WHERE id = ?", arguments: [cluster]) != nil else { return }
            try EngineStore.oplog(db, cluster, line, now: now)
        }
    }
}
