import BCClient
import BCDashboard
import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The estate's pages in a real browser (issue 17): headless Chromium driven by Selenium
/// (browser/test_estate.py) against a real `bcctl controller --embedded-engine --ui-listen` on a
/// git repository of an App, a Cluster, an SGECluster and a RenderProject with custom software,
/// plus a registered image, a drifted cluster and (with miniwdl) a real workflow run.
@Suite(.serialized) struct EstateBrowserTests {
    static let manifests: [String: String] = [
        "app.yaml": """
            apiVersion: bcops.io/v1
            kind: App
            metadata:
              name: web
            spec:
              description: <script>alert(10)</script> a web App
              image:
                docker:
                  image: localhost:5000/web:1.2
              commandLine: echo hello
            """,
        "cluster.yaml": """
            apiVersion: bcops.io/v1
            kind: Cluster
            metadata:
              name: farm
            spec:
              description: render nodes
              imageId: img-ubuntu
              groups:
                workers:
                  instanceType: ecs.sn1.medium
                  desiredCount: 2
                burst:
                  instanceType: ecs.sn2.medium
                  desiredCount: 0
              runtime: host
            """,
        "sge.yaml": """
            apiVersion: bcops.io/v1
            kind: SGECluster
            metadata:
              name: grid
            spec:
              description: a small SGE cluster
              master:
                instanceType: ecs.sn1.medium
                imageId: img-sge
              imageId: img-sge
              groups:
                default:
                  instanceType: ecs.sn1.medium
                  desiredCount: 2
              vpc:
                cidrBlock: 192.168.1.0/24
                vpcCidrBlock: 192.168.0.0/16
            """,
        "project.yaml": """
            apiVersion: bcops.io/v1
            kind: RenderProject
            metadata:
              name: povray-stills
            spec:
              description: <script>alert(11)</script> POV-Ray stills
              image: img-ubuntu
              software:
                name: povray
                sceneSuffix: .pov
                command: povray +I$SCENE +O$OUTPUT_LOCAL_DIR/frame.png +W$WIDTH +H$HEIGHT +SF$START_FRAME +EF$END_FRAME +WT$CPU
                params:
                  WIDTH:
                    description: Image width in pixels <script>alert(12)</script>
                    default: "1920"
                  HEIGHT:
                    description: Image height in pixels
                    default: "1080"
              ossMappings:
                - source: oss://farm/pov/
                  destination: /mnt/pov/
              ossOutput: oss://farm/pov-output/
              localOutputDir: /render_output/
            """,
    ]

    static var haveMiniwdl: Bool {
        FileManager.default.isExecutableFile(atPath: BrowserTests.root.appendingPathComponent(".build-venv/bin/miniwdl").path)
    }

    static func git(_ args: [String], in dir: String) throws {
        let r = try ProcessRunner.run("/usr/bin/git", ["-C", dir, "-c", "user.email=test@bcops", "-c", "user.name=test"] + args)
        try #require(r.status == 0, "git \(args): \(r.combined)")
    }

