import Foundation

extension LocalExecutor {
    /// The instances this executor runs, as its run loop holds them: each one's task and what
    /// was prepared for it, from its start until the scheduler took its end. Only `run()` uses
    /// it, one command at a time; what a command ends is reported at the end of its turn, in one
    /// message, and what it asks of the keeper goes in one write.
    final class Running {
        let executor: LocalExecutor
        let processes: HostProcesses
        private var instances: [InstanceID: (run: TaskRun, prepared: Prepared)] = [:]
        /// `BATCH_COMPUTE_OSS_HOST` for instances started from now on.
        var ossHost = "127.0.0.1"
        /// Ends to report at the end of this turn.
        var reports: [ExecutorEvent] = []

        init(_ executor: LocalExecutor) {
            self.executor = executor
            let commands = executor.commands
            processes = HostProcesses(keeper: executor.keeperPath, owner: executor.dataDirectory, stopGrace: executor.stopGrace) { commands.send(.processes($0)) }
        }

        /// Prepares an instance and starts it, in this turn: a slot's next instance starts in
        /// the turn the scheduler's answer arrives.
        func start(_ placement: Placement, _ run: TaskRun) {
            let id = placement.id
            let directory = placement.logDirectory ?? executor.slotDirectory(pool: run.pool, slot: placement.slot ?? 0)
            let log = executor.workerLogs
            log?.append(id, "dispatched to \(run.pool)\(placement.slot.map { " slot \($0)" } ?? ""): \(directory)")
            var prepared = executor.prepare(id, run, directory: directory, ossHost: ossHost)
            if let refusal = executor.adapt(&prepared, run) {
                log?.append(id, "not started: \(refusal.code): \(refusal.message)")
                log?.ended(id)
                // Nothing ran, so nothing to upload: the instance fails with the reason.
                reports.append(.ended(id, refusal.retriable ? .failed(exitCode: nil, code: refusal.code, message: refusal.message)
                                                 : .refused(code: refusal.code, message: refusal.message)))
                return
            }
            instances[id] = (run, prepared)
            log?.append(id, "starting (timeout \(run.plan.timeout) s, \(run.plan.maxRetries) retries allowed): \(run.plan.commandLine.prefix(300))")
            if let outcome = processes.start(id, prepared.launch) { ended(id, outcome) }
        }

        func adopt(_ adopted: AdoptedInstance) {
            let id = adopted.placement.id
            instances[id] = (adopted.run, adopted.prepared)
            executor.workerLogs?.append(id, "adopted by a restarted engine: process group \(adopted.group) still runs")
            processes.adopt(id, group: adopted.group, statusPath: adopted.prepared.launch.statusPath ?? "", timeoutSeconds: adopted.timeoutSeconds)
        }

        /// Kills a job's running instances; their ends are reported as any other.
        func cancel(_ jobId: String) {
            let ids = instances.keys.filter { $0.jobId == jobId }
            for id in ids {
                executor.workerLogs?.append(id, "stop asked (job \(jobId) stopped, deleted or failed): SIGTERM to the process group, SIGKILL after \(executor.stopGrace)")
            }
            processes.killGroups(of: ids)
        }

        func forget(_ placements: [Placement]) {
            for p in placements { instances[p.id] = nil }
            let others = Set(processes.recorded(placements.map(\.id)))
            for p in placements where others.contains(p.id) {
                // Absent when the instance was refused before it ran, or ran without a keeper: nothing to remove.
                if let dir = p.logDirectory { unlink(LocalExecutor.statusPath(dir, p.id)) }
            }
        }

        func handle(_ event: HostProcesses.Event) {
            for (id, outcome) in processes.handle(event) { ended(id, outcome) }
        }

        /// Settles an ended instance: in this turn when it has nothing to upload (a short
        /// instance's end then costs no task), else off the loop, which a large upload would hold up.
        private func ended(_ id: InstanceID, _ outcome: ProcessOutcome) {
            guard let (run, prepared) = instances[id] else { return }
            executor.workerLogs?.append(id, LocalExecutor.said(outcome))
            let uploads = prepared.stdoutObject != nil || prepared.stderrObject != nil || !prepared.outputs.isEmpty || !run.plan.logs.isEmpty
            guard uploads else {
                reports.append(.ended(id, executor.settle(id, run, prepared, outcome: outcome)))
                return
            }
            let executor = self.executor
            // Detached: the loop runs in the scheduler's isolation, which an upload must not hold.
            Task.detached { executor.commands.send(.settled(id, executor.settle(id, run, prepared, outcome: outcome))) }
        }

        /// The end of a turn: the keeper's requests in one write.
        func flush() { processes.flush() }

        /// The ends of this turn, to report in one call.
        func takeReports() -> [ExecutorEvent] {
            defer { reports = [] }
            return reports
        }
    }
}
