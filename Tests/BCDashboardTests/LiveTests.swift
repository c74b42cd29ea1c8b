import BCAPI
import BCClient
import BCTestSupport
import Foundation
import Testing

/// Issue 17's live parts against a real engine (`--ui-listen`, `--load-interval 1s`): each
/// node's worker log, node load sampled from its process tree, pages answered 304 while
/// unchanged, and a job of 1,000 nodes whose page reads no log.
@Suite(.serialized) struct LiveTests {
    @Test func theWorkerLogGrowsWhileANodeRunsAndTellsHowItEnded() async throws {
        let live = try LiveEngine()
        defer { live.stop() }
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-gate-\(UUID().uuidString)").path
        let job = try await live.client.createJob(try LiveEngine.job("gated", "echo first; while [ ! -e \(gate) ]; do sleep 0.1; done; echo second")).id
        try await LiveEngine.until("the node to run") { try await live.workerLog(job).text.contains("starting") }
        let running = try await live.workerLog(job)
        #expect(!running.complete, "the worker log of a running node is not complete")
        #expect(running.text.contains("dispatched to auto:\(job)/t"), "\(running.text)")
        #expect(running.text.contains("starting (timeout 3600 s, 0 retries allowed): echo first"), "\(running.text)")
        // Every line starts with its time.
        for line in running.text.split(separator: "\n") {
            #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z "#, options: .regularExpression) != nil, "\(line)")
        }
        // The sampler finds its process group within a second or two: the log grows while it runs.
        try await LiveEngine.until("the load sampler's line") { try await live.workerLog(job).text.contains("load: process group") }

        FileManager.default.createFile(atPath: gate, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: gate) }
        try await DashboardTests.waitEnded(live.client, [job])
        let ended = try await live.workerLog(job)
        #expect(ended.complete, "the worker log of an ended node is complete")
        for said in ["process exited with code 0", "uploaded stdout log (13 bytes) to oss://b/logs/stdout.\(job).t.0",
                     "uploaded stderr log (0 bytes) to oss://b/logs/stderr.\(job).t.0", "finished"] {
            #expect(ended.text.contains(said), "\(said) in \(ended.text)")
        }
        // Read on from an offset, as `bcctl logs --follow` does.
        let rest = try await live.client.instanceLog(job: job, task: "t", instance: 0, stream: "worker", offset: running.text.utf8.count)
        #expect(String(decoding: rest.bytes, as: UTF8.self) == String(ended.text.dropFirst(running.text.count)))
        // Or only its tail (`Offset=-N`), as the pages read logs: the next offset is the end.
        let tail = try await live.client.instanceLog(job: job, task: "t", instance: 0, stream: "stdout", offset: -6)
        #expect(String(decoding: tail.bytes, as: UTF8.self) == "econd\n" && tail.nextOffset == 13 && tail.complete)
        let workerTail = try await live.client.instanceLog(job: job, task: "t", instance: 0, stream: "worker", offset: -9)
        #expect(String(decoding: workerTail.bytes, as: UTF8.self) == " finished\n" .dropFirst() && workerTail.nextOffset == ended.text.utf8.count)

        // A failing node with a retry left runs twice; a stopped one is told to stop.
        let failing = try await live.client.createJob(try LiveEngine.job("retried", "echo nope >&2; exit 3", retries: 1)).id
        try await DashboardTests.waitEnded(live.client, [failing])
        let twice = try await live.workerLog(failing).text
        #expect(twice.components(separatedBy: "dispatched to").count == 3, "\(twice)")
        #expect(twice.contains("process exited with code 3"), "\(twice)")
        #expect(twice.contains("failed (NonZeroExitCode); the task allows 1 retries: it runs again while any is left"), "\(twice)")
        let sleeper = try await live.client.createJob(try LiveEngine.job("stopped", "sleep 60")).id
        // Stopped once its process runs (the sampler found it), so SIGTERM ends `sleep` itself.
        try await LiveEngine.until("the sleeper's process") { try await live.workerLog(sleeper).text.contains("load: process group") }
        try await live.client.stopJob(sleeper)
        try await DashboardTests.waitEnded(live.client, [sleeper])
        let stopped = try await live.workerLog(sleeper).text
        #expect(stopped.contains("stop asked"), "\(stopped)")
        #expect(stopped.contains("process exited with code 143 (signal 15)"), "\(stopped)")

