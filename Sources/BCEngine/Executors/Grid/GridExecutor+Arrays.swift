import Foundation

extension GridExecutor {
    /// The arrays this executor has out, as its run loop holds them, from submission until the
    /// scheduler took the end of their last task. Only `run()` uses it, one command at a time.
    final class Arrays {
        let executor: GridExecutor
        private var arrays: [String: Tracked] = [:]
        /// instance → the arrays it is in (a retry is submitted before the end it retries is forgotten).
        private var byInstance: [InstanceID: [String]] = [:]
        var ossHost = "127.0.0.1"
        var reports: [ExecutorEvent] = []
        private var polling: Task<Void, Never>?
        private var lastPoll = ContinuousClock.now - .seconds(60)
        /// Since when the scheduler has not answered; nil while it does.
        private var unreachableSince: Date?

        init(_ executor: GridExecutor) { self.executor = executor }

        func stop() { polling?.cancel() }

        func takeReports() -> [ExecutorEvent] {
            defer { reports = [] }
            return reports
        }

        // MARK: Submitting

        /// Names the array and notes it at once (a stop that follows finds it), then prepares
        /// and submits it off the loop.
        func submit(_ batch: InstanceBatch) {
            guard let first = batch.instances.first else { return }
            let name = executor.nextName(first.id)
            let manifest = GridManifest(name: name, jobId: first.id.jobId, task: first.id.task, instances: batch.instances.map(\.id.index),
                                        arrayId: nil, cursor: 0)
            arrays[name] = Tracked(manifest: manifest, run: batch.run)
            for p in batch.instances { byInstance[p.id, default: []].append(name) }
            let (executor, host) = (self.executor, ossHost)
            Task.detached {
                let result = await executor.prepareAndSubmit(manifest, batch.run, ossHost: host)
                executor.commands.send(.submitted(name, result))
            }
        }

        func submitted(_ name: String, _ result: Result<Submitted, GridError>) {
            guard var array = arrays[name] else { return }
            switch result {
            case .failure(let error):
                // The scheduler is down or refused the array: every instance fails, saying which command and why.
                executor.logger.error("cannot submit array \(name): \(error)")
                for task in array.taskNumbers where !array.ended.contains(task) {
                    array.ended.insert(task)
                    reports.append(.ended(array.id(of: task), .failed(exitCode: nil, code: "SchedulerUnavailable", message: error.description)))
                }
            case .success(let submitted):
                array.manifest.arrayId = submitted.jobId
                array.prepared = submitted.prepared
                for event in submitted.refused {
                    if case .ended(let id, _) = event, let task = array.manifest.instances.firstIndex(of: id.index) { array.ended.insert(task + 1) }
                    reports.append(event)
                }
                if array.cancelled { cancelArray(array) }
            }
            arrays[name] = array
        }

        // MARK: Stopping and forgetting

        func cancel(_ jobId: String) {
            for (name, array) in arrays where array.manifest.jobId == jobId && !array.cancelled {
                arrays[name]?.cancelled = true
                // Not submitted yet: deleted as soon as its id is known (`submitted`).
                if array.manifest.arrayId != nil { cancelArray(array) }
            }
        }

        private func cancelArray(_ array: Tracked) {
            guard let id = array.manifest.arrayId else { return }
            let (backend, logger) = (executor.backend, executor.logger)
            Task.detached {
                do { try await backend.cancel(id, task: nil) } catch {
                    // Its tasks end as the scheduler reports them; if it is down, the unreachable limit ends them.
                    logger.error("cannot delete array \(array.manifest.name) (\(id)): \(error)")
                }
            }
        }

        func forget(_ placements: [Placement]) {
            for p in placements {
                guard let names = byInstance[p.id] else { continue }
                for name in names {
                    guard var array = arrays[name], let i = array.manifest.instances.firstIndex(of: p.id.index) else { continue }
                    let task = i + 1
                    guard array.ended.contains(task), !array.forgotten.contains(task) else { continue }
                    array.forgotten.insert(task)
                    byInstance[p.id]?.removeAll { $0 == name }
                    if byInstance[p.id]?.isEmpty == true {
                        byInstance[p.id] = nil
                        // Its logs and outputs are in OSS, and no retry of it is out: its directory goes.
                        try? FileManager.default.removeItem(atPath: executor.instanceDirectory(p.id))
                    }
                    if array.forgotten.count == array.manifest.instances.count {
                        arrays[name] = nil
                        executor.remove(array.manifest)
                    } else {
                        arrays[name] = array
                    }
                    break
                }
            }
        }

