import BCAPI
import Foundation

/// Realises SGE clusters on the real Grid Engine of this machine (`bcctl engine serve
/// --sge-clusters`). A cluster is an SGE cluster when it records `SgeMasterGroup` (an
/// SGECluster manifest's lowering, the console's `sgeMasterGroup`) or its image is an SGE
/// image. Its master group is this machine's qmaster; each worker group becomes a host group
/// `@<cluster>-<group>` and a queue `<cluster>-<group>.q` (idempotent `qconf` upserts,
/// reference §1.6) with as many slots per node as the group's instance type has vCPUs; each
/// VM of a worker group becomes a node, a host of its own (`SGENode`). A VM that goes (a
/// resize down) is drained first: its queue instance is disabled and the node stays until
/// its running jobs have ended. A deleted cluster loses its workers first (their jobs
/// killed, `qconf -kej`), then its queues and host groups; the shared qmaster stays.
///
/// It works in passes on a thread of its own (the commands block), once a second: a pass
/// compares the store's clusters and VMs with the nodes it has made, recorded in
/// `DATA/sge/nodes.json`, and so an engine restart finds the nodes it left running and
/// adopts them, or removes what is left of them and makes them again.
public final class SGEClusters: @unchecked Sendable {
    struct Realised: Codable, Equatable { var name: String; var groups: [String] }
    struct State: Codable {
        var nodes: [String: SGENode] = [:]
        var clusters: [String: Realised] = [:]
        /// The last node index given out (see `reconcile`).
        var lastIndex = 0
    }

    static let images: Set<String> = ["img-sge", "sge-centos-vpc-x64"]

    let engine: Engine
    let log: @Sendable (String) -> Void
    let statePath: String
    /// The directory standing in for NAS servers: `nas://server:/path` is `<this>/server/path`.
    public let nasRoot: String
    private var state = State()
    private var written: [String: String] = [:]  // qconf object → the file last written
    private var lastError: [String: String] = [:]
    private var queueTemplate: String?
    /// Cluster → slots of its worker nodes that are up, for the executor (`slotsUp`).
    let nodesUp = Locked<[String: Int]>([:])
    private let stopping = NSLock()
    private var stopRequested = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    public init(engine: Engine, log: @escaping @Sendable (String) -> Void) {
        self.engine = engine
        self.log = log
        statePath = engine.dataDirectory + "/sge/nodes.json"
        nasRoot = engine.dataDirectory + "/sge/nas"
    }

    /// Adopts what an earlier engine left, then reconciles once a second until `stop`.
    public func start() {
        let t = Thread { [self] in
            adoptLeftovers()
            while !isStopping {
                pass()
                for _ in 0..<10 where !isStopping { usleep(100_000) }
            }
            done.signal()
        }
        t.name = "bcops-sge"
        thread = t
        t.start()
    }

    /// Stops the passes; the nodes keep running (as VMs would), for the next engine to adopt.
    public func stop() {
        stopping.lock(); stopRequested = true; stopping.unlock()
        if thread != nil { done.wait() }
    }

    var isStopping: Bool { stopping.lock(); defer { stopping.unlock() }; return stopRequested }

    // MARK: State

    func load() {
        guard let data = FileManager.default.contents(atPath: statePath) else { return }
        state = (try? JSONDecoder().decode(State.self, from: data)) ?? State()
    }

