import Foundation

/// A restarted engine re-attaches to its arrays by name: it never submits twice what the
/// scheduler still has.
extension GridExecutor {
    /// Reads the manifests in `DATA/grid/arrays`, finds by name the arrays whose id an earlier
    /// engine did not note, and adopts every array that holds an instance the store says is
    /// running: its queued and running tasks are watched again, and the ends the scheduler
    /// recorded meanwhile are read from its records (Grid Engine's accounting file from the
    /// array's cursor, Slurm's controller within MinJobAge). An instance in no array, or in one
    /// the scheduler never got, runs again. Arrays no running instance claims are deleted.
    func recover(_ instances: [RecoveringInstance]) async -> Recovery {
        var recovery = Recovery()
        let byId = Dictionary(instances.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var claimed: Set<InstanceID> = []
        var manifests: [GridManifest] = []
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: arraysDirectory)) ?? [] {
            guard let data = fm.contents(atPath: arraysDirectory + "/" + name + "/array.json"),
                  let manifest = try? JSONDecoder().decode(GridManifest.self, from: data) else {
                // Died before its manifest was written: never submitted.
                try? fm.removeItem(atPath: arraysDirectory + "/" + name)
                continue
            }
            manifests.append(manifest)
        }
        if manifests.contains(where: { $0.arrayId == nil }) {
            do {
                let found = try await backend.find(namePrefix: prefix)
                for i in manifests.indices where manifests[i].arrayId == nil { manifests[i].arrayId = found[manifests[i].name] }
            } catch {
                logger.error("cannot look for arrays by name after a restart (their instances run again): \(error)")
            }
        }
        if let earliest = manifests.filter({ $0.arrayId != nil }).map(\.cursor).min() { await backend.rewind(to: earliest) }
        var adopted: [Tracked] = []
        for manifest in manifests {
            let tasks = manifest.instances.indices.filter { byId[InstanceID(jobId: manifest.jobId, task: manifest.task, index: manifest.instances[$0])] != nil }
            guard let arrayId = manifest.arrayId, !tasks.isEmpty else {
                if let arrayId = manifest.arrayId {
                    // No instance of it is running any more (its job was stopped or deleted meanwhile).
                    do { try await backend.cancel(arrayId, task: nil) } catch { logger.info("array \(manifest.name) (\(arrayId)): \(error)") }
                    recovery.strays += 1
                }
                remove(manifest)
                continue
            }
            var tracked = Tracked(manifest: manifest, run: byId[InstanceID(jobId: manifest.jobId, task: manifest.task, index: manifest.instances[tasks[0]])]!.run)
            tracked.adopted = true
            for task in tracked.taskNumbers {
                let id = tracked.id(of: task)
                guard tasks.contains(task - 1), !claimed.contains(id), let r = byId[id] else {
                    tracked.ended.insert(task)
                    tracked.forgotten.insert(task)
                    continue
                }
                claimed.insert(id)
                let dir = instanceDirectory(id)
                // Its environment is not used (it is not started again): only where its logs and outputs are.
                var prepared = prepare(id, r.run, directory: dir, ossHost: "", fresh: false)
                prepared.outputs = r.run.plan.outputs.enumerated().map { i, o in (dir + "/mounts/out-\(i)", o.oss.hasSuffix("/") ? o.oss : o.oss + "/") }
                tracked.prepared[task] = prepared
                tracked.seenRunning.insert(task)  // its start is on record already
                recovery.adopted.append(Placement(id: id, slot: nil, logDirectory: dir))
            }
            logger.info("re-attached to array \(manifest.name) (\(backend.scheduler) job \(arrayId)) with \(tracked.prepared.count) instances")
            adopted.append(tracked)
        }
        if !adopted.isEmpty { commands.send(.adopt(adopted)) }
        for r in instances where !claimed.contains(r.id) {
            recovery.ended.append((Placement(id: r.id, slot: nil, logDirectory: r.logDirectory), .unknown))
        }
        return recovery
    }
}