        func adopt(_ tracked: [Tracked]) {
            for array in tracked {
                arrays[array.manifest.name] = array
                for task in array.taskNumbers where !array.forgotten.contains(task) {
                    byInstance[array.id(of: task), default: []].append(array.manifest.name)
                }
            }
        }

        // MARK: Looking at the scheduler

        /// Starts a look when arrays are out, none is under way, and the last was a poll interval ago.
        func pollIfDue() {
            guard polling == nil else { return }
            let out = arrays.values.filter { $0.ended.count < $0.manifest.instances.count && $0.manifest.arrayId != nil }
            let ids = Set(out.compactMap(\.manifest.arrayId))
            guard !ids.isEmpty else { return }
            let executor = self.executor
            // What a look may have to ask the scheduler's records about: tasks out, by array.
            var pending: [PendingTasks] = []
            for a in out {
                pending.append(PendingTasks(arrayId: a.manifest.arrayId!, name: a.manifest.name, directory: executor.arraysDirectory + "/" + a.manifest.name,
                                            tasks: a.taskNumbers.filter { !a.ended.contains($0) && a.prepared[$0] != nil }))
            }
            let looking = pending
            let wait = max(.zero, executor.pollInterval - (ContinuousClock.now - lastPoll))
            polling = Task.detached {
                guard (try? await Task.sleep(for: wait)) != nil else { return }
                let result = await GridExecutor.look(executor.backend, ids, looking)
                executor.commands.send(.observed(ids, result))
            }
        }


        func observed(_ ids: Set<String>, _ result: Result<[String: [Int: GridTaskState]], GridError>) {
            polling = nil
            lastPoll = .now
            let states: [String: [Int: GridTaskState]]
            switch result {
            case .failure(let error):
                let since = unreachableSince ?? Date()
                unreachableSince = since
                executor.logger.warning("cannot learn how the arrays stand: \(error)")
                if Date().timeIntervalSince(since) >= executor.unreachableLimit { failAll(ids, error, since: since) }
                return
            case .success(let s): states = s
            }
            unreachableSince = nil
            var ends: [(Tracked, Int, Outcome)] = []
            for (name, var array) in arrays {
                guard let id = array.manifest.arrayId, ids.contains(id) else { continue }
                for task in array.taskNumbers where !array.ended.contains(task) && array.prepared[task] != nil {
                    let instance = array.id(of: task)
                    switch states[id]?[task] {
                    case .queued?:
                        array.missing[task] = nil
                    case .running?:
                        array.missing[task] = nil
                        if array.seenRunning.insert(task).inserted { reports.append(.started(instance, at: Date())) }
                    case .ended(let end)?:
                        if array.seenRunning.insert(task).inserted { reports.append(.started(instance, at: Date())) }
                        array.ended.insert(task)
                        ends.append((array, task, outcome(of: end, array, task)))
                        if case .failed = end, !array.cancelled {
                            // Held in an error state (Grid Engine's Eqw) it would stay queued: deleted.
                            let backend = executor.backend
                            Task.detached { try? await backend.cancel(id, task: task) }
                        }
                    case nil:
                        array.missing[task, default: 0] += 1
                        guard array.missing[task]! >= GridExecutor.missingLooks else { continue }
                        array.ended.insert(task)
                        let outcome: Outcome = array.adopted ? .unknown
                            : array.cancelled ? .failure(code: "Stopped", message: "stopped")
                            : .failure(code: "DeletedOutsideBcops", message: executor.deletedMessage(array, task, detail: "it left the queue without a record (deleted while queued)"))
                        ends.append((array, task, outcome))
                    }
                }
                arrays[name] = array
            }
            settle(ends)
        }

