import BCAPI
import Foundation
import Synchronization

/// The node load of the instances running on this host: each one's last samples of CPU and
/// memory, taken from its process tree every `interval` by `sample()` (the local executor's
/// instances only: those of Grid Engine or Slurm run on nodes this engine cannot see), and
/// read by the `/bcops/load/{job}` route.
final class NodeLoads: Sendable {
    /// Samples kept per instance: ten minutes at the default 30 s, enough to see a stuck node
    /// (CPU at 0) or a thrashing one (memory climbing).
    static let kept = 20

    struct Series: Sendable {
        var pid: Int32
        var ticks: UInt64
        var at: Double
        var samples: [LoadSample] = []
    }

    private struct State: Sendable {
        var sampling = false
        var interval: Double = 30
        var byJob: [String: [InstanceID: Series]] = [:]
    }

    private let state = Mutex(State())

    /// Why a job's instances are not sampled, when they are not.
    static let notSampled = "not sampled: this engine's instances run on Grid Engine or Slurm nodes, whose processes it cannot see"

    func answer(job: String) -> JobLoad {
        state.withLock { s in
            let instances = (s.byJob[job] ?? [:]).sorted { ($0.key.task, $0.key.index) < ($1.key.task, $1.key.index) }
                .map { InstanceLoad(taskName: $0.key.task, instanceId: $0.key.index, pid: Int($0.value.pid), samples: $0.value.samples) }
            return JobLoad(jobId: job, sampled: s.sampling, intervalSeconds: s.interval, note: s.sampling ? "" : Self.notSampled,
                           instances: instances)
        }
    }

    /// Samples every `interval` until the task is cancelled. `marker` is the value of
    /// `HostProcesses.ownerVariable` in this engine's instances' environment; `firstSeen` is
    /// told of each instance's process group the first time a sample finds it.
    func sample(every interval: Duration, marker: String, firstSeen: @escaping @Sendable (InstanceID, Int32, Int) -> Void,
                passed: @escaping @Sendable () -> Void = {}) async {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        state.withLock { $0.sampling = true; $0.interval = seconds }
        while !Task.isCancelled {
            let found = Self.instances(ProcessTable.read(), marker: marker)
            var fresh: [(InstanceID, Int32, Int)] = []
            state.withLock { s in
                var next: [String: [InstanceID: Series]] = [:]
                for (id, tree) in found {
                    let old = s.byJob[id.jobId]?[id]
                    let series = Self.sample(tree, after: old)
                    if old == nil || old?.pid != tree.leader { fresh.append((id, tree.leader, tree.entries.count)) }
                    next[id.jobId, default: [:]][id] = series
                }
                s.byJob = next
            }
            for (id, pid, count) in fresh { firstSeen(id, pid, count) }
            passed()
            try? await Task.sleep(for: interval)
        }
    }

    struct Tree {
        var leader: Int32
        var entries: [ProcessTable.Entry]
        var uptime: Double
    }

    /// The instances' process trees: a group leader whose environment carries the marker and
    /// the instance's variables (those a restarted engine's recovery reads).
    static func instances(_ table: ProcessTable, marker: String) -> [InstanceID: Tree] {
        let own = getpgrp()
        var out: [InstanceID: Tree] = [:]
        for e in table.entries.values where e.pid == e.group && e.group != own && e.pid != getpid() {
            let env = ProcessTable.environment(e.pid)
            guard env[Substring(HostProcesses.ownerVariable)].map(String.init) == marker,
                  let job = env["BATCH_COMPUTE_DAG_JOB_ID"], let task = env["BATCH_COMPUTE_DAG_TASK_ID"],
                  let index = env["BATCH_COMPUTE_DAG_INSTANCE_ID"].flatMap({ Int($0) }) else { continue }
            out[InstanceID(jobId: String(job), task: String(task), index: index)] = Tree(leader: e.pid, entries: table.tree(of: e.pid), uptime: table.uptime)
        }
        return out
    }

    /// The next sample of a tree: CPU over the time since the last one (or since the leader
    /// started), memory now.
    static func sample(_ tree: Tree, after old: Series?) -> Series {
        let ticks = tree.entries.reduce(UInt64(0)) { $0 + $1.ticks }
        let rss = tree.entries.reduce(Int64(0)) { $0 + $1.residentPages } * ProcessTable.pageSize
        let now = tree.uptime
        var cpu: Double
        if let old, old.pid == tree.leader, now > old.at {
            // Ticks of children that ended since are gone from the sum: never below zero.
            cpu = ticks >= old.ticks ? Double(ticks - old.ticks) / ProcessTable.ticksPerSecond / (now - old.at) * 100 : 0
        } else {
            let started = Double(tree.entries.first { $0.pid == tree.leader }?.started ?? 0) / ProcessTable.ticksPerSecond
            cpu = now > started ? Double(ticks) / ProcessTable.ticksPerSecond / (now - started) * 100 : 0
        }
        cpu = (cpu * 10).rounded() / 10
        var series = (old?.pid == tree.leader ? old : nil) ?? Series(pid: tree.leader, ticks: 0, at: 0)
        series.ticks = ticks
        series.at = now
        series.samples.append(LoadSample(time: WireTime.format(Date()), cpuPercent: cpu, rssBytes: rss, processes: tree.entries.count))
        if series.samples.count > kept { series.samples.removeFirst(series.samples.count - kept) }
        return series
    }
}
