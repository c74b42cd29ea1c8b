import Foundation

/// A restarted engine takes over what an earlier one left on this host.
extension LocalExecutor {
    /// An instance still running after a restart, watched through its pidfd until it ends.
    struct AdoptedInstance: Sendable {
        var placement: Placement
        var run: TaskRun
        var prepared: Prepared
        var group: pid_t
        /// What is left of its timeout, counted from its recorded start.
        var timeoutSeconds: Int
    }

    /// Instances still running are adopted (their deadlines kept), instances that ended while
    /// the engine was down are settled from the status `bcops-keeper` wrote, and only those
    /// whose fate is unknown run again. Process groups no instance claims (their job was
    /// stopped or deleted while the engine was down) are ended.
    func recover(_ instances: [RecoveringInstance]) async -> Recovery {
        var orphans: [InstanceID: HostProcesses.Orphan] = [:]
        var strays: [HostProcesses.Orphan] = []
        for o in HostProcesses.orphans(of: dataDirectory) {
            if let id = o.id, orphans[id] == nil { orphans[id] = o } else { strays.append(o) }
        }
        var recovery = Recovery()
        for r in instances {
            let orphan = orphans.removeValue(forKey: r.id)
            guard let dir = r.logDirectory, let slot = LocalExecutor.slot(ofLogDirectory: dir) else {
                // Not started by this executor as it is now: whatever it does, it starts again.
                if let orphan { kill(-orphan.group, SIGKILL) }
                recovery.ended.append((Placement(id: r.id, slot: nil, logDirectory: r.logDirectory), .unknown))
                continue
            }
            let placement = Placement(id: r.id, slot: slot, logDirectory: dir)
            // Its environment is not used (it is not started again): only where its logs and outputs are.
            var prepared = prepare(r.id, r.run, directory: dir, ossHost: "", fresh: false)
            prepared.outputs = r.run.plan.outputs.enumerated().map { i, o in (dir + "/mounts/out-\(i)", o.oss.hasSuffix("/") ? o.oss : o.oss + "/") }
            if let orphan {
                let left = r.run.plan.timeout - Int(Date().timeIntervalSince(r.startTime ?? Date()))
                commands.send(.adopt(AdoptedInstance(placement: placement, run: r.run, prepared: prepared, group: orphan.group,
                                                       timeoutSeconds: left)))
                recovery.adopted.append(placement)
            } else if let code = HostProcesses.recordedStatus(LocalExecutor.statusPath(dir, r.id)) {
                recovery.ended.append((placement, settle(r.id, r.run, prepared, outcome: .exited(code))))
            } else {
                recovery.ended.append((placement, settle(r.id, r.run, prepared, outcome: .unknown)))
            }
        }
        let unclaimed = Array(orphans.values) + strays
        for o in unclaimed { kill(-o.group, SIGKILL) }
        recovery.strays = unclaimed.count
        removeStatusFiles(except: Set(instances.compactMap { r in r.logDirectory.map { LocalExecutor.statusPath($0, r.id) } }))
        return recovery
    }

    /// Status files no instance will be settled from: those of ends an earlier engine recorded
    /// and died before telling its keeper, which then wrote them. Those of the instances being
    /// recovered stay until their ends are recorded.
    private func removeStatusFiles(except kept: Set<String>) {
        let fm = FileManager.default
        let slots = dataDirectory + "/slots"
        for pool in (try? fm.contentsOfDirectory(atPath: slots)) ?? [] {
            for slot in (try? fm.contentsOfDirectory(atPath: slots + "/" + pool)) ?? [] {
                let dir = slots + "/" + pool + "/" + slot
                for file in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where file.hasPrefix("status.") && !kept.contains(dir + "/" + file) {
                    unlink(dir + "/" + file)  // gone already: nothing to do
                }
            }
        }
    }
}