        /// The scheduler has not answered for the unreachable limit: the instances it holds fail
        /// with its error (they may still run there once it is back; the engine no longer waits).
        private func failAll(_ ids: Set<String>, _ error: GridError, since: Date) {
            let message = "\(error); every look at \(executor.backend.scheduler) failed for \(Int(Date().timeIntervalSince(since))) s, "
                + "so the engine stopped waiting (the task may still run there once it is back)"
            for (name, var array) in arrays {
                guard let id = array.manifest.arrayId, ids.contains(id) else { continue }
                for task in array.taskNumbers where !array.ended.contains(task) {
                    array.ended.insert(task)
                    reports.append(.ended(array.id(of: task), .failed(exitCode: nil, code: "SchedulerUnavailable", message: message)))
                }
                arrays[name] = array
            }
            unreachableSince = nil
        }

        private func outcome(of end: GridEnd, _ array: Tracked, _ task: Int) -> Outcome {
            switch end {
            case .exited(let code): return .process(.exited(code))
            case .timedOut: return .process(.timedOut)
            case .failed(let why): return .failure(code: "SchedulerFailed", message: why)
            case .deleted(let detail):
                return array.cancelled ? .failure(code: "Stopped", message: "stopped")
                    : .failure(code: "DeletedOutsideBcops", message: executor.deletedMessage(array, task, detail: detail))
            }
        }

        /// Uploads what the ended instances left and reports their ends: in this turn when none
        /// has anything to upload, else in a task of its own.
        private func settle(_ ends: [(Tracked, Int, Outcome)]) {
            guard !ends.isEmpty else { return }
            let executor = self.executor
            let work = ends.compactMap { array, task, outcome in array.prepared[task].map { (array.id(of: task), array.run, $0, outcome) } }
            let uploads = work.contains { _, run, p, _ in p.stdoutObject != nil || p.stderrObject != nil || !p.outputs.isEmpty || !run.plan.logs.isEmpty }
            guard uploads else {
                reports += work.map { .ended($0.0, executor.report($0.0, $0.1, $0.2, $0.3)) }
                return
            }
            Task.detached { executor.commands.send(.settled(work.map { .ended($0.0, executor.report($0.0, $0.1, $0.2, $0.3)) })) }
        }
    }

    /// How an instance ended, before its uploads.
    enum Outcome: Sendable {
        case process(ProcessOutcome)
        case failure(code: String, message: String)
        case unknown
    }

    /// Uploads what the instance left (as the local executor does) and says how it ended.
    func report(_ id: InstanceID, _ run: TaskRun, _ prepared: PreparedInstance, _ outcome: Outcome) -> InstanceReport {
        switch outcome {
        case .process(let p):
            return settle(id, run, prepared, outcome: p)
        case .unknown:
            return settle(id, run, prepared, outcome: .unknown)
        case .failure(let code, let message):
            // Uploaded as a failed start; its own code and message replace that one's.
            guard case .failed(let exitCode, _, let said) = settle(id, run, prepared, outcome: .failedToStart(message)) else {
                return .failed(exitCode: nil, code: code, message: message)
            }
            return .failed(exitCode: exitCode, code: code, message: said)
        }
    }

    func deletedMessage(_ array: Tracked, _ task: Int, detail: String) -> String {
        "\(backend.scheduler) job \(array.manifest.arrayId ?? "?") task \(task) (array \(array.manifest.name)) was deleted outside bcops "
            + "(\(backend.deleteCommand)): \(detail)"
    }
}

/// Tasks of an array still out, as a look at the scheduler may have to ask its records about them.
struct PendingTasks: Sendable { var arrayId: String; var name: String; var directory: String; var tasks: [Int] }

extension GridExecutor {
    /// The scheduler's view of the arrays, plus the ends of tasks that view no longer has, from
    /// its records of ended jobs (Slurm's controller forgets a job MinJobAge after its end: an
    /// engine that was down longer reads it from `sacct -c`).
    static func look(_ backend: any GridBackend, _ ids: Set<String>, _ pending: [PendingTasks]) async -> Result<[String: [Int: GridTaskState]], GridError> {
        var states: [String: [Int: GridTaskState]]
        do { states = try await backend.observe(ids) } catch { return .failure(error) }
        for p in pending {
            let unknown = p.tasks.filter { states[p.arrayId]?[$0] == nil }
            guard !unknown.isEmpty else { continue }
            let ends: [Int: GridEnd]
            do { ends = try await backend.recordedEnds(p.arrayId, name: p.name, directory: p.directory, tasks: unknown) } catch { return .failure(error) }
            for task in ends.keys.sorted() { states[p.arrayId, default: [:]][task] = .ended(ends[task]!) }
        }
        return .success(states)
    }
}
