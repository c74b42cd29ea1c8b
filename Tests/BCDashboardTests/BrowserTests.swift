import BCClient
import BCDashboard
import BCTestSupport
import Foundation
import Testing

/// The dashboard in a real browser (issue 17): headless Chromium driven by Selenium
/// (browser/test_dashboard.py) against a real engine with `--ui-listen`. scripts/test.sh installs
/// Debian's chromium and chromium-driver and Selenium in .build-venv.
@Suite(.serialized) struct BrowserTests {
    static let chromium = ProcessInfo.processInfo.environment["BCOPS_CHROMIUM"] ?? "/usr/bin/chromium"
    static let chromedriver = ProcessInfo.processInfo.environment["BCOPS_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
    static var haveChromium: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)
    }
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The Python with Selenium that runs the scripts in browser/ (scripts/test.sh makes it).
    static let python = ProcessInfo.processInfo.environment["BCOPS_BROWSER_PYTHON"] ?? root.appendingPathComponent(".build-venv/bin/python").path

    /// Runs browser/`script` against the dashboard at `ui` with the test's `fixture` (JSON in
    /// `BCOPS_FIXTURE`), Debian's Chromium and chromedriver, and `environment` besides; its
    /// exit status and everything it printed.
    static func runBrowserScript(_ script: String, ui: String, fixture: [String: Any],
                                 environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent("Tests/BCDashboardTests/browser/\(script)").path]
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        environment["BCOPS_UI"] = ui
        environment["BCOPS_FIXTURE"] = String(decoding: try JSONSerialization.data(withJSONObject: fixture), as: UTF8.self)
        environment["BCOPS_CHROMIUM"] = chromium
        environment["BCOPS_CHROMEDRIVER"] = chromedriver
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Two small PNG frames (32×24, one colour each).
    static let frames = [
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAJElEQVR4nGN4VqFBU8QwasGoBaMWjFowasGoBaMWjFowNCwAAFL9kj2UUYnHAAAAAElFTkSuQmCC",
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAJElEQVR4nGPQqHhGU8QwasGoBaMWjFowasGoBaMWjFowNCwAAN6ykj0VRVcbAAAAAElFTkSuQmCC",
    ].map { Array(Data(base64Encoded: $0)!) }

    @Test(.enabled(if: haveChromium, "needs Debian's chromium and chromium-driver (scripts/test.sh installs them)"))
    func theDashboardInHeadlessChromium() async throws {
        let python = Self.python
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): scripts/test.sh makes .build-venv with Selenium")
        let estate = try Estate(engineArguments: ["--ui-listen", "127.0.0.1:0"])
        let engine = estate.engine
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))

        // A real render: Blender renders frames 1-3 on 3 nodes, and the node given frame 2 fails.
        let blender = try await Self.renderWithOneFailingNode(estate)

        // Ended jobs: 3 nodes with node 1 failing (renderer-like lines on the others), a hostile one, 25 more.
        let failing = try await client.createJob(try DashboardTests.dag("three-nodes", """
            i=$BATCH_COMPUTE_DAG_INSTANCE_ID; if [ "$i" = 1 ]; then echo 'node one gives up' >&2; exit 3; fi; f=$((i + 1)); echo "Fra:$f Mem:12.00M (Peak 12.00M) | Time:00:00.10 | Rendering 1 / 64 samples"; echo "Saved: 'frame_000$f.png'"
            """, instances: 3)).id
        let hostile = try await client.createJob(try DashboardTests.dag("hostile", "echo '<script>alert(1)</script>'",
                                                                        description: "<script>alert(1)</script>")).id
        var bulk: [String] = []
        for i in 0..<25 { bulk.append(try await client.createJob(try DashboardTests.dag("bulk-\(i)", "true")).id) }
        try await DashboardTests.waitEnded(client, [failing, hostile] + bulk)
        let failingStates = try await client.instances(of: failing, task: "t").map(\.state.rawValue).sorted()
        #expect(blender.states == ["Failed", "Finished", "Finished"], "Blender finished frames 1 and 3, and the node given frame 2 failed")

        // Running: a 2-node job, and a RenderProject's App job with two frames in its OSS output.
        let sleeper = try await client.createJob(try DashboardTests.dag("sleeper", "sleep 120", instances: 2)).id
        defer { Task { [client] in try? await client.stopJob(sleeper) } }
        let cluster = try await DashboardTests.renderProject("shots", sleeping: 120, client: client)
        try await OSSClient(client).put(Self.frames[0], at: "oss://frames/shots/0001.png")
        try await OSSClient(client).put(Self.frames[1], at: "oss://frames/shots/0002.png")
        let render = try await client.createJob(try DashboardTests.value([
            "Name": "render-shots", "Type": "App",
            "App": ["AppName": "shots", "Inputs": ["frames": "1-2"], "Config": ["ClusterId": cluster],
                    "Logging": ["StdoutPath": "oss://b/logs/", "StderrPath": "oss://b/logs/"]]])).id
        defer { Task { [client] in try? await client.stopJob(render) } }
        let deadline = Date().addingTimeInterval(20)
        while true {
            let sleeping = try await client.job(sleeper).instanceMetrics[.running], rendering = try await client.job(render).instanceMetrics[.running]
            if sleeping == 2 && rendering == 1 { break }
            try #require(Date() < deadline, "the running jobs did not start")
            try await Task.sleep(for: .milliseconds(100))
        }

        let fixture: [String: Any] = [
            "failing": failing, "hostile": hostile, "blender": blender.id, "blenderStates": blender.states, "sleeper": sleeper, "render": render, "failingStates": failingStates,
            "ended": bulk.count + 3,
            "counters": ["counter-running-jobs": 2, "counter-running-nodes": 3, "counter-waiting-nodes": 0],
        ]
        let (status, text) = try Self.runBrowserScript("test_dashboard.py", ui: ui, fixture: fixture, environment: [
            "BCOPS_LOGIN_ID": engine.credentials.accessKeyId, "BCOPS_LOGIN_SECRET": engine.credentials.accessKeySecret,
        ])
        // The secret is in the child's environment only; make sure it is not in what is shown.
        let shown = text.replacingOccurrences(of: engine.credentials.accessKeySecret, with: "<secret>")
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("browser checks passed"), "\(shown)")
        #expect(try await client.job(sleeper).state == .stopped, "the browser stopped the job after logging in")
    }

    /// A RenderProject on a 3-node cluster, with a Python script (the built-in template's PYTHON
    /// parameter) that raises on the node given frame 2, and a RenderJob of frames 1-3 applied
    /// with bcapply; returns the engine job's id and its instances' states once it has ended.
    static func renderWithOneFailingNode(_ estate: Estate) async throws -> (id: String, states: [String]) {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-fail-frame-2-\(UUID().uuidString).py").path
        try Data("""
            import sys
            frames = sys.argv[sys.argv.index("-f") + 1]
            if frames.split("..")[0] == "2":
                raise RuntimeError("this node is made to fail: it was given frame " + frames)
            """.utf8).write(to: URL(fileURLWithPath: script))
        defer { try? FileManager.default.removeItem(atPath: script) }
        for (from, to) in [(RenderScene.cube, "oss://farm/scenes/cube.blend"), (script, "oss://farm/scenes/fail_frame_2.py")] {
            let copied = try estate.run("bcctl", ["oss", "cp", from, to])
            try #require(copied.status == 0, "\(copied.combined)")
        }
        try estate.write("farm.yaml", """
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: farm
            spec:
              imageId: img-ubuntu
              instanceType: ecs.sn1ne.large
              runtime: host
              groups:
                nodes:
                  desiredCount: 3
            ---
            apiVersion: bcops.io/v1
            kind: RenderProject
            metadata:
              name: blender
            spec:
              image: img-ubuntu
              software:
                name: blender
              ossMappings:
                - source: oss://farm/scenes/
                  destination: /mnt/scenes/
              ossOutput: oss://farm/output/
              localOutputDir: /render_output/
              defaults:
                cluster: farm
            ---
            apiVersion: bcops.io/v1
            kind: RenderJob
            metadata:
              name: turn
            spec:
              project: blender
              scene: cube.blend
              frames: "1-3"
              nodes: 3
              retries: 0
              params:
                PYTHON: /mnt/scenes/fail_frame_2.py
            """)
        let applied = try estate.apply()
        try #require(applied.status == 0, "\(applied.combined)")
        let deadline = Date().addingTimeInterval(180)
        while true {
            let r = try estate.run("bcctl", ["render", "status", "turn", "-json"])
            let status = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            if let status, let id = status["id"] as? String, let state = status["state"] as? String, ["Finished", "Failed", "Stopped"].contains(state) {
                let nodes = status["nodes"] as? [[String: Any]] ?? []
                return (id, nodes.compactMap { $0["state"] as? String }.sorted())
            }
            try #require(Date() < deadline, "the render did not end: \(r.combined)")
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
