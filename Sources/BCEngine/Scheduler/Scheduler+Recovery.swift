import Foundation

/// A restarted engine settles what the store says was running, through the executors.
extension Scheduler {
    /// Each executor gets the instances it ran: still running ones are adopted (their slots
    /// kept), those that ended while the engine was down are recorded, and only those whose
    /// fate is unknown run again, as do those whose task or cluster is gone. Every executor is
    /// asked, even with none, to end what an earlier engine left running that nothing claims.
    func recover() async {
        let running: [EngineStore.RunningInstance]
        do { running = try engine.store.runningInstances() } catch {
            logger.error("cannot read the instances a restart interrupted (they stay Running until the next restart): \(error)")
            return
        }
        var byExecutor = Array(repeating: [RecoveringInstance](), count: executors.count)
        var flights: [InstanceID: Flight] = [:]
        var requeued = 0
        for r in running {
            let id = InstanceID(jobId: r.jobId, task: r.task, index: r.index)
            guard let plan = plan(r.jobId, r.task), case .found(let poolName, let pool) = pool(for: plan, jobId: r.jobId, taskName: r.task) else {
                requeue(id)
                requeued += 1
                continue
            }
            byExecutor[pool.executor].append(RecoveringInstance(id: id, run: taskRun(plan, pool: poolName, pool), startTime: r.startTime,
                                                                logDirectory: r.directory))
            flights[id] = Flight(placement: Placement(id: id, slot: nil, logDirectory: r.directory), pool: poolName, executor: pool.executor,
                                 maxRetries: plan.maxRetries, failJobOnInstanceFailure: plan.failJobOnInstanceFailure, autoRelease: plan.autoRelease)
        }
        var ends: [Ending] = []
        var (adopted, recordedWhileDown, strays) = (0, 0, 0)
        for (i, executor) in executors.enumerated() {
            let recovery = await executor.recover(byExecutor[i])
            strays += recovery.strays
            for placement in recovery.adopted {
                guard var flight = flights[placement.id] else { continue }
                flight.placement = placement
                if let slot = placement.slot { slotsInUse[flight.pool, default: []].insert(slot) }
                inFlight[placement.id] = flight
                flightsPerJob[placement.id.jobId, default: 0] += 1
                adopted += 1
            }
            for (placement, report) in recovery.ended {
                guard var flight = flights[placement.id] else { continue }
                flight.placement = placement
                guard let ending = Scheduler.ending(report, of: flight) else {
                    requeue(placement.id)
                    requeued += 1
                    continue
                }
                ends.append(ending)
                recordedWhileDown += 1
            }
        }
        if adopted + recordedWhileDown + requeued + strays > 0 {
            logger.info("recovered after a restart", metadata: [
                "adopted": "\(adopted)", "recordedWhileDown": "\(recordedWhileDown)", "runAgain": "\(requeued)", "endedStrayGroups": "\(strays)"])
        }
        // The first pass: records what ended while the engine was down and starts what waits.
        tick(ending: ends)
    }
}
