import BCAPI
import Foundation

/// What the engine's executor for SGE clusters (`--sge-clusters`) needs to know of them: which
/// clusters are realised on Grid Engine, their queues, and how many slots of their nodes are
/// up. A BatchCompute task placed on such a cluster runs as an array in the cluster's own
/// queues, so on its nodes (their execution hosts), never on this host's `all.q`.
extension SGEClusters {
    /// The queues a cluster's tasks go to, `<cluster>-<group>.q` for each worker group, comma
    /// separated for `qsub -q` (Grid Engine picks one with a free slot); nil when the cluster
    /// is not an SGE cluster (or has no worker group). Read from the cluster's row alone, as the
    /// realiser names them.
    public static func queues(of row: EngineStore.ClusterRow) -> String? {
        guard let o = (try? JSONSerialization.jsonObject(with: Data(row.description.utf8))) as? [String: Any], isSGE(o) else { return nil }
        let master = o[ClusterKey.sgeMasterGroup.rawValue] as? String
        let workers = (o[ClusterKey.groups.rawValue] as? [String: Any] ?? [:]).keys.filter { $0 != master }.sorted()
        guard !workers.isEmpty else { return nil }
        return workers.map { queue(row.name, $0) }.joined(separator: ",")
    }

    /// Slots of the cluster's worker nodes that are up (their execd reports to the qmaster) and
    /// not draining: 0 until the first one is, and for a cluster not realised (yet).
    public func slotsUp(_ cluster: String) -> Int {
        nodesUp.withLock { $0[cluster] ?? 0 }
    }

    /// Notes the slots up of a cluster after a pass (nil: the cluster is gone); a change wakes
    /// the scheduler, which reads its pools again (tasks waiting for nodes start).
    func publishSlotsUp(_ cluster: String, _ slots: Int?) {
        let changed = nodesUp.withLock { up -> Bool in
            defer { up[cluster] = slots }
            return up[cluster] != slots
        }
        if changed { engine.wakeup.raise() }
    }
}
