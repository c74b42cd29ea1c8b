import BCAPI
import BCClient
import BCEngine
import Foundation

/// bench/dashboard.sh: the dashboard's pages at issue 17's scale, against the plain API calls
/// for the same data in the same run. `dashboard-populate` fills a store with ended jobs before
/// the engine starts (straight into SQLite, in seconds, as `api-populate` does); `dashboard-measure`
/// runs one job of 1,000 instances for real on the started engine, then times pages and calls.
enum DashboardBenchmark {
    /// Name stems, so a name filter matches a realistic share (`shot-12`: 111 of 10,000).
    static let stems = ["render-shot", "gatk-sample", "etl-batch", "blender-shot"]

    /// `bcbench dashboard-populate DIR COUNT`: COUNT ended jobs of 2 instances each, one every
    /// 4 minutes up to now: a tenth Failed, a tenth Stopped, the rest Finished.
    static func populate(dir: String, count: Int) throws {
        let engine = try Engine(dataDirectory: dir)
        let store = engine.store
        let cluster = try store.createCluster(name: "farm", description: #"{"Name":"farm","ImageId":"img-ubuntu","Groups":{"g":{"DesiredVMCount":0,"InstanceType":"ecs.sn1.medium"}}}"#, token: nil)
        let start = Date().addingTimeInterval(-Double(count) * 240 - 3600)
        let clock = ContinuousClock()
        let began = clock.now
        for i in 0..<count {
            let name = "\(stems[i % stems.count])-\(i)"
            let created = start.addingTimeInterval(Double(i) * 240)
            let description = #"{"Name":"\#(name)","Priority":1,"Type":"DAG","JobFailOnInstanceFail":true,"DAG":{"Tasks":{"t":{"InstanceCount":2,"ClusterId":"\#(cluster)"}}}}"#
            let id = try store.createJob(name: name, type: "DAG", priority: 1, description: description, token: nil, tasks: [("t", 2)], now: created)
            _ = try store.record(ends: [], starts: (0..<2).map { EngineStore.InstanceStart(jobId: id, task: "t", index: $0) },
                                 now: created.addingTimeInterval(5))
            let ended = created.addingTimeInterval(65)
            switch i % 10 {
            case 0:
                _ = try store.record(ends: [
                    EngineStore.InstanceEnd(jobId: id, task: "t", index: 0, result: .succeeded, maxRetries: 0, failJobOnInstanceFailure: true),
                    EngineStore.InstanceEnd(jobId: id, task: "t", index: 1, result: .failed(exitCode: 3, code: "ExitCode", message: "frame \(i) failed: exit 3"),
                                            maxRetries: 0, failJobOnInstanceFailure: true),
                ], starts: [], now: ended)
            case 1:
                try store.transitionJob(id, from: [.running], to: .stopped, now: ended)
            default:
                let ends = (0..<2).map { EngineStore.InstanceEnd(jobId: id, task: "t", index: $0, result: .succeeded, maxRetries: 0, failJobOnInstanceFailure: true) }
                _ = try store.record(ends: ends, starts: [], now: ended)
            }
        }
        print("\(count) ended jobs in \(dir) in \(clock.now - began)")
    }

    /// `bcbench dashboard-measure UI_URL ROUNDS`, against the engine the environment names.
    static func measure(ui: String, rounds: Int) async throws {
        let client = BatchComputeClient(try ClientConfiguration.fromEnvironment(), maxConnections: 4)
        let big = try await bigJob(client)
        let counts = try await client.jobCounts()
        print("engine: \(counts.jobs.total) jobs (\(counts.jobs[.finished]) Finished, \(counts.jobs[.failed]) Failed, \(counts.jobs[.stopped]) Stopped); job \(big) of 1000 instances, \(try await client.job(big).state.rawValue)")

        func page(_ path: String) -> @Sendable () async throws -> Int {
            {
                let r = try await PlainHTTP.send("GET", ui + path)
                guard r.status == 200 else { throw APIError(status: r.status, code: "Dashboard", message: "GET \(path) answered \(r.status)", requestId: "") }
                return r.body.count
            }
        }
        let failedNamed = JobFilter(states: [.failed], newestFirst: true, nameContains: "shot-12")
        let ended = JobFilter(states: JobFilter.ended, newestFirst: true)
        let cases: [(String, @Sendable () async throws -> Int, String, @Sendable () async throws -> Int)] = [
            ("GET /ui/finished?state=Failed&name=shot-12", page("/ui/finished?state=Failed&name=shot-12"),
             "ListJobs (State=Failed, NameContains, Offset 0, 20, WithCount) + job-counts", {
                 let p = try await client.jobs(failedNamed, page: OffsetPage(offset: 0, size: 20))
                 _ = try await client.jobCounts()
                 return p.items.count
             }),
            ("GET /ui/finished?page=3 (all ended)", page("/ui/finished?page=3"),
             "ListJobs (the ended states, Offset 40, 20, WithCount) + job-counts", {
                 let p = try await client.jobs(ended, page: OffsetPage(offset: 40, size: 20))
                 _ = try await client.jobCounts()
                 return p.items.count
             }),
            ("GET /ui/jobs/<1,000 instances>", page("/ui/jobs/\(big)"),
             "GetJob + ListTasks + ListInstances (1,000)", {
                 _ = try await client.job(big)
                 var n = 0
                 for task in try await client.tasks(of: big) { n += try await client.instances(of: big, task: task.taskName).count }
                 return n
             }),
        ]
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func ms(_ v: Double) -> String { String(format: "%7.1f", v) }
        print(pad("page", 46) + " p50 ms  p95 ms   " + pad("plain API calls for the same data", 72) + " p50 ms  p95 ms  ratio p50, p95")
        for (name, ui, apiName, api) in cases {
            let (u50, u95) = try await percentiles(rounds: rounds, ui)
            let (a50, a95) = try await percentiles(rounds: rounds, api)
            print(pad(name, 46) + ms(u50) + " " + ms(u95) + "   " + pad(apiName, 72) + ms(a50) + " " + ms(a95)
                  + String(format: "  %.2fx, %.2fx", u50 / a50, u95 / a95))
            let limit = name.contains("/ui/jobs/") ? 200.0 : 100.0
            print("  verdict: p95 \(String(format: "%.1f", u95)) ms \(u95 < limit ? "<" : ">=") \(Int(limit)) ms: \(u95 < limit ? "met" : "NOT MET")")
        }
        // What the finished list cost before the extensions: every ended job, a page of 1,000 at a time.
        let (w50, w95) = try await percentiles(rounds: max(3, rounds / 10)) { try await client.allJobs(ended).count }
        print(String(format: "reference: every ended job by Marker pages of 1,000 (BatchCompute's ListJobs only): p50 %.1f ms, p95 %.1f ms", w50, w95))
    }

    /// p50 and p95 in ms of `rounds` sequential calls, after 3 unmeasured ones.
    static func percentiles(rounds: Int, _ call: @Sendable () async throws -> Int) async throws -> (Double, Double) {
        for _ in 0..<3 { _ = try await call() }
        var ms: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<rounds {
            let t = clock.now
            _ = try await call()
            let d = clock.now - t
            ms.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        ms.sort()
        return (ms[ms.count / 2], ms[min(ms.count - 1, Int(Double(ms.count) * 0.95))])
    }

    /// One job of 1,000 instances, each printing two short lines to stdout and one to stderr,
    /// run to its end on a cluster of 2 nodes: the job page's node view, list view and logs.
    static func bigJob(_ client: BatchComputeClient) async throws -> String {
        let cluster = try await client.createCluster(try JSONValue.parse(Array(#"""
            {"Name":"bench-nodes","ImageId":"img-ubuntu","Groups":{"g":{"DesiredVMCount":2,"InstanceType":"ecs.sn1.medium"}}}
            """#.utf8))).id
        let job = try await client.createJob(try JSONValue.parse(Array(#"""
            {"Name":"thousand-frames","Priority":1,"Type":"DAG","JobFailOnInstanceFail":false,
             "DAG":{"Tasks":{"render":{"InstanceCount":1000,"MaxRetryCount":0,"ClusterId":"\#(cluster)",
               "Parameters":{"Command":{"CommandLine":"echo \"frame $BATCH_COMPUTE_DAG_INSTANCE_ID\"; echo saved; echo warn >&2","PackagePath":""},
                             "StdoutRedirectPath":"oss://bench/logs/","StderrRedirectPath":"oss://bench/logs/"}}},
               "Dependencies":{}}}
            """#.utf8))).id
        let clock = ContinuousClock()
        let began = clock.now
        while try await !client.job(job).state.isEnded {
            guard clock.now - began < .seconds(600) else { throw APIError(status: 504, code: "Timeout", message: "job \(job) did not end in 600 s", requestId: "") }
            try await Task.sleep(for: .milliseconds(200))
        }
        print("1000-instance job \(job) ended in \(clock.now - began)")
        return job
    }
}
