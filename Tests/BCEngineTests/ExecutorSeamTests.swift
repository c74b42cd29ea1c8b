import Foundation
import Testing
@testable import BCEngine

/// The scheduler's side of the executor seam with a backend that owns its capacity, as a Grid
/// Engine (`qsub -t`) or Slurm (`sbatch --array`) executor will: it gets a task's whole instance
/// array at once, whatever the pool's slots, and its reports of starts and ends are recorded.
/// The backend here queues the array itself and runs it one instance at a time on this host,
/// through the local executor; the scheduler, the store and the processes are the real ones.
@Suite struct ExecutorSeamTests {
    final class ArrayBackend: InstanceExecutor {
        let capacity = ExecutorCapacity.ownedByBackend
        let local: LocalExecutor
        let queue = Mailbox<InstanceBatch>()
        /// The size of every batch handed over, in order.
        let batchSizes = Locked<[Int]>([])

        /// What the local executor reports, for the backend to pass on.
        actor Relay: ExecutorEventHandler {
            let reported = Mailbox<ExecutorEvent>()
            func handle(_ events: [ExecutorEvent], from executor: Int) { reported.send(contentsOf: events) }
        }
        let relay = Relay()

        init(dataDirectory: String, objects: ObjectStore) {
            local = LocalExecutor(dataDirectory: dataDirectory, objects: objects)
        }

        func runs(on cluster: EngineStore.ClusterRow?) -> Bool { true }
        func engineListening(host: String, port: Int) {}
        func logDirectory(pool: String, slot: Int?) -> String? { local.logDirectory(pool: pool, slot: slot) }
        func submit(_ batch: InstanceBatch) {
            batchSizes.withLock { $0.append(batch.instances.count) }
            queue.send(batch)
        }
        func cancel(jobId: String) {}
        func endsRecorded(_ instances: [Placement]) { local.endsRecorded(instances) }
        func recover(_ instances: [RecoveringInstance]) async -> Recovery { Recovery() }

        /// Queues each array and runs it one instance at a time, through the local executor.
        func run(reportingTo scheduler: isolated any ExecutorEventHandler, as index: Int) async {
            let (local, relay) = (self.local, self.relay)
            let loop = Task { await local.run(reportingTo: relay, as: 0) }
            defer { loop.cancel() }
            while case let batches = await queue.take(), !batches.isEmpty {
                for batch in batches {
                    for placement in batch.instances {
                        scheduler.handle([.started(placement.id, at: Date())], from: index)
                        local.submit(InstanceBatch(run: batch.run, instances: [placement]))
                        waiting: while case let reported = await relay.reported.take(), !reported.isEmpty {
                            for case .ended(let id, let report) in reported where id == placement.id {
                                scheduler.handle([.ended(id, report)], from: index)
                                break waiting
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func aBackendThatOwnsCapacityGetsTheWholeArrayAndReportsStartsAndEnds() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-seam-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine(dataDirectory: dir, notice: { _ in })
        // One node of 2 vCPUs: the local executor would get 2 instances at a time.
        let cluster = try engine.store.createCluster(name: "sge", description: """
            {"Name":"sge","ImageId":"img-ubuntu","Groups":{"g":{"DesiredVMCount":1,"InstanceType":"ecs.sn1.medium"}}}
            """, token: nil)
        let job = try await engine.store.createJob(name: "array", type: "DAG", priority: 1, description: """
            {"Name":"array","Type":"DAG","JobFailOnInstanceFail":true,"DAG":{"Tasks":{"t":{"InstanceCount":5,"ClusterId":"\(cluster)",
             "Parameters":{"Command":{"CommandLine":"true","PackagePath":""},"StdoutRedirectPath":"","StderrRedirectPath":""}}},
             "Dependencies":{}}}
            """, token: nil, tasks: [(name: "t", instances: 5)])
        let backend = ArrayBackend(dataDirectory: dir, objects: engine.objects)
        let scheduler = Scheduler(engine: engine, executors: [backend])
        let running = Task { await scheduler.run() }
        defer { running.cancel() }
        var state = ""
        for _ in 0..<600 where !["Finished", "Failed"].contains(state) {
            state = try engine.store.job(job)?.state ?? ""
            if state != "Finished" { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        #expect(state == "Finished")
        #expect(backend.batchSizes.withLock { $0 } == [5], "the whole array at once, not the pool's 2 slots")
        let instances = try engine.store.instances(of: job, task: "t")
        #expect(instances.map(\.state) == Array(repeating: "Finished", count: 5))
        #expect(instances.allSatisfy { $0.startTime != nil && $0.endTime != nil })
    }
}
