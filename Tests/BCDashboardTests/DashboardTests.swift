import BCClient
import BCDashboard
import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The dashboard's first slice (issue 17) against a real engine started with `--ui-listen`:
/// jobs made through the API, pages read over HTTP as a browser with JavaScript off reads them.
@Suite(.serialized) struct DashboardTests {
    static func value(_ o: [String: Any]) throws -> JSONValue {
        try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: o)))
    }

    struct Page {
        var status: Int
        var headers: [String: String]
        var body: String
        var data = Data()
        func count(_ s: String) -> Int { body.components(separatedBy: s).count - 1 }
        /// The number in `<b id="ID">N</b>`.
        func counter(_ id: String) -> Int? {
            guard let r = body.range(of: "id=\"\(id)\">") else { return nil }
            return Int(body[r.upperBound...].prefix { $0.isNumber })
        }
    }

    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) { completionHandler(nil) }
    }

    static func get(_ base: String, _ path: String) async throws -> Page {
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(from: URL(string: base + path)!)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return Page(status: http.statusCode, headers: headers, body: String(decoding: data, as: UTF8.self), data: data)
    }

    static func dag(_ name: String, _ command: String, instances: Int = 1, description: String? = nil) throws -> JSONValue {
        var job: [String: Any] = [
            "Name": name, "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": ["t": ["InstanceCount": instances, "MaxRetryCount": 0,
                                    "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"]]],
                    "Dependencies": [String: Any]()]]
        if let description { job["Description"] = description }
        return try value(job)
    }

    /// What bcops makes of a RenderProject, as the dashboard finds it: an App labelled with the
    /// project's address (its description hostile), writing frames under oss://frames/NAME/; and
    /// a 1-node host-runtime cluster to run its jobs on. Returns the cluster's id.
    static func renderProject(_ name: String, sleeping seconds: Int, client: BatchComputeClient) async throws -> String {
        let cluster = try await client.createCluster(try value([
            "Name": "c", "ImageId": "img-ubuntu", "Runtime": "host",
            "Groups": ["g": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"]]])).id
        _ = try await client.createApp(try value([
            "Name": name, "Description": "<script>alert(2)</script>", "CommandLine": "sleep \(seconds)",
            "VM": ["ECSImageId": "img-ubuntu"], "EnvVars": ["BCOPS_RENDER_SOFTWARE": "blender"],
            "Labels": ["bcops.io/address": "RenderProject/\(name)", "bcops.io/workspace": "default"],
            "InputParameters": ["frames": ["Type": "String"]],
            "OutputParameters": ["output": ["Type": "String", "Default": "oss://frames/\(name)/"]],
            "Config": ["InstanceCount": ["Default": 1, "Overwritable": true]],
        ]))
        return cluster
    }

    /// A real WDL run of two calls through the engine's public App `cromwell` (miniwdl and
    /// bcops' backend), ended; its job's ID. The first call's input carries `<script>alert(N)`,
    /// so a page that shows it unescaped is caught by which marker ran.
    static func runHelloWorkflow(_ client: BatchComputeClient, name: String, marker: Int) async throws -> String {
        let wdl = """
            version 1.0
            workflow hello {
              call greet as first { input: who = "<script>alert(\(marker))</script>" }
              call greet as second { input: who = read_string(first.out) }
              output { String last = read_string(second.out) }
            }
            task greet {
              input { String who }
              command <<<
                echo "hello ~{who}" > out.txt
              >>>
              output { File out = "out.txt" }
            }
            """
        try await OSSClient(client).put(Array(wdl.utf8), at: "oss://wf/src/hello.wdl")
        let run = try await client.createJob(try value([
            "Name": name, "Type": "App",
            "App": ["AppName": ":cromwell", "Inputs": ["WDL": "oss://wf/src/hello.wdl", "WORKING_DIR": "oss://wf/work/"],
                    "Outputs": ["OUTPUTS_DIR": "oss://wf/out/"]]])).id
        try await waitEnded(client, [run], seconds: 120)
        return run
    }

    static func waitEnded(_ client: BatchComputeClient, _ ids: [String], seconds: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        for id in ids {
            while try await !client.job(id).state.isEnded {
                try #require(Date() < deadline, "job \(id) did not end")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func thePagesShowJobsNodesLogsAndEscapeEverything() async throws {
        let engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
        defer { engine.stop() }
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let marker = "dashboard listening on http://127.0.0.1:"
        let r = try #require(said.range(of: marker), "\(said)")
        let uiPort = try #require(Int(said[r.upperBound...].prefix { $0.isNumber }))
        let ui = "http://127.0.0.1:\(uiPort)"
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))

        // A DAG job of 3 instances, instance 1 failing; a job with <script> in its description and its stdout.
        let failing = try await client.createJob(try Self.dag("three-nodes", """
            if [ "$BATCH_COMPUTE_DAG_INSTANCE_ID" = 1 ]; then echo 'node one gives up' >&2; exit 3; fi; echo "node $BATCH_COMPUTE_DAG_INSTANCE_ID done"
            """, instances: 3)).id
        let hostile = try await client.createJob(try Self.dag("hostile", "echo '<script>x</script>'",
                                                              description: "<script>alert(1)</script>")).id
        var bulk: [String] = []
        for i in 0..<25 { bulk.append(try await client.createJob(try Self.dag("bulk-\(i)", "true")).id) }
        try await Self.waitEnded(client, [failing, hostile] + bulk)
        #expect(try await client.job(failing).state == .failed)
        #expect(try await client.job(hostile).state == .finished)

        // Every answer carries the CSP and nosniff; /ui/ leads to the rendering page.
        let root = try await Self.get(ui, "/ui/")
        #expect(root.status == 303 && root.headers["location"] == "/ui/rendering")
        for path in ["/ui/", "/ui/rendering", "/ui/projects", "/ui/finished", "/ui/jobs/\(failing)", "/ui/nowhere"] {
            let page = try await Self.get(ui, path)
            #expect(page.headers["content-security-policy"]
                    == "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'", "\(path)")
            #expect(page.headers["x-content-type-options"] == "nosniff", "\(path)")
            #expect(page.headers["referrer-policy"] == "same-origin", "\(path)")
        }

        // The job page: state, progress, reason, one tile per instance with its state, logs.
        let job = try await Self.get(ui, "/ui/jobs/\(failing)")
        #expect(job.status == 200)
        #expect(job.body.contains("id=\"job-state\">Failed<"))
        let status = try await client.job(failing)
        #expect(!status.message.isEmpty && job.body.contains(status.message.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")), "\(status.message)")
        #expect(job.count("class=\"node-tile\"") == 3)
        #expect(job.count("class=\"node-tile\" data-state=\"Failed\"") == 1)
        let instances = try await client.instances(of: failing, task: "t")
        for i in instances {
            #expect(job.body.contains("class=\"node-tile\" data-state=\"\(i.state.rawValue)\" title=\"t #\(i.instanceId)\""))
        }
        #expect(job.body.contains(".node-tile[data-state=Failed]{background:"))
        #expect(job.count("class=\"instance-row\"") == 3)
        #expect(job.body.contains("node one gives up"))
        #expect(job.count("<pre class=\"node-log\"") == 9)  // stdout, stderr and the worker log of each node

        // <script> in a description and in a log line is text.
        let hostilePage = try await Self.get(ui, "/ui/jobs/\(hostile)")
        #expect(hostilePage.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(hostilePage.body.contains("&lt;script&gt;x&lt;/script&gt;"))
        // The only script is the dashboard's own live.js.
        #expect(hostilePage.count("<script") == 1 && hostilePage.body.contains("<script src=\"/ui/static/live.js\" defer></script>"))

        // The finished list: filters and pages.
        let first = try await Self.get(ui, "/ui/finished?perPage=20")
        #expect(first.count("<tr class=\"job-row\"") == 20)
        #expect(first.body.contains("<a id=\"next\" href=\"/ui/finished?state=All&amp;perPage=20&amp;page=2\""))
        #expect(!first.body.contains("id=\"prev\""))
        let second = try await Self.get(ui, "/ui/finished?perPage=20&page=2")
        #expect(second.count("<tr class=\"job-row\"") == 7)
        #expect(second.body.contains("id=\"prev\"") && !second.body.contains("id=\"next\""))
        let failed = try await Self.get(ui, "/ui/finished?state=Failed")
        #expect(failed.count("<tr class=\"job-row\"") == 1 && failed.body.contains(">three-nodes</a>"))
        let named = try await Self.get(ui, "/ui/finished?name=bulk-1&perPage=50")
        #expect(named.count("<tr class=\"job-row\"") == 11, "bulk-1 and bulk-10…19")
        let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
        let dated = try await Self.get(ui, "/ui/finished?perPage=100&submittedFrom=\(today)&finishedTo=\(today)")
        #expect(dated.count("<tr class=\"job-row\"") == 27)
        let past = try await Self.get(ui, "/ui/finished?perPage=100&finishedTo=2000-01-01")
        #expect(past.count("<tr class=\"job-row\"") == 0)

        // The counters: a running job of two nodes.
        let sleeper = try await client.createJob(try Self.dag("sleeper", "sleep 60", instances: 2)).id
        defer { Task { [client] in try? await client.stopJob(sleeper) } }
        var page = try await Self.get(ui, "/ui/rendering")
        let deadline = Date().addingTimeInterval(10)
        while page.counter("counter-running-nodes") != 2 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            page = try await Self.get(ui, "/ui/rendering")
        }
        #expect(page.counter("counter-running-jobs") == 1)
        #expect(page.counter("counter-running-nodes") == 2)
        #expect(page.counter("counter-waiting-nodes") == 0)
        #expect(page.body.contains("运行中的任务数") && page.body.contains("运行中的节点数") && page.body.contains("等待中的节点数"))
        try await client.stopJob(sleeper)
    }

    /// A RenderProject's App (as bcops lowers one: its address label and render software), a
    /// running job of it, and frames in its OSS output: projects, rendering and thumbnails.
    @Test func projectsRenderingAndThumbnails() async throws {
        let engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
        defer { engine.stop() }
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))
        let cluster = try await Self.renderProject("proj", sleeping: 30, client: client)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try await OSSClient(client).put(png, at: "oss://frames/proj/0001.png")
        try await OSSClient(client).put(Array("<script>alert(3)</script>".utf8), at: "oss://frames/proj/page.html")
        try await OSSClient(client).put(png, at: "oss://frames/proj/frame 2 <b>.png")
        let job = try await client.createJob(try Self.value([
            "Name": "render-1", "Type": "App",
            "App": ["AppName": "proj", "Inputs": ["frames": "1-2"], "Config": ["ClusterId": cluster],
                    "Logging": ["StdoutPath": "oss://b/logs/", "StderrPath": "oss://b/logs/"]]])).id
        defer { Task { [client] in try? await client.stopJob(job) } }

        let projects = try await Self.get(ui, "/ui/projects")
        #expect(projects.count("<tr class=\"project-row\"") == 1)
        #expect(projects.body.contains("<a href=\"/ui/finished?project=proj\">proj</a>"))
        #expect(projects.body.contains("&lt;script&gt;alert(2)&lt;/script&gt;") && projects.count("<script") == 1)  // live.js only
        #expect(projects.body.contains("img-ubuntu") && projects.body.contains("blender") && projects.body.contains("oss://frames/proj/"))

        let rendering = try await Self.get(ui, "/ui/rendering")
        #expect(rendering.body.contains("<a href=\"/ui/jobs/\(job)\">render-1</a>"), "\(rendering.body)")

        let page = try await Self.get(ui, "/ui/jobs/\(job)")
        #expect(page.body.contains("id=\"job-project\">proj<") && page.body.contains("id=\"job-output\">oss://frames/proj/<"))
        #expect(page.body.contains("<th>Software</th><td>blender</td>") && page.body.contains("<th>Frame range</th><td>1-2</td>"))
        #expect(page.count("<img class=\"thumb\"") == 2, "only images are thumbnails")
        #expect(page.body.contains("src=\"/ui/oss/frames/proj/frame%202%20%3Cb%3E.png\" alt=\"oss://frames/proj/frame 2 &lt;b&gt;.png\""))
        let spaced = try await Self.get(ui, "/ui/oss/frames/proj/frame%202%20%3Cb%3E.png")
        #expect(spaced.status == 200 && Array(spaced.data) == png)
        #expect(page.body.contains("<a href=\"/ui/oss/frames/proj/0001.png\"><img class=\"thumb\" src=\"/ui/oss/frames/proj/0001.png\""))
        let image = try await Self.get(ui, "/ui/oss/frames/proj/0001.png")
        #expect(image.status == 200 && image.headers["content-type"] == "image/png" && Array(image.data) == png)
        #expect(image.headers["content-security-policy"] != nil)
        let html = try await Self.get(ui, "/ui/oss/frames/proj/page.html")
        #expect(html.headers["content-type"] == "application/octet-stream" && html.headers["content-disposition"] == "attachment")
        #expect(try await Self.get(ui, "/ui/oss/frames/proj/none.png").status == 404)

        try await client.stopJob(job)
        try await Self.waitEnded(client, [job])
        let finished = try await Self.get(ui, "/ui/finished?project=proj")
        #expect(finished.count("<tr class=\"job-row\"") == 1 && finished.body.contains(">render-1</a>"))
    }

    /// Off by default; on loopback unless --allow-remote, like the API's own listener.
    @Test func theDashboardListensOnLoopbackUnlessAllowRemote() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-ui-remote-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let r = try ProcessRunner.run(EngineProcess.binary("bcctl"), ["engine", "serve", "--data", data, "--listen", "127.0.0.1:0",
                                                                     "--ui-listen", "0.0.0.0:0"])
        #expect(r.status != 0 && r.combined.contains("refusing to listen on 0.0.0.0") && r.combined.contains("--allow-remote"), "\(r.combined)")
        let bad = try ProcessRunner.run(EngineProcess.binary("bcctl"), ["engine", "serve", "--data", data, "--ui-listen", "nowhere"])
        #expect(bad.status != 0 && bad.combined.contains("--ui-listen must be HOST:PORT"), "\(bad.combined)")
    }

    @Test func escapingCoversEveryCharacterThatEndsTextOrAnAttribute() {
        #expect(HTML.esc("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(HTML.esc("运行中的任务数 plain") == "运行中的任务数 plain")
        #expect(HTML.progress(done: 2, total: 3) == "2/3 (66%)" && HTML.progress(done: 0, total: 0) == "0/0 (0%)")
    }
}
