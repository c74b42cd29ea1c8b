import BCClient
import BCTestSupport
import Foundation
import Testing

/// ListJobs' bcops extensions (several states, `NameContains`, `AppName`, time ranges,
/// `Offset`, `WithCount`) and `/bcops/job-counts`, which the dashboard's finished list and
/// header read, against a real engine, before and after a restart; and BatchCompute's own
/// `Marker` paging, which must answer as it always did.
@Suite(.serialized) struct JobListExtensionTests {
    static func client(_ engine: EngineProcess) throws -> BatchComputeClient {
        BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)", accessKeyId: engine.credentials.accessKeyId,
                                                   accessKeySecret: engine.credentials.accessKeySecret))
    }

    static func dag(_ name: String, _ command: String, cluster: String, instances: Int = 1) throws -> JSONValue {
        try DashboardTests.value([
            "Name": name, "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": instances, "MaxRetryCount": 0, "ClusterId": cluster,
                                    "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                                                   "StdoutRedirectPath": "", "StderrRedirectPath": ""]]],
                    "Dependencies": [String: Any]()]])
    }

    /// The jobs, in creation order, and what they end as.
    static let expected: [(name: String, state: JobState?)] = [
        ("Alpha-1", .finished), ("alpha-2", .failed), ("alpha_3", .finished), ("alphaX3", .finished), ("100%-done", .finished),
        ("beta-1", .stopped), ("beta-2", .failed), ("app-run", .finished), ("queued", nil),
    ]

    @Test func theEngineFiltersPagesAndCountsAndMarkersAreUnchanged() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-joblist-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        var engine = try EngineProcess(dataDirectory: data)
        defer { engine.stop() }
        let client = try Self.client(engine)
        let node = try await client.createCluster(try DashboardTests.value([
            "Name": "c", "ImageId": "img-ubuntu", "Runtime": "host", "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]]])).id
        let idle = try await client.createCluster(try DashboardTests.value([
            "Name": "idle", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": 0, "InstanceType": "ecs.sn1.medium"]]])).id
        _ = try await client.createApp(try DashboardTests.value(["Name": "tool", "CommandLine": "true", "VM": ["ECSImageId": "img-ubuntu"]]))
        var ids: [String] = []
        for (name, state) in Self.expected {
            let id: String
            switch name {
            case "app-run":
                id = try await client.createJob(try DashboardTests.value([
                    "Name": name, "Type": "App", "App": ["AppName": "tool", "Inputs": [String: Any](), "Config": ["ClusterId": node]]])).id
            case "beta-1":
                id = try await client.createJob(try Self.dag(name, "true", cluster: idle)).id
                try await client.stopJob(id)
            case "queued":
                id = try await client.createJob(try Self.dag(name, "true", cluster: idle, instances: 3)).id
            default:
                id = try await client.createJob(try Self.dag(name, state == .failed ? "false" : "true", cluster: node)).id
            }
            ids.append(id)
            if state != nil { try await DashboardTests.waitEnded(client, [id], seconds: 30) }
        }
        for (id, job) in zip(ids, Self.expected) { #expect(try await client.job(id).state == job.state ?? .waiting, "\(job.name)") }

        try await Self.check(client, ids)
        engine.stop()
        engine = try EngineProcess(dataDirectory: data, arguments: ["--ui-listen", "127.0.0.1:0"])
        try await Self.check(try Self.client(engine), ids)

        // The finished list asks the engine for its page and count: the same answers on the page.
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
        let all = try await DashboardTests.get(ui, "/ui/finished?perPage=20&page=9")
        #expect(all.count("<tr class=\"job-row\"") == 8 && all.body.contains("Page 1 of 1 (8 jobs)"), "past the end: the last page")
        let named = try await DashboardTests.get(ui, "/ui/finished?state=Finished&name=A_3")
        #expect(named.count("<tr class=\"job-row\"") == 1 && named.body.contains(">alpha_3</a>"))
        let project = try await DashboardTests.get(ui, "/ui/finished?project=tool")
        #expect(project.count("<tr class=\"job-row\"") == 1 && project.body.contains(">app-run</a>"))
        #expect(project.counter("counter-waiting-nodes") == 3 && project.counter("counter-running-jobs") == 0)
    }

    static func names(_ client: BatchComputeClient, _ filter: JobFilter, offset: Int = 0, size: Int = 100) async throws -> ([String], Int?) {
        let page = try await client.jobs(filter, page: OffsetPage(offset: offset, size: size))
        return (page.items.map(\.name), page.totalCount)
    }

    static func check(_ client: BatchComputeClient, _ ids: [String]) async throws {
        let ended = Self.expected.filter { $0.state != nil }.map(\.name).reversed().map { $0 }
        func filter(_ states: [JobState] = JobFilter.ended, name: String = "", app: String = "", createdFrom: Date? = nil,
                    createdTo: Date? = nil, endedFrom: Date? = nil, endedTo: Date? = nil) -> JobFilter {
            JobFilter(states: states, newestFirst: true, nameContains: name, appName: app, createdFrom: createdFrom, createdTo: createdTo,
                      endedFrom: endedFrom, endedTo: endedTo)
        }

        // The ended states, newest first, with their count; numbered pages add up to the list.
        let all = try await names(client, filter())
        #expect(all.0 == ended && all.1 == 8)
        var paged: [String] = []
        for offset in stride(from: 0, to: 9, by: 3) {
            let page = try await names(client, filter(), offset: offset, size: 3)
            #expect(page.1 == 8 && page.0.count == (offset == 6 ? 2 : 3))
            paged += page.0
        }
        #expect(paged == ended)
        #expect(try await names(client, filter(), offset: 20, size: 3) == ([], 8), "past the end: no items, the count")

        // States, names (any ASCII case; % and _ are themselves), the App, time ranges.
        #expect(try await names(client, filter([.failed])) == (["beta-2", "alpha-2"], 2))
        #expect(try await names(client, filter([.stopped, .failed])).0 == ["beta-2", "beta-1", "alpha-2"])
        #expect(try await names(client, filter(name: "ALPHA")) == (["alphaX3", "alpha_3", "alpha-2", "Alpha-1"], 4))
        #expect(try await names(client, filter(name: "a_3")).0 == ["alpha_3"])
        #expect(try await names(client, filter(name: "0%")).0 == ["100%-done"])
        #expect(try await names(client, filter([.failed], name: "beta")).0 == ["beta-2"])
        #expect(try await names(client, filter(app: "tool")).0 == ["app-run"])
        #expect(try await names(client, filter(app: ":tool")).0 == ["app-run"])
        let beta1 = try #require(WireTime.parse(try await client.job(ids[5]).creationTime))
        let alpha2 = try #require(WireTime.parse(try await client.job(ids[1]).creationTime))
        #expect(try await names(client, filter(createdFrom: beta1)) == (["app-run", "beta-2", "beta-1"], 3))
        #expect(try await names(client, filter(createdTo: alpha2)).0 == ["alpha-2", "Alpha-1"])
        #expect(try await names(client, filter(createdFrom: alpha2, createdTo: beta1)).1 == 5)
        #expect(try await names(client, filter(endedTo: Date(timeIntervalSince1970: 946_684_800))) == ([], 0))
        #expect(try await names(client, filter(endedFrom: Date().addingTimeInterval(86_400))) == ([], 0))
        #expect(try await names(client, filter(endedFrom: alpha2)).1 == 7, "Alpha-1 ended before alpha-2 was created")

        // BatchCompute's paging, as the SDK and bcs send it: Marker and MaxItemCount, oldest
        // first, no TotalCount; State one state.
        let first = try await client.call(.GET, "/jobs", query: [("Marker", ""), ("MaxItemCount", "2")])
        #expect(first["Items"]?.arrayValue?.count == 2 && first["NextMarker"]?.stringValue == ids[2])
        #expect(first["TotalCount"] == nil)
        #expect(try await client.allJobs(JobFilter(), pageSize: 2).map(\.id) == ids)
        #expect(try await client.allJobs(JobFilter(newestFirst: true), pageSize: 4).map(\.id) == ids.reversed())
        #expect(try await client.allJobs(JobFilter(state: .failed), pageSize: 1).map(\.id) == [ids[1], ids[6]])
        #expect(try await client.allJobs(JobFilter(state: .waiting)).map(\.id) == [ids[8]])

        // The counts: jobs by state, the instances of the waiting and running jobs.
        let counts = try await client.jobCounts()
        #expect(counts.jobs[.finished] == 5 && counts.jobs[.failed] == 2 && counts.jobs[.stopped] == 1 && counts.jobs[.waiting] == 1)
        #expect(counts.activeJobInstances[.waiting] == 3 && counts.activeJobInstances[.running] == 0)

        // Wrong values are refused, as BatchCompute refuses its own.
        await #expect(throws: APIError.self) { try await client.call(.GET, "/jobs", query: [("Offset", "-1")]) }
        await #expect(throws: APIError.self) { try await client.call(.GET, "/jobs", query: [("CreationTimeFrom", "yesterday")]) }
        await #expect(throws: APIError.self) { try await client.call(.GET, "/jobs", query: [("WithCount", "maybe")]) }
    }
}