        // The node's page shows its three logs.
        let node = try await live.get("/ui/jobs/\(job)/nodes/t/0")
        #expect(node.status == 200)
        #expect(node.count("<pre class=\"node-log\"") == 3)
        #expect(node.body.contains("data-stream=\"worker\">") && node.body.contains("process exited with code 0"))
        #expect(node.body.contains("id=\"node-state\">Finished<"))
        let unknown = try await live.get("/ui/jobs/\(job)/nodes/t/7")
        #expect(unknown.status == 200 && unknown.body.contains("The engine has no instance 7"))

        // Kept in the data directory, and deleted with the job.
        let kept = live.engine.dataDirectory + "/worker-logs/\(job)/t.0"
        #expect(FileManager.default.fileExists(atPath: kept))
        try await live.client.deleteJob(job)
        #expect(!FileManager.default.fileExists(atPath: live.engine.dataDirectory + "/worker-logs/\(job)"))
    }

    @Test func aBusyNodeShowsCPUAndMemoryWithAHistory() async throws {
        let live = try LiveEngine()
        defer { live.stop() }
        // A shell spinning on the CPU, with a pipeline of two children beside it: the tree's CPU and memory.
        let job = try await live.client.createJob(try LiveEngine.job("busy", "head -c 8388608 /dev/zero | sleep 120 & while :; do :; done")).id
        defer { Task { [client = live.client] in try? await client.stopJob(job) } }
        var load = try await live.client.load(of: job)
        try await LiveEngine.until("two samples of the busy node") {
            load = try await live.client.load(of: job)
            return (load.instances.first?.samples.count ?? 0) >= 2
        }
        #expect(load.sampled && load.note.isEmpty && load.intervalSeconds == 1)
        let node = try #require(load.instances.first)
        #expect(node.taskName == "t" && node.instanceId == 0 && node.pid > 1)
        let last = try #require(node.samples.last)
        #expect(last.cpuPercent > 0, "a spinning shell uses CPU: \(node.samples)")
        #expect(last.rssBytes > 0 && last.processes >= 3, "the shell, head and sleep: \(node.samples)")

        // The history is kept short: 20 samples at most.
        #expect(node.samples.count <= 20)

        // The job page shows it: a load row with its sparklines, and the running tile's line.
        let page = try await live.get("/ui/jobs/\(job)")
        #expect(page.body.contains("<tr class=\"load-row\" data-task=\"t\" data-instance=\"0\">"), "\(page.body)")
        #expect(page.count("<svg class=\"spark cpu\"") == 1 && page.count("<svg class=\"spark mem\"") == 1)
        #expect(page.body.contains("<span class=\"load\">CPU "))

        // A job the engine does not know is a 404; one that ended has no running node.
        await #expect(throws: APIError.self) { try await live.client.load(of: "job-nope") }
        try await live.client.stopJob(job)
        try await DashboardTests.waitEnded(live.client, [job])
        try await LiveEngine.until("the ended node to leave the samples") { try await live.client.load(of: job).instances.isEmpty }
        let after = try await live.get("/ui/jobs/\(job)")
        #expect(after.body.contains("No node of this job is running"))
    }

    @Test func pagesAnswer304UntilTheyChange() async throws {
        let live = try LiveEngine()
        defer { live.stop() }
        let gate = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-gate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: gate) }
        let job = try await live.client.createJob(try LiveEngine.job("gated", "while [ ! -e \(gate) ]; do sleep 0.1; done")).id
        try await LiveEngine.until("the node to run") { try await live.client.job(job).instanceMetrics[.running] == 1 }

        let script = try await live.get("/ui/static/live.js")
        #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(script.body.contains("If-None-Match") && script.body.contains("data-live"))
        #expect(script.headers["content-security-policy"]?.contains("script-src 'self'") == true)

        // A running job's page polls every 2 s; the load table is sampled every second, so
        // take the page twice until it holds still between two reads (a sample may land between).
        var first = try await live.get("/ui/jobs/\(job)")
        #expect(first.body.contains("<script src=\"/ui/static/live.js\" defer></script>"))
        #expect(first.body.contains("<body data-poll=\"2\">"))
        #expect(first.body.contains("id=\"tiles\" data-live") && first.body.contains("id=\"counters\" data-live"))
        var unchanged = try await live.get("/ui/jobs/\(job)", headers: ["If-None-Match": first.headers["etag"] ?? ""])
        for _ in 0..<10 where unchanged.status != 304 {
            first = try await live.get("/ui/jobs/\(job)")
            unchanged = try await live.get("/ui/jobs/\(job)", headers: ["If-None-Match": first.headers["etag"] ?? ""])
        }
        let etag = try #require(first.headers["etag"])
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        #expect(unchanged.status == 304 && unchanged.data.isEmpty, "\(unchanged.status)")
        #expect(unchanged.headers["etag"] == etag)
        #expect(unchanged.headers["content-security-policy"] != nil, "a 304 carries the CSP too")

        // The job ends: the same validator now gets the new page, with a new ETag and a slower poll.
        FileManager.default.createFile(atPath: gate, contents: nil)
        try await DashboardTests.waitEnded(live.client, [job])
        let changed = try await live.get("/ui/jobs/\(job)", headers: ["If-None-Match": etag])
        #expect(changed.status == 200 && changed.headers["etag"] != etag)
        #expect(changed.body.contains("id=\"job-state\">Finished<") && changed.body.contains("<body data-poll=\"5\">"))
        let again = try await live.get("/ui/jobs/\(job)", headers: ["If-None-Match": changed.headers["etag"] ?? ""])
        #expect(again.status == 304)
        // Other pages carry validators too; a different one gets the page.
        let rendering = try await live.get("/ui/rendering", headers: ["If-None-Match": "\"0\""])
        #expect(rendering.status == 200 && rendering.headers["etag"] != nil)
        #expect(rendering.body.contains("<div id=\"rendering-live\" data-live>"), "the rendering list is a live part")
    }

    @Test func aJobOfAThousandNodesReadsNoLogOnItsPage() async throws {
        let live = try LiveEngine()
        defer { live.stop() }
        let job = try await live.client.createJob(try LiveEngine.job("thousand", "echo \"frame $BATCH_COMPUTE_DAG_INSTANCE_ID\"", instances: 1000)).id
        try await DashboardTests.waitEnded(live.client, [job], seconds: 300)
        let page = try await live.get("/ui/jobs/\(job)")
        #expect(page.status == 200)
        #expect(page.count("class=\"node-tile\" data-state=\"Finished\"") == 1000)
        #expect(page.count("<tr class=\"instance-row\">") == 1000)
        #expect(page.count("<pre class=\"node-log\"") == 0 && page.body.contains("id=\"logs-per-node\""))
        #expect(page.body.contains("href=\"/ui/jobs/\(job)/nodes/t/999\""))
        let node = try await live.get("/ui/jobs/\(job)/nodes/t/999")
        #expect(node.body.contains("frame 999") && node.count("<pre class=\"node-log\"") == 3)

        // Timed against the plain API calls for the same data (no assertion: a debug build on a
        // shared machine; bench/dashboard.sh measures a release build).
        func median(_ body: () async throws -> Void) async throws -> Double {
            var ms: [Double] = []
            for _ in 0..<7 {
                let t = ContinuousClock.now
                try await body()
                let d = ContinuousClock.now - t
                ms.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
            }
            return ms.sorted()[3]
        }
        let pageMs = try await median { _ = try await live.get("/ui/jobs/\(job)") }
        let apiMs = try await median {
            _ = try await live.client.job(job)
            for task in try await live.client.tasks(of: job) { _ = try await live.client.instances(of: job, task: task.taskName) }
            _ = try await live.client.load(of: job)
        }
        print(String(format: "job page of 1,000 instances: %.1f ms; GetJob + ListTasks + ListInstances + load: %.1f ms; ratio %.2f", pageMs, apiMs, pageMs / apiMs))
    }
}
