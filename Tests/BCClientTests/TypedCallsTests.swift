import BCClient
import BCTestSupport
import Foundation
import Testing

/// Every typed call against a real engine: the contract's types read what the engine answers,
/// and each route reaches the handler it names. The consumers' own suites (jobs, logs, render,
/// locks, the controller) use these calls too; this covers the ones no command uses yet.
@Suite(.serialized) struct TypedCallsTests {
    static func client(_ engine: EngineProcess) throws -> BatchComputeClient {
        BatchComputeClient(try ClientConfiguration.fromEnvironment(engine.clientEnvironment))
    }

    static func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func clustersJobsTasksAndInstances() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let client = try Self.client(engine)
        // A cluster of no nodes: the job waits, so its states are known while it is read.
        let cluster = try await client.createCluster(try Self.json("""
            {"Name":"idle","ImageId":"img-ubuntu","Labels":{"team":"a"},"Groups":{"g":{"DesiredVMCount":0,"InstanceType":"ecs.sn1.medium"}}}
            """), idempotentToken: "t-1").id
        #expect(try await client.createCluster(try Self.json("""
            {"Name":"idle","ImageId":"img-ubuntu","Labels":{"team":"a"},"Groups":{"g":{"DesiredVMCount":0,"InstanceType":"ecs.sn1.medium"}}}
            """), idempotentToken: "t-1").id == cluster, "the same token creates once")
        let read = try await client.cluster(cluster)
        #expect(read.name == "idle" && read.state == .active && read.groups["g"]?.desiredVMCount == 0 && read.labels["team"] == "a")
        #expect(try await client.allClusters(labels: ["team": "a"]).map(\.id) == [cluster])
        #expect(try await client.allClusters(labels: ["team": "b"]).isEmpty)
        #expect(try await client.clusterVMs(of: cluster, group: "g").isEmpty)

        let body = try Self.json(#"""
            {"Name":"typed","Priority":1,"Type":"DAG","Labels":{"owner":"test"},
             "DAG":{"Tasks":{"t":{"InstanceCount":2,"ClusterId":"\#(cluster)","Parameters":{"Command":{"CommandLine":"echo hi"}}}}}}
            """#)
        let id = try await client.createJob(body).id
        let job = try await client.job(id)
        #expect(job.name == "typed" && job.state == .waiting && job.labels["owner"] == "test")
        #expect(job.taskMetrics[.waiting] == 1 && job.instanceMetrics.total == 2)
        let submitted = try await client.jobDescription(id)
        #expect(submitted.type == .dag && submitted.dag?.tasks["t"]?.clusterId == cluster && submitted.dag?.tasks["t"]?.instanceCount == 2)
        #expect(try await client.tasks(of: id).map(\.taskName) == ["t"])
        let instances = try await client.instances(of: id, task: "t")
        #expect(instances.map(\.instanceId) == [0, 1] && instances.allSatisfy { $0.state == .waiting })

        // Filters: a state, labels, newest first; a page at a time.
        #expect(try await client.allJobs(JobFilter(state: .waiting)).map(\.id) == [id])
        #expect(try await client.allJobs(JobFilter(state: .running)).isEmpty)
        #expect(try await client.allJobs(JobFilter(labels: ["owner": "test"])).map(\.id) == [id])
        let second = try await client.createJob(body).id
        #expect(try await client.allJobs(JobFilter(newestFirst: true)).map(\.id) == [second, id])
        let first = try await client.jobs(PageQuery(maxItemCount: 1))
        #expect(first.items.count == 1 && !first.nextMarker.isEmpty)
        let events = try await client.events()
        #expect(events.items.contains { $0.resource == id }, "\(events.items)")

        // Stop, restart, and delete; an instance with no log yet answers an error.
        try await client.stopJob(id)
        #expect(try await client.job(id).state == .stopped)
        let conflict = await #expect(throws: APIError.self) { try await client.stopJob(id) }
        #expect(conflict?.status == 409)
        try await client.startJob(id)
        #expect(try await client.job(id).state.isActive)
        try await client.stopJob(id)
        try await client.deleteJob(id)
        let gone = await #expect(throws: APIError.self) { try await client.job(id) }
        #expect(gone?.status == 404)
        let log = try await client.instanceLog(job: second, task: "t", instance: 0, stream: "stdout")
        #expect(log.bytes.isEmpty && !log.complete)
        try await client.stopJob(second)
        try await client.deleteJob(second)
        try await client.deleteCluster(cluster)
    }

    @Test func appsImagesAndTheBcopsExtensions() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let client = try Self.client(engine)
        let app = #"{"Name":"hello","CommandLine":"echo hi","Docker":{"Image":"busybox"},"Labels":{"team":"a"},"InputParameters":{"in":{"Default":"oss://b/in/","LocalPath":"/in/"}}}"#
        #expect(try await client.createApp(try Self.json(app)).name == "hello")
        try await client.modifyApp("hello", try Self.json(app.replacingOccurrences(of: "echo hi", with: "echo ho")))
        let read = try await client.app("hello")
        #expect(read.name == "hello" && read.revision == 2 && read.labels == ["team": "a"])
        #expect(read.inputParameters["in"]?.localPath == "/in/" && read.inputParameters["in"]?.defaultValue?.stringValue == "oss://b/in/")
        #expect(try await client.appRevisions("hello").map(\.revision) == [1, 2])
        #expect(try await client.allApps(labels: ["team": "a"]).map(\.name) == ["hello"])
        try await client.deleteApp("hello")
        #expect(try await client.allApps().isEmpty)
        #expect(try await client.allImages().isEmpty, "a new engine has no images of its users")

        // The workspace's serial, approvals, locks, events and the inventory.
        let before = try await client.workspace("w")
        let after = try await client.bumpSerial("w")
        #expect(after.lineage == before.lineage && after.serial == before.serial + 1)
        #expect(try await client.approval(workspace: "w", revision: "abc") == nil)
        try await client.approve(Approval(workspace: "w", revision: "abc", digest: "d1", approvedBy: "me"))
        #expect(try await client.approval(workspace: "w", revision: "abc")?.digest == "d1")
        guard case .taken(let lease) = try await client.takeLock(LeaseRequest(workspace: "w", owner: "one", operation: "plan", ttlSeconds: 30)) else {
            Issue.record("the first take gets the lock")
            return
        }
        guard case .held(let held) = try await client.takeLock(LeaseRequest(workspace: "w", owner: "two")) else {
            Issue.record("the second take finds it held")
            return
        }
        #expect(held.lease.id == lease.id && held.lease.owner == "one" && held.code == "LockHeld")
        #expect(try await client.renewLock(lease.id, ttlSeconds: 60).id == lease.id)
        #expect(try await client.locks().map(\.id) == [lease.id])
        try await client.releaseLock(lease.id)
        #expect(try await client.locks().isEmpty)
        let expired = await #expect(throws: APIError.self) { try await client.renewLock(lease.id, ttlSeconds: 60) }
        #expect(expired?.status == 404)
        let inventory = try JSONValue.parse(try await client.inventory(workspace: "w"))
        #expect(inventory["Items"]?.arrayValue?.isEmpty == true)
    }
}