    @Test(.enabled(if: BrowserTests.haveChromium, "needs Debian's chromium and chromium-driver (scripts/test.sh installs them)"))
    func theEstatesPagesInHeadlessChromium() async throws {
        let python = BrowserTests.python
        try #require(FileManager.default.isExecutableFile(atPath: python), "no \(python): scripts/test.sh makes .build-venv with Selenium")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-estate-browser-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let origin = root + "/origin.git", work = root + "/work", data = root + "/data"
        try FileManager.default.createDirectory(atPath: work + "/estate", withIntermediateDirectories: true)
        try Self.git(["init", "-q", "--bare", "-b", "main", origin], in: root)
        try Self.git(["init", "-q", "-b", "main", work], in: root)
        for (name, text) in Self.manifests { try text.write(toFile: work + "/estate/" + name, atomically: true, encoding: .utf8) }
        try Self.git(["add", "-A"], in: work)
        try Self.git(["commit", "-q", "-m", "the estate"], in: work)
        try Self.git(["push", "-q", origin, "HEAD:main"], in: work)
        let revision = try ProcessRunner.run("/usr/bin/git", ["-C", work, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // The controller hosting its engine, with the dashboard.
        let log = root + "/controller.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let controller = Process()
        controller.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcctl"))
        controller.arguments = ["controller", "--repo", origin, "--path", "estate", "--interval", "60s", "--data", data,
                                "--listen", "127.0.0.1:0", "--embedded-engine", "--engine-listen", "127.0.0.1:0", "--ui-listen", "127.0.0.1:0"]
        controller.standardOutput = FileHandle(forWritingAtPath: log)
        controller.standardError = FileHandle(forWritingAtPath: log)
        try controller.run()
        defer { if controller.isRunning { controller.terminate(); controller.waitUntilExit() } }
        var ui = ""
        let started = Date().addingTimeInterval(30)
        while ui.isEmpty || !FileManager.default.fileExists(atPath: data + "/controller/address") {
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let r = said.range(of: "bcops dashboard listening on http://127.0.0.1:"), let port = Int(said[r.upperBound...].prefix { $0.isNumber }) {
                ui = "http://127.0.0.1:\(port)"
            }
            try #require(Date() < started, "the controller did not start: \(said)")
            try await Task.sleep(for: .milliseconds(50))
        }
        let api = try String(contentsOfFile: data + "/controller/address", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let token = try String(contentsOfFile: data + "/controller/api-token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let endpoint = try String(contentsOfFile: data + "/endpoint", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let client = BatchComputeClient(try ClientConfiguration.fromEnvironment(["BCOPS_DATA": data, "BCOPS_ENDPOINT": endpoint]))
        let applied = Date().addingTimeInterval(30)
        while !(try await DashboardTests.get(ui, "/ui/sync")).body.contains("title=\"\(revision)\">\(revision.prefix(12))</code></td></tr><tr><th>Revision fetched") {
            try #require(Date() < applied, "the revision was not applied: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            try await Task.sleep(for: .milliseconds(100))
        }

        // A registered image with a hostile name; the farm resized by hand (drift), then a pass.
        let image = try await client.createImage(try DashboardTests.value([
            "Name": "<script>alert(13)</script>", "Description": "render node image", "EcsImageId": "m-estate01", "Platform": "Linux"])).id
        let farm = try #require(try await client.allClusters().first { $0.name == "farm" })
        try await client.modifyCluster(farm.id, try DashboardTests.value(["Groups": ["workers": ["DesiredVMCount": 3]]]))
        var reconcile = URLRequest(url: URL(string: api + "/api/reconcile")!)
        reconcile.httpMethod = "POST"
        reconcile.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        _ = try await URLSession.shared.data(for: reconcile)
        let drifted = Date().addingTimeInterval(20)
        while !(try await DashboardTests.get(ui, "/ui/sync")).body.contains("<ul id=\"drift\"><li>Cluster/farm</li></ul>") {
            try #require(Date() < drifted, "no drift reported")
            try await Task.sleep(for: .milliseconds(100))
        }

        // A real workflow run of two calls, when miniwdl is here.
        let workflow = Self.haveMiniwdl ? try await DashboardTests.runHelloWorkflow(client, name: "hello-run", marker: 14) : nil

        let fixture: [String: Any] = [
            "revision": revision, "image": image, "farm": farm.id, "workflow": workflow ?? NSNull(),
            "sge": try #require(try await client.allClusters().first { $0.name == "grid" }).id,
        ]
        let (status, text) = try BrowserTests.runBrowserScript("test_estate.py", ui: ui, fixture: fixture, environment: ["BCOPS_LOGIN_TOKEN": token])
        let shown = text.replacingOccurrences(of: token, with: "<token>")
        #expect(status == 0, "\(shown)")
        #expect(shown.contains("estate browser checks passed"), "\(shown)")
    }
}
