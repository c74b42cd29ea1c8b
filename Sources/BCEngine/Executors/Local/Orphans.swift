import Foundation

extension HostProcesses {
    /// Set in every instance's environment to the engine's data directory; inherited by
    /// everything the instance starts.
    static let ownerVariable = "BCOPS_ENGINE_DATA"

    /// A process group a killed engine left running: the instance it runs, from its environment.
    struct Orphan: Sendable {
        var group: pid_t
        var jobId: String
        var task: String
        var index: Int
        var id: InstanceID? { index >= 0 ? InstanceID(jobId: jobId, task: task, index: index) : nil }
    }

    /// Every process group whose leader's environment says it belongs to the engine of
    /// `dataDirectory`: what an earlier engine left running. Reading the marker from /proc
    /// instead of recording each process group at start saves a transaction per instance.
    ///
    /// An earlier engine's `bcops-keeper` is never among them: it is started with an empty
    /// environment, without the marker (and without `BATCH_COMPUTE_DAG_*`, so it could not be
    /// taken for an instance either), in a session of its own. A restarted engine's recovery
    /// never kills it, on purpose: killing it would gain nothing, since it exits by itself once
    /// the engine is gone and its last instance has ended (killing the instances' groups, as
    /// recovery does with strays, is enough to make it exit: it records their ends and
    /// leaves), and it would lose the status of every instance still running, which would
    /// then run again.
    static func orphans(of dataDirectory: String) -> [Orphan] {
        defer { scanTime.withLock { $0 = Date() } }
        let marker = "\(ownerVariable)=\(dataDirectory)"
        let own = getpgrp()
        var out: [pid_t: Orphan] = [:]
        var groups = Set<pid_t>()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            var variables: [Substring: Substring] = [:]
            let text = String(decoding: environ, as: UTF8.self)
            guard text.contains(marker) else { continue }
            for item in text.split(separator: "\0") {
                guard let eq = item.firstIndex(of: "=") else { continue }
                variables[item[..<eq]] = item[item.index(after: eq)...]
            }
            let group = getpgid(pid)
            guard variables[Substring(ownerVariable)].map(String.init) == dataDirectory, group > 1, group != own else { continue }
            groups.insert(group)
            if pid == group, let job = variables["BATCH_COMPUTE_DAG_JOB_ID"], let task = variables["BATCH_COMPUTE_DAG_TASK_ID"],
               let index = variables["BATCH_COMPUTE_DAG_INSTANCE_ID"].flatMap({ Int($0) }) {
                out[group] = Orphan(group: group, jobId: String(job), task: String(task), index: index)
            }
        }
        // A group whose leader is gone (or had no instance variables) still counts, unnamed.
        for group in groups where out[group] == nil { out[group] = Orphan(group: group, jobId: "", task: "", index: -1) }
        return Array(out.values)
    }
}
