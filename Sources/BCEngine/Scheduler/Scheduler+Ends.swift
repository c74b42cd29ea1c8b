import BCAPI
import Foundation

/// What executors report, and what follows an end: retries, a failed or finished job,
/// AutoRelease, and ending the rest of a job that left Running.
extension Scheduler {
    /// What an executor reported at once: start times are stamped, and every end is recorded
    /// in one commit with the starts that take the slots they freed.
    func handle(_ events: [ExecutorEvent], from executor: Int) {
        var ends: [(InstanceID, InstanceReport)] = []
        for event in events {
            switch event {
            case .started(let id, let time):
                do { try engine.store.stampStart(jobId: id.jobId, task: id.task, index: id.index, at: time) } catch {
                    // Only the start time is lost: the instance runs and ends as any other.
                    logger.error("cannot record when instance \(id) started: \(error)")
                }
            case .ended(let id, let report):
                ends.append((id, report))
            }
        }
        if !ends.isEmpty { ended(ends) }
    }

    /// Records instances' ends and starts the next instances in their places, in one commit.
    func ended(_ reports: [(InstanceID, InstanceReport)]) {
        var endings: [Ending] = []
        var again: [Flight] = []
        for (id, report) in reports {
            guard let flight = inFlight.removeValue(forKey: id) else {
                logger.warning("an executor reported the end of instance \(id), which was not handed to it")
                continue
            }
            land(flight)
            if let ending = Scheduler.ending(report, of: flight) {
                endings.append(ending)
            } else {
                requeue(id)
                again.append(flight)
            }
        }
        if !again.isEmpty {
            for (i, executor) in executors.enumerated() {
                let placements = again.filter { $0.executor == i }.map(\.placement)
                if !placements.isEmpty { executor.endsRecorded(placements) }
            }
            forgetQueue()  // they wait again: the queue as read holds them no more
        }
        if !endings.isEmpty || !again.isEmpty { tick(ending: endings) }
    }

    /// The end to record for a report; nil when the instance must run again (`.unknown`).
    static func ending(_ report: InstanceReport, of flight: Flight) -> Ending? {
        let result: EngineStore.InstanceResult
        var maxRetries = flight.maxRetries
        switch report {
        case .succeeded: result = .succeeded
        case .failed(let exitCode, let code, let message): result = .failed(exitCode: exitCode, code: code, message: message)
        case .refused(let code, let message):
            result = .failed(exitCode: nil, code: code, message: message)
            maxRetries = 0
        case .unknown: return nil
        }
        let id = flight.placement.id
        return Ending(end: EngineStore.InstanceEnd(jobId: id.jobId, task: id.task, index: id.index, result: result, maxRetries: maxRetries,
                                                   failJobOnInstanceFailure: flight.failJobOnInstanceFailure),
                      flight: flight)
    }

    /// An instance is no longer in flight: its slot is free.
    func land(_ flight: Flight) {
        if let slot = flight.placement.slot { slotsInUse[flight.pool]?.remove(slot) }
        let jobId = flight.placement.id.jobId
        if let n = flightsPerJob[jobId], n > 1 {
            flightsPerJob[jobId] = n - 1
        } else {
            flightsPerJob[jobId] = nil
            if !ending.isEmpty, ending.remove(jobId) != nil { engine.endingJobs.remove(jobId) }
        }
        if inFlight.isEmpty { stopDraining() }
    }

    /// An instance whose fate is unknown goes back to Waiting, to run again.
    func requeue(_ id: InstanceID) {
        do { try engine.store.requeue(jobId: id.jobId, task: id.task, index: id.index) } catch {
            // It stays Running in the store with nothing running it, until a restart requeues it.
            logger.error("cannot requeue instance \(id): \(error)")
        }
    }

    /// After ends are committed: their executors may drop what they kept for a restart,
    /// AutoRelease jobs that finished go, and a job an instance failed stops the rest of it.
    func recorded(_ ends: [Ending]) {
        for (i, executor) in executors.enumerated() {
            let placements = ends.filter { $0.flight.executor == i }.map(\.flight.placement)
            if !placements.isEmpty { executor.endsRecorded(placements) }
        }
        releaseFinished(Set(ends.filter(\.flight.autoRelease).map(\.end.jobId)))
        var failing: Set<String> = []
        for e in ends where e.end.failJobOnInstanceFailure && flightsPerJob[e.end.jobId] != nil {
            if case .failed = e.end.result { failing.insert(e.end.jobId) }
        }
        stopEndedJobs(failing.union(childrenInFlight(of: Set(ends.map(\.end.jobId)))))
    }

    /// The jobs in flight that jobs which may just have ended had submitted (a workflow
    /// runner's calls): the store stopped them with their parent (EngineStore+ParentJobs), and
    /// their instances end now, not at the next wakeup. With no other job in flight there is
    /// nothing to ask the store (one job of many instances never does).
    func childrenInFlight(of jobs: Set<String>) -> Set<String> {
        guard flightsPerJob.keys.contains(where: { !jobs.contains($0) }) else { return [] }
        do {
            return Set(try engine.store.children(of: Array(jobs))).intersection(flightsPerJob.keys)
        } catch {
            logger.error("cannot read the jobs that \(jobs.sorted().joined(separator: ", ")) submitted: \(error)")
            retryLater()
            return []
        }
    }

    /// AutoRelease: a job that asked for it is deleted once it has Finished.
    func releaseFinished(_ jobs: Set<String>) {
        for jobId in jobs where flightsPerJob[jobId] == nil {
            releaseLater.remove(jobId)
            do {
                guard try engine.store.job(jobId)?.runState == .finished else { continue }
                try engine.store.deleteJob(jobId)
                engine.workerLogs.remove(job: jobId)
                logger.info("released job \(jobId) (AutoRelease)")
            } catch {
                logger.error("cannot release job \(jobId) (AutoRelease): \(error)")
                releaseLater.insert(jobId)
                retryLater()
            }
        }
    }

    /// Ends the instances of those jobs that are no longer Waiting or Running (stopped,
    /// deleted, failed).
    func stopEndedJobs(_ jobs: Set<String>) {
        for jobId in jobs where flightsPerJob[jobId] != nil {
            let state: RunState?
            do { state = try engine.store.job(jobId)?.runState } catch {
                logger.error("cannot read job \(jobId) to see whether it still runs: \(error)")
                retryLater()
                continue
            }
            if state != .running && state != .waiting { cancel(jobId) }
        }
    }

    /// Asks every executor running instances of the job to end them; the job's key stays
    /// valid until they have (`EndingJobs`).
    func cancel(_ jobId: String) {
        guard flightsPerJob[jobId] != nil else { return }
        if ending.insert(jobId).inserted { engine.endingJobs.insert(jobId, grace: stopGrace) }
        let holding = Set(inFlight.values.filter { $0.placement.id.jobId == jobId }.map(\.executor))
        for i in holding { executors[i].cancel(jobId: jobId) }
    }
}
