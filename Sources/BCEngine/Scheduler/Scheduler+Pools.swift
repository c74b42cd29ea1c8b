import Foundation

/// Pools of slots: what a cluster (or an AutoCluster) offers, and which executor runs it.
extension Scheduler {
    /// What a pool of slots offers: a cluster's (its groups' nodes × vCPUs, its runtime, its
    /// EnvVars), or an AutoCluster's (one slot per instance).
    struct Pool: Sendable {
        var capacity: Int
        var host: Bool
        var environment: [String: String] = [:]
        /// The cluster's `Configs.Mounts` and `InputMapping`: on BatchCompute every node of the
        /// cluster has them, so every task placed there sees them too.
        var inputs: [TaskPlan.Mapping] = []
        /// Index in `executors` of the one that runs the pool's instances.
        var executor: Int
        /// The cluster's row (nil: an AutoCluster), handed to the executor with each task.
        var cluster: EngineStore.ClusterRow?
    }

    enum PoolLookup {
        case found(String, Pool)
        /// Its cluster does not exist (the job then fails).
        case missing
        /// Its cluster cannot be read now (logged; a pass is due again).
        case unreadable
    }

    /// The pool a task runs in.
    func pool(for task: TaskPlan, jobId: String, taskName: String) -> PoolLookup {
        guard let clusterId = task.clusterId else {
            let name = "auto:\(jobId)/\(taskName)"
            return .found(name, pools[name] ?? Pool(capacity: task.instanceCount, host: false, executor: executor(for: nil)))
        }
        let name = "cluster:\(clusterId)"
        if let known = pools[name] { return .found(name, known) }
        let cluster: EngineStore.ClusterRow
        do {
            guard let row = try engine.store.cluster(clusterId) else { return .missing }
            cluster = row
        } catch {
            logger.error("cannot read cluster \(clusterId): \(error)")
            retryLater()
            return .unreadable
        }
        let chosen = executor(for: cluster)
        let pool = Pool(capacity: executors[chosen].slotsUp(on: cluster) ?? slots(of: cluster), host: Scheduler.runsOnHost(cluster),
                        environment: Scheduler.environment(of: cluster), inputs: Scheduler.mappings(of: cluster), executor: chosen, cluster: cluster)
        pools[name] = pool
        return .found(name, pool)
    }

    /// The first executor that runs the cluster's tasks; the last is the fallback.
    func executor(for cluster: EngineStore.ClusterRow?) -> Int {
        executors.firstIndex { $0.runs(on: cluster) } ?? executors.count - 1
    }

    func slots(of cluster: EngineStore.ClusterRow) -> Int {
        guard let o = Scheduler.object(cluster) else { return 0 }
        let defaultType = o[ClusterKey.instanceType] as? String
        var total = 0
        for value in (o[ClusterKey.groups] as? [String: Any] ?? [:]).values {
            guard let g = value as? [String: Any] else { continue }
            let count = g[ClusterGroupKey.desiredVMCount] as? Int ?? 0
            let type = g[ClusterGroupKey.instanceType] as? String ?? defaultType ?? ""
            total += count * (engine.catalog[type]?.cpu ?? 1)
        }
        return total
    }

    /// A cluster's mounts and input mappings, which every node of it has.
    static func mappings(of cluster: EngineStore.ClusterRow) -> [TaskPlan.Mapping] {
        guard let o = object(cluster) else { return [] }
        // A cluster has no `WriteSupport` (its body refuses one; its status answers false):
        // its input mappings are read-only.
        let writable = false
        let mapped = (o[ClusterChangeKey.inputMapping] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { oss, local in
            (local as? String).map { TaskPlan.Mapping(source: oss, destination: $0, writable: writable) }
        }
        return TaskPlan.mountEntries((o[ClusterKey.configs] as? [String: Any])?[ConfigsKey.mounts]) + mapped
    }

    /// A cluster's `EnvVars`, which BatchCompute puts in every node's environment.
    static func environment(of cluster: EngineStore.ClusterRow) -> [String: String] {
        (object(cluster)?[ClusterKey.envVars] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    }

    /// Whether a cluster runs images' commands on the host (bcops' `Runtime: host`).
    static func runsOnHost(_ cluster: EngineStore.ClusterRow) -> Bool {
        object(cluster)?[ClusterKey.runtime] as? String == "host"
    }

    /// A cluster's stored description; the API stored it after validating it, so it parses.
    static func object(_ cluster: EngineStore.ClusterRow) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(cluster.description.utf8)) as? [String: Any]
    }
}
