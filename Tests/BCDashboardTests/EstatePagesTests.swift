import BCClient
import BCDashboard
import BCTestSupport
import Foundation
import Testing

/// The estate's pages (issue 17) against a real engine started with `--ui-listen`: images and
/// software templates, clusters, Apps, SGE clusters and workflow runs, read over HTTP as a browser
/// with JavaScript off reads them; everything users wrote shown as text.
@Suite(.serialized) struct EstatePagesTests {
    /// A real engine with its dashboard, and a client signed with the engine's key.
    struct Served {
        let engine: EngineProcess
        let ui: String
        let client: BatchComputeClient

        init() throws {
            engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0"])
            let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
            let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
            ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
            client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                                accessKeyId: engine.credentials.accessKeyId,
                                                                accessKeySecret: engine.credentials.accessKeySecret))
        }

        func get(_ path: String) async throws -> DashboardTests.Page { try await DashboardTests.get(ui, path) }
    }

    /// No `<script>` of the fixtures' anywhere: every hostile string became text. (The page's
    /// own script, `<script src=…>`, is the dashboard's.)
    static func noScript(_ page: DashboardTests.Page, _ path: String) {
        #expect(!page.body.contains("<script>"), "\(path) has a fixture's script element")
    }

    /// A RenderProject with custom software, as bcops lowers one: the template in the App's
    /// environment, a declared parameter as `param_QUALITY`, hostile text in the parameter's description.
    static func customProject(_ client: BatchComputeClient) async throws {
        _ = try await client.createApp(try DashboardTests.value([
            "Name": "studio", "Description": "custom software", "CommandLine": "bcctl render node",
            "VM": ["ECSImageId": "img-ubuntu"],
            "EnvVars": ["BCOPS_RENDER_SOFTWARE": "mysoft",
                        "BCOPS_RENDER_COMMAND": "mysoft --scene $SCENE --out ${OUTPUT_LOCAL_DIR}/img --frames $FRAMES --quality $QUALITY -t $CPU"],
            "Labels": ["bcops.io/address": "RenderProject/studio", "bcops.io/workspace": "default", "bcops.io/revision": "1"],
            "InputParameters": ["scene": ["Type": "String"], "frames": ["Type": "String"],
                                "param_QUALITY": ["Type": "String", "Default": "high", "Description": "<script>alert(5)</script> quality"]],
            "OutputParameters": ["output": ["Type": "String", "Default": "oss://frames/studio/"]],
        ]))
    }

    @Test func imagesAndSoftwareTemplates() async throws {
        let s = try Served()
        defer { s.engine.stop() }
        let registered = try await s.client.createImage(try DashboardTests.value([
            "Name": "<script>alert(4)</script>", "Description": "render <b>node</b>", "EcsImageId": "m-render01", "Platform": "Linux"])).id
        try await Self.customProject(s.client)
        _ = try await DashboardTests.renderProject("proj", sleeping: 1, client: s.client)

        let page = try await s.get("/ui/images")
        #expect(page.status == 200)
        Self.noScript(page, "/ui/images")
        // The system images and the registered one, with the Apps and clusters that use them.
        for id in ["img-ubuntu", "img-sge", "img-windows-blender", registered] {
            #expect(page.body.contains("<tr class=\"image-row\" data-id=\"\(id)\">"), "\(id)")
        }
        #expect(page.body.contains("<td>&lt;script&gt;alert(4)&lt;/script&gt;</td>") && page.body.contains("render &lt;b&gt;node&lt;/b&gt;"))
        #expect(page.body.contains("m-render01"))
        #expect(page.body.contains("App studio<br>") || page.body.contains("App proj<br>App studio"), "img-ubuntu is used by both Apps")
        #expect(page.body.contains("Cluster c<") || page.body.contains("Cluster c\n"))

        // The custom template: the command line, each variable with what it is, the parameter.
        #expect(page.count("<section class=\"software\"") == 2)
        #expect(page.body.contains("<pre class=\"command-template\">mysoft --scene $SCENE --out ${OUTPUT_LOCAL_DIR}/img --frames $FRAMES --quality $QUALITY -t $CPU</pre>"))
        #expect(page.count("<tr class=\"variable-row\">") >= 5 + 7, "studio: SCENE OUTPUT_LOCAL_DIR FRAMES QUALITY CPU; proj: Blender's")
        #expect(page.body.contains("<td><code>$QUALITY</code></td><td>parameter: &lt;script&gt;alert(5)&lt;/script&gt; quality</td>"))
        #expect(page.body.contains("<td><code>$CPU</code></td><td>built-in: the node&#39;s cores</td>"))
        #expect(page.body.contains("<tr class=\"parameter-row\"><td>QUALITY</td><td>high</td><td>&lt;script&gt;alert(5)&lt;/script&gt; quality</td></tr>"))
        // Blender's built-in template for the project without a command.
        #expect(page.body.contains("Blender's built-in template:") && page.body.contains("-o $OUTPUT_LOCAL_DIR/$OUTPUT_NAME -F $FORMAT -t $CPU -f $FRAMES"))
        #expect(page.body.contains("<a href=\"/ui/images\">Images 镜像管理</a>"))
    }

    @Test func clustersAppsAndSGEClusters() async throws {
        let s = try Served()
        defer { s.engine.stop() }
        let plain = try await s.client.createCluster(try DashboardTests.value([
            "Name": "farm", "ImageId": "img-ubuntu", "Runtime": "host", "Description": "<script>alert(6)</script>",
            "Labels": ["bcops.io/address": "Cluster/farm", "bcops.io/workspace": "default", "bcops.io/revision": "1"],
            "Groups": ["small": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"],
                       "big": ["DesiredVMCount": 2, "InstanceType": "ecs.sn2.medium"]]])).id
        let sge = try await s.client.createCluster(try DashboardTests.value([
            "Name": "grid", "ImageId": "img-sge", "SgeMasterGroup": "sgeMaster",
            "Labels": ["bcops.io/address": "SGECluster/grid"],
            "Groups": ["sgeMaster": ["DesiredVMCount": 1, "InstanceType": "ecs.sn1.medium"],
                       "default": ["DesiredVMCount": 2, "InstanceType": "ecs.sn1.medium"]]])).id
        _ = try await s.client.createApp(try DashboardTests.value([
            "Name": "web", "Description": "<script>alert(7)</script>", "CommandLine": "true", "VM": ["ECSImageId": "img-ubuntu-vpc"],
            "Labels": ["bcops.io/address": "App/web", "bcops.io/workspace": "default", "bcops.io/revision": "1"]]))
        _ = try await s.client.createApp(try DashboardTests.value([
            "Name": "edited", "CommandLine": "true", "VM": ["ECSImageId": "img-ubuntu"],
            "Labels": ["bcops.io/address": "App/edited", "bcops.io/workspace": "default", "bcops.io/revision": "1"]]))
        try await s.client.modifyApp("edited", try DashboardTests.value([
            "Name": "edited", "CommandLine": "echo changed by hand", "VM": ["ECSImageId": "img-ubuntu"],
            "Labels": ["bcops.io/address": "App/edited", "bcops.io/workspace": "default", "bcops.io/revision": "1"]]))

        // Clusters: the groups with instance type, desired and actual counts (the VMs come up).
        var clusters = try await s.get("/ui/clusters")
        let deadline = Date().addingTimeInterval(15)
        while !clusters.body.contains("<td class=\"desired\">2</td><td class=\"actual\">2</td>") && Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            clusters = try await s.get("/ui/clusters")
        }
        #expect(clusters.status == 200)
        Self.noScript(clusters, "/ui/clusters")
        #expect(clusters.body.contains("<section class=\"cluster\" id=\"\(plain)\" data-name=\"farm\">"))
        #expect(clusters.body.contains("<tr class=\"group-row\" data-group=\"big\"><td>big</td><td>ecs.sn2.medium</td><td>OnDemand</td><td class=\"desired\">2</td><td class=\"actual\">2</td></tr>"),
                "\(clusters.body)")
        #expect(clusters.body.contains("<tr class=\"group-row\" data-group=\"small\"><td>small</td><td>ecs.sn1.medium</td>"))
        #expect(clusters.body.contains("&lt;script&gt;alert(6)&lt;/script&gt;") && clusters.body.contains("Cluster/farm in default"))
        #expect(clusters.body.contains("revision 1 (as applied)"))
        #expect(clusters.body.contains("<a href=\"/ui/sge#\(sge)\">its nodes</a>"))

        // Apps: image and revision; an App changed by hand since bcops applied it says so.
        let apps = try await s.get("/ui/apps")
        Self.noScript(apps, "/ui/apps")
        #expect(apps.body.contains("<tr class=\"app-row\" data-app=\"web\"><td>web</td><td class=\"image\">img-ubuntu-vpc</td><td class=\"revision\">1 (as applied)</td><td>App/web in default</td>"),
                "\(apps.body)")
        #expect(apps.body.contains("<td class=\"revision\">2 (applied 1; changed outside bcops since)</td>"))
        #expect(apps.body.contains("&lt;script&gt;alert(7)&lt;/script&gt;"))

        // SGE clusters: the master and worker groups, every node, the operation log.
        var page = try await s.get("/ui/sge")
        let nodesDeadline = Date().addingTimeInterval(15)
        while page.count("<tr class=\"sge-node-row\" data-state=\"Running\">") < 3 && Date() < nodesDeadline {
            try await Task.sleep(for: .milliseconds(200))
            page = try await s.get("/ui/sge")
        }
        Self.noScript(page, "/ui/sge")
        #expect(page.count("<section class=\"sge-cluster\"") == 1, "the plain cluster is no SGE cluster")
        #expect(page.body.contains("<section class=\"sge-cluster\" id=\"\(sge)\" data-name=\"grid\">"))
        #expect(page.body.contains("<tr class=\"sge-group-row\" data-group=\"sgeMaster\"><td>sgeMaster</td><td>master</td><td>ecs.sn1.medium</td><td class=\"desired\">1</td><td class=\"actual\">1</td></tr>"),
                "\(page.body)")
        #expect(page.body.contains("<tr class=\"sge-group-row\" data-group=\"default\"><td>default</td><td>worker</td><td>ecs.sn1.medium</td><td class=\"desired\">2</td><td class=\"actual\">2</td></tr>"))
        #expect(page.count("<tr class=\"sge-node-row\"") == 3)
        let vms = try await s.client.clusterVMs(of: sge, group: "default")
        for vm in vms { #expect(page.body.contains("<td>\(vm.id)</td><td>default</td>")) }
        #expect(page.body.contains("SGECluster/grid"))
    }

    /// A real WDL run (the engine's public App `cromwell`, miniwdl and bcops' backend): the list
    /// of runs and the run's page with its calls and their states.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: EngineProcess.root.appendingPathComponent(".build-venv/bin/miniwdl").path),
                   "needs miniwdl in .build-venv (scripts/setup.sh makes it)"))
    func workflowRunsAndTheirCalls() async throws {
        let s = try Served()
        defer { s.engine.stop() }
        let run = try await DashboardTests.runHelloWorkflow(s.client, name: "hello-<script>", marker: 8)
        let ended = try await s.client.job(run)
        #expect(ended.state == .finished, "\(ended.message)")

        let list = try await s.get("/ui/workflows")
        Self.noScript(list, "/ui/workflows")
        #expect(list.body.contains("<tr class=\"workflow-row\" data-status=\"Succeeded\"><td><a href=\"/ui/workflows/\(run)\">hello-&lt;script&gt;</a></td><td>hello</td><td>Succeeded</td><td>2/2</td>"),
                "\(list.body)")

        let page = try await s.get("/ui/workflows/\(run)")
        Self.noScript(page, "/ui/workflows/\(run)")
        #expect(page.body.contains("id=\"run-status\">Succeeded<") && page.body.contains("id=\"run-progress\">2/2<"))
        #expect(page.count("<tr class=\"call-row\" data-state=\"Done\">") == 2, "\(page.body)")
        #expect(page.body.contains("<td>hello.first</td>") && page.body.contains("<td>hello.second</td>"))
        #expect(page.body.contains("<a href=\"/ui/jobs/job-"), "each call links to its job")

        let notARun = try await s.get("/ui/workflows/nope")
        #expect(notARun.status == 404 && notARun.body.contains("id=\"not-a-run\""), "\(notARun.status) \(notARun.body)")
    }

    /// The engine's dashboard has no Sync page and no link to it; the estate's links are on every page.
    @Test func theEnginesDashboardHasNoSyncPage() async throws {
        let s = try Served()
        defer { s.engine.stop() }
        let page = try await s.get("/ui/rendering")
        for link in ["/ui/images", "/ui/clusters", "/ui/apps", "/ui/sge", "/ui/workflows"] {
            #expect(page.body.contains("<a href=\"\(link)\">"), "\(link)")
        }
        #expect(!page.body.contains("/ui/sync"))
        #expect(try await s.get("/ui/sync").status == 404)
        let empty = try await s.get("/ui/workflows")
        #expect(empty.status == 200 && empty.body.contains("No workflow runs."))
        #expect(try await s.get("/ui/sge").body.contains("No SGE clusters."))
    }
}
