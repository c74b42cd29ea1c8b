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

    /// Two small PNG frames (32×24, one colour each).
    static let frames = [
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAJElEQVR4nGN4VqFBU8QwasGoBaMWjFowasGoBaMWjFowNCwAAFL9kj2UUYnHAAAAAElFTkSuQmCC",
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAAYCAIAAAAUMWhjAAAAJElEQVR4nGPQqHhGU8QwasGoBaMWjFowasGoBaMWjFowNCwAAN6ykj0VRVcbAAAAAElFTkSuQmCC",
    ].map { Array(Data(base64Encoded: $0)!) }

    @Test(.enabled(if: haveChromium, "needs Debian's chromium and chromium-driver (scripts/test.sh installs them)"))
    func theDashboardInHeadlessChromium() async throws {
        let python = ProcessInfo.processInfo.environment["BCOPS_BROWSER_PYTHON"] ?? Self.root.appendingPathComponent(".build-venv/bin/python").path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): scripts/test.sh makes .build-venv with Selenium")
        let engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
        defer { engine.stop() }
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
        let client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))

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
            "failing": failing, "hostile": hostile, "sleeper": sleeper, "render": render, "failingStates": failingStates,
            "ended": bulk.count + 2,
            "counters": ["counter-running-jobs": 2, "counter-running-nodes": 3, "counter-waiting-nodes": 0],
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.root.appendingPathComponent("Tests/BCDashboardTests/browser/test_dashboard.py").path]
        var environment = ProcessInfo.processInfo.environment
        environment["BCOPS_UI"] = ui
        environment["BCOPS_FIXTURE"] = String(decoding: try JSONSerialization.data(withJSONObject: fixture), as: UTF8.self)
        environment["BCOPS_LOGIN_ID"] = engine.credentials.accessKeyId
        environment["BCOPS_LOGIN_SECRET"] = engine.credentials.accessKeySecret
        environment["BCOPS_CHROMIUM"] = Self.chromium
        environment["BCOPS_CHROMEDRIVER"] = Self.chromedriver
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // The secret is in the child's environment only; make sure it is not in what is shown.
        let shown = text.replacingOccurrences(of: engine.credentials.accessKeySecret, with: "<secret>")
        #expect(process.terminationStatus == 0, "\(shown)")
        #expect(shown.contains("browser checks passed"), "\(shown)")
        #expect(try await client.job(sleeper).state == .stopped, "the browser stopped the job after logging in")
    }
}