    func save() {
        try? FileManager.default.createDirectory(atPath: (statePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if let data = try? JSONEncoder().encode(state) { try? data.write(to: URL(fileURLWithPath: statePath), options: .atomic) }
    }

    /// Nodes an earlier engine made: alive ones are kept; the rest are removed (the next pass
    /// makes them again for their VMs).
    func adoptLeftovers() {
        load()
        for (vm, node) in state.nodes {
            if node.isIntact {
                log("sge: adopted node \(node.hostName) (sge_execd \(node.pid))")
                try? engine.store.appendOperationLog(node.cluster, "adopted node \(node.hostName) after an engine restart (sge_execd pid \(node.pid))")
            } else {
                node.stop(killJobs: true)
                node.remove()
                state.nodes[vm] = nil
                written = [:]
                // Not Running until it is made again and qhost has it (the next passes).
                try? engine.store.setClusterVM(vm, state: .starting, ipAddress: node.address, hostName: node.hostName)
                try? engine.store.appendOperationLog(node.cluster, "node \(node.hostName) was gone after an engine restart; making it again")
            }
        }
        save()
    }

    // MARK: Passes

    static func isSGE(_ o: [String: Any]) -> Bool {
        o[ClusterKey.sgeMasterGroup.rawValue] is String || images.contains(o[ClusterKey.imageId.rawValue] as? String ?? "")
    }

    func pass() {
        let rows: [EngineStore.ClusterRow]
        do { rows = try engine.store.allClusters() } catch { return }
        var sge: [(EngineStore.ClusterRow, [String: Any])] = []
        for row in rows {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(row.description.utf8))) as? [String: Any], Self.isSGE(o) else { continue }
            sge.append((row, o))
        }
        let live = Set(sge.map(\.0.id))
        guard !sge.isEmpty || !state.clusters.isEmpty || !state.nodes.isEmpty else { return }
        guard GridEngineTool.succeeds(["qconf", "-sh"]) else {
            for (row, _) in sge { note(row.id, "Grid Engine does not answer (qconf -sh failed): the cluster's nodes are slots of this host until it does") }
            return
        }
        // Deleted clusters first: a replacement's new cluster may reuse the old one's names.
        for (id, realised) in state.clusters where !live.contains(id) { teardown(id, realised) }
        for (vm, node) in state.nodes where !live.contains(node.cluster) && state.clusters[node.cluster] == nil {
            node.stop(killJobs: true); node.remove(); state.nodes[vm] = nil
        }
        for (row, o) in sge {
            do { try reconcile(row, o); lastError[row.id] = nil } catch { note(row.id, "\(error)") }
            save()
        }
        save()
    }

    /// Logs a problem once (until it changes or clears), in the cluster's operation log.
    func note(_ cluster: String, _ message: String) {
        guard lastError[cluster] != message else { return }
        lastError[cluster] = message
        log("sge: \(cluster): \(message)")
        try? engine.store.appendOperationLog(cluster, "error: \(message)")
    }

    static func objectName(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
    static func queue(_ cluster: String, _ group: String) -> String { "\(objectName(cluster))-\(objectName(group)).q" }
    static func hostGroup(_ cluster: String, _ group: String) -> String { "@\(objectName(cluster))-\(objectName(group))" }

    func reconcile(_ row: EngineStore.ClusterRow, _ o: [String: Any]) throws {
        let master = o[ClusterKey.sgeMasterGroup.rawValue] as? String
        let groups = o[ClusterKey.groups.rawValue] as? [String: Any] ?? [:]
        let workers = groups.keys.filter { $0 != master }.sorted()
        let qmaster = try GridEngineTool.qmasterHost()
        let vms = try engine.store.allClusterVMs(cluster: row.id)
        if state.clusters[row.id] == nil {
            try engine.store.appendOperationLog(row.id, "SGE cluster \(row.name): master \(master.map { "group \($0)" } ?? "(none)") is the qmaster on \(qmaster); worker groups \(workers.joined(separator: ", "))")
        }
        var realised = state.clusters[row.id] ?? Realised(name: row.name, groups: [])
        realised.groups = Array(Set(realised.groups).union(workers)).sorted()
        state.clusters[row.id] = realised
        save()
        for vm in vms where vm.group == master && vm.hostName != qmaster {
            try engine.store.setClusterVM(vm.id, state: .running, ipAddress: "127.0.0.1", hostName: qmaster)
        }
        let byId = Dictionary(vms.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let clusterType = o[ClusterKey.instanceType.rawValue] as? String
        var slotsPerNode: [String: Int] = [:]
        for g in workers {
            let group = groups[g] as? [String: Any] ?? [:]
            let type = group[ClusterGroupKey.instanceType.rawValue] as? String ?? clusterType ?? ""
            let slots = max(1, engine.catalog[type]?.cpu ?? 1)
            slotsPerNode[g] = slots
            if let was = try ensureGroup(row.name, g, slots: slots) {
                try engine.store.appendOperationLog(row.id, was == 0
                    ? "queue \(Self.queue(row.name, g)) of group \(g): \(slots) slots per node (\(type))"
                    : "queue \(Self.queue(row.name, g)) of group \(g): \(was) → \(slots) slots per node (instance type now \(type))")
            }
        }
        // Leaving: drained, then removed.
        for (vm, node) in state.nodes.sorted(by: { $0.key < $1.key }) where node.cluster == row.id && (byId[vm] == nil || !workers.contains(node.group)) {
            try leave(vm, node, cluster: row)
        }
        // Joining.
        let mounts = nasMounts(o)
        for vm in vms where workers.contains(vm.group) && state.nodes[vm.id] == nil {
            // The qmaster caches host names by address (for minutes, across engines): an address
            // given to another host name soon after is refused ("local host name error"). So
            // an index is drawn at random from 12,500 (10.201.0.0/16 … 10.250.0.0/16), not the
            // lowest free one; a node that fails to start is removed and drawn again next pass.
            let used = Set(state.nodes.values.map(\.index))
            guard used.count < SGENode.indices.count else { throw SGEError.addressesExhausted }
            var index = Int.random(in: SGENode.indices)
            while used.contains(index) { index = Int.random(in: SGENode.indices) }
            state.lastIndex = index
            var node = SGENode(vm: vm.id, cluster: row.id, group: vm.group, hostName: vm.hostName.lowercased(), index: index)
            try engine.store.setClusterVM(vm.id, state: .starting, ipAddress: node.address, hostName: node.hostName)
            do { try node.start(qmaster: qmaster, mounts: mounts) } catch {
                node.stop(killJobs: true); node.remove()
                throw error
            }
            state.nodes[vm.id] = node
            save()
            try engine.store.appendOperationLog(row.id, "started node \(node.hostName) (\(vm.id)) of group \(vm.group) at \(node.address), sge_execd pid \(node.pid)")
        }
        for g in workers { try writeHostGroup(row.name, g, cluster: row.id) }
        // Ready once `qhost` reports its load (its execd reports to the qmaster). qstat's
        // queue column is cut at 30 characters, too short for our instance names; qhost's is not.
        for (vm, node) in state.nodes where node.cluster == row.id && !node.ready && !node.draining {
            let q = Self.queue(row.name, node.group)
            let out = (try? GridEngineTool.run(["qhost", "-h", node.hostName]).stdout) ?? ""
            guard let line = out.split(separator: "\n").first(where: { $0.split(separator: " ").first.map(String.init) == node.hostName }) else { continue }
            let columns = line.split(separator: " ")
            if columns.count < 7 || columns[6] == "-" { continue }
            state.nodes[vm]?.ready = true
            try engine.store.setClusterVM(vm, state: .running, ipAddress: node.address, hostName: node.hostName)
            try engine.store.appendOperationLog(row.id, "node \(node.hostName) is up in queue \(q)")
        }
        let up = state.nodes.values.filter { $0.cluster == row.id && $0.ready && !$0.draining && workers.contains($0.group) }
        publishSlotsUp(row.id, up.reduce(0) { $0 + (slotsPerNode[$1.group] ?? 1) })
    }

    /// The cluster's NAS mounts: `nas://server:/path` → `<nasRoot>/server/path` bound at the destination.
    func nasMounts(_ o: [String: Any]) -> [SGENode.Mount] {
        let configs = o[ClusterKey.configs.rawValue] as? [String: Any] ?? [:]
        let mounts = configs["Mounts"] as? [String: Any] ?? [:]
        return (mounts["Entries"] as? [[String: Any]] ?? []).compactMap { e in
            guard let source = e["Source"] as? String, source.hasPrefix("nas://"), let destination = e["Destination"] as? String,
                  destination.hasPrefix("/") else { return nil }
            let rest = source.dropFirst("nas://".count)
            let parts = rest.split(separator: ":", maxSplits: 1)
            let server = Self.objectName(String(parts.first ?? ""))
            let path = parts.count > 1 ? String(parts[1]) : "/"
            let clean = path.split(separator: "/").filter { $0 != ".." && $0 != "." }.joined(separator: "/")
            return SGENode.Mount(backing: "\(nasRoot)/\(server)/\(clean)", destination: destination)
        }
    }

    // MARK: qconf objects

    /// Makes the group's host group and queue exist, with `slots` per node. Returns the slots
    /// the queue had when its slots changed (0 when it is new); nil when they did not.
    @discardableResult
    func ensureGroup(_ cluster: String, _ group: String, slots: Int) throws -> Int? {
        try writeHostGroup(cluster, group, cluster: nil)
        let q = Self.queue(cluster, group)
        if queueTemplate == nil { queueTemplate = try GridEngineTool.must(["qconf", "-sq", "all.q"]) }
        var lines: [String] = []
        for line in queueTemplate!.split(separator: "\n", omittingEmptySubsequences: false) {
            let key = line.split(separator: " ").first.map(String.init) ?? ""
            switch key {
            case "qname": lines.append("qname \(q)")
            case "hostlist": lines.append("hostlist \(Self.hostGroup(cluster, group))")
            case "slots": lines.append("slots \(slots)")
            case "pe_list": lines.append("pe_list NONE")
            case "load_thresholds": lines.append("load_thresholds NONE")
            case "shell": lines.append("shell /bin/bash")
            default: lines.append(String(line))
            }
        }
        let file = lines.joined(separator: "\n")
        let current = try? GridEngineTool.run(["qconf", "-sq", q])
        guard written[q] != file || current?.status != 0 else { return nil }
        // The slots it had: `slots` is a plain number in our queues (no per-host list).
        let had = current?.status == 0
            ? current!.stdout.split(separator: "\n").first { $0.hasPrefix("slots ") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
            : 0
        try GridEngineTool.upsert(show: "-sq", add: "-Aq", modify: "-Mq", object: q, file: file)
        written[q] = file
        return had == slots ? nil : had
    }

    /// The host group with the group's nodes (those not leaving); NONE when it has none.
    /// `cluster` nil: only makes sure it exists.
    func writeHostGroup(_ name: String, _ group: String, cluster: String?) throws {
        let hg = Self.hostGroup(name, group)
        if cluster == nil, written[hg] != nil, GridEngineTool.succeeds(["qconf", "-shgrp", hg]) { return }
        let hosts = state.nodes.values.filter { $0.cluster == cluster && $0.group == group && !$0.draining }.map(\.hostName).sorted()
        let file = "group_name \(hg)\nhostlist \(hosts.isEmpty ? "NONE" : hosts.joined(separator: " "))\n"
        guard written[hg] != file || !GridEngineTool.succeeds(["qconf", "-shgrp", hg]) else { return }
        try GridEngineTool.upsert(show: "-shgrp", add: "-Ahgrp", modify: "-Mhgrp", object: hg, file: file)
        written[hg] = file
    }

    /// Whether a queue instance still runs jobs.
    static func hasJobs(_ queueInstance: String) -> Bool {
        let out = (try? GridEngineTool.run(["qstat", "-u", "*", "-s", "rs", "-q", queueInstance]).stdout) ?? ""
        return !out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// A node whose VM went: its queue instance is disabled at once (no new jobs), and it is
    /// removed once the jobs it runs have ended.
    func leave(_ vm: String, _ node: SGENode, cluster row: EngineStore.ClusterRow) throws {
        let instance = "\(Self.queue(row.name, node.group))@\(node.hostName)"
        if !node.draining {
            _ = try? GridEngineTool.run(["qmod", "-d", instance])
            state.nodes[vm]?.draining = true
            save()
            try engine.store.appendOperationLog(row.id, "draining node \(node.hostName) of group \(node.group): no new jobs; it leaves when its running jobs end")
        }
        guard !Self.hasJobs(instance) else { return }
        state.nodes[vm]?.draining = true
        try writeHostGroup(row.name, node.group, cluster: row.id)
        node.stop(killJobs: false)
        node.remove()
        state.nodes[vm] = nil
        save()
        try engine.store.appendOperationLog(row.id, "node \(node.hostName) left group \(node.group) (drained, sge_execd \(node.pid) stopped)")
    }

    /// A deleted cluster: workers first (their running jobs killed), then its queues and host
    /// groups; the master is the shared qmaster, which stays for other clusters.
    func teardown(_ id: String, _ realised: Realised) {
        let nodes = state.nodes.filter { $0.value.cluster == id }
        for g in realised.groups {
            let q = Self.queue(realised.name, g)
            _ = try? GridEngineTool.run(["qmod", "-d", q])
            let out = (try? GridEngineTool.run(["qstat", "-u", "*", "-q", q]).stdout) ?? ""
            let jobs = Set(out.split(separator: "\n").compactMap { line in line.split(separator: " ").first.flatMap { Int($0) } })
            if !jobs.isEmpty { _ = try? GridEngineTool.run(["qdel", "-f"] + jobs.sorted().map(String.init)) }
        }
        for (_, node) in nodes { node.stopExecd(killJobs: true) }
        // A queue before its host group (reference §1.6), both before the hosts they name.
        for g in realised.groups {
            let q = Self.queue(realised.name, g), hg = Self.hostGroup(realised.name, g)
            if GridEngineTool.succeeds(["qconf", "-sq", q]) { _ = try? GridEngineTool.run(["qconf", "-dq", q]) }
            if GridEngineTool.succeeds(["qconf", "-shgrp", hg]) { _ = try? GridEngineTool.run(["qconf", "-dhgrp", hg]) }
            written[q] = nil
            written[hg] = nil
        }
        for (vm, node) in nodes {
            node.unregister()
            node.remove()
            state.nodes[vm] = nil
            save()
        }
        state.clusters[id] = nil
        lastError[id] = nil
        publishSlotsUp(id, nil)
        save()
        log("sge: cluster \(realised.name) (\(id)) deleted: \(nodes.count) worker node(s) stopped, then queues and host groups removed; the master (the shared qmaster) released")
    }
}
