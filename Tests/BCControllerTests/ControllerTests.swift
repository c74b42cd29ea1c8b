import BCClient
import BCModel
import BCTestSupport
import Foundation
import Testing

/// The controller as a team runs it: a bare repository on disk, a real `bcctl controller
/// --embedded-engine` process, pushes, webhooks, a crash.
@Suite(.serialized) struct ControllerTests {
    static func app(_ name: String, _ greeting: String = "world") -> String {
        """
        apiVersion: bcops.io/v1
        kind: App
        metadata:
          name: \(name)
        spec:
          image:
            docker:
              image: busybox
          commandLine: echo hello ${name}
          inputs:
            name:
              default: \(greeting)
        """
    }

    /// A signed client of the embedded engine, for reading the live estate.
    static func client(_ c: ControllerProcess) throws -> BatchComputeClient {
        BatchComputeClient(try ClientConfiguration.fromEnvironment(c.clientEnvironment))
    }

    static func appDefault(_ c: ControllerProcess, _ name: String) async throws -> String? {
        let app = try? await client(c).app(name)
        return app?.inputParameters["name"]?.defaultValue?.stringValue
    }

    @Test func aWebhookPushIsAppliedAtOnceAndAForgedOneChangesNothing() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("hello"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "60s")
        #expect(try await c.eventually(30) { try await c.appliedRevision() == first }, "the first revision is applied at start")

        // A forged signature: 401, and the new commit is not fetched before the next interval.
        try repo.write("estate/app.yaml", Self.app("hello", "forged"))
        let second = try repo.push("second")
        #expect(try await c.githubPush(key: "not-the-secret") == 401)
        #expect(try await c.http("POST", "/hooks/github", headers: ["X-GitHub-Event": "push"], body: Data("{}".utf8)).0 == 401, "unsigned")
        #expect(try await c.http("POST", "/hooks/github", headers: ["X-GitHub-Event": "push"], body: Data(count: 1 << 20 + 1)).0 == 413, "oversized")
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(try await c.appliedRevision() == first)
        #expect(try await Self.appDefault(c, "hello") == "world")

        // A genuine one: applied by the reconciliation it triggers, not at the next interval
        // (60 s away). The history says which started it; no wall-clock bound (the benchmark,
        // bench/controller.sh, measures how soon).
        #expect(try await c.githubPush() == 202)
        #expect(try await c.eventually(30) { try await c.appliedRevision() == second }, "applied after the webhook")
        let history = try await c.status()["history"] as? [[String: Any]] ?? []
        let entry = history.first { $0["revision"] as? String == second && $0["result"] as? String == "succeeded" }
        #expect((entry?["trigger"] as? String)?.hasPrefix("webhook") == true, "\(history)")
        #expect(try await Self.appDefault(c, "hello") == "forged")
        #expect(try await c.githubPush(ref: "refs/heads/other") == 200, "another branch is ignored")
    }

    @Test func withoutAWebhookAPushIsAppliedWithinOneInterval() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("poll"))
        try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "2s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() != nil })
        try repo.write("estate/app.yaml", Self.app("poll", "polled"))
        let second = try repo.push("second")
        // One interval (2 s, ±10 % jitter) plus the reconciliation itself.
        #expect(try await c.eventually(3) { try await c.appliedRevision() == second })
        #expect(try await Self.appDefault(c, "poll") == "polled")
    }

    @Test func aBrokenManifestStallsWithValidationFailedAndLeavesTheEstateAlone() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("keep"))
        let good = try repo.push("good")
        let c = try ControllerProcess(repository: repo)
        #expect(try await c.eventually(10) { try await c.appliedRevision() == good })
        try repo.write("estate/app.yaml", Self.app("keep", "changed") + "\n  bogus: 1\n")
        try repo.write("estate/more.yaml", Self.app("another"))
        try repo.push("broken")
        #expect(try await c.githubPush() == 202)
        #expect(try await c.eventually(5) { try await c.condition("Stalled")?["reason"] as? String == "ValidationFailed" })
        let stalled = try await c.condition("Stalled")
        #expect((stalled?["message"] as? String ?? "").contains("estate/app.yaml:"), "\(stalled ?? [:])")
        #expect(try await c.condition("Ready")?["status"] as? String == "False")
        #expect(try await c.appliedRevision() == good)
        #expect(try await Self.appDefault(c, "keep") == "world")
        #expect(try await Self.appDefault(c, "another") == nil, "nothing of the broken commit was applied")
    }

    @Test func aSuspendedControllerAppliesNothingUntilResumed() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("pause"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "1s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        let suspended = try c.bcctl(["controller", "suspend", "--data", c.data])
        #expect(suspended.status == 0, "\(suspended.combined)")
        try repo.write("estate/app.yaml", Self.app("pause", "later"))
        let second = try repo.push("second")
        #expect(try await c.githubPush() == 202)
        try await Task.sleep(nanoseconds: 2_500_000_000)
        #expect(try await c.appliedRevision() == first)
        #expect(try await c.status()["suspended"] as? Bool == true)
        // Suspension survives a restart.
        c.terminate()
        try c.start()
        try await Task.sleep(nanoseconds: 1_500_000_000)
        #expect(try await c.appliedRevision() == first)
        #expect(try c.bcctl(["controller", "resume", "--data", c.data]).status == 0)
        #expect(try await c.eventually(5) { try await c.appliedRevision() == second })
    }

    @Test func aControllerKilledDuringAnApplyOf200ResourcesConvergesWithoutDuplicates() async throws {
        let repo = try Repository()
        var text = ""
        for i in 0..<200 {
            text += i % 4 == 0 ? """
                apiVersion: bcops.io/v1
                kind: Cluster
                metadata:
                  name: pool-\(i)
                spec:
                  imageId: img-ubuntu
                  instanceType: ecs.sn1.medium
                  groups:
                    main:
                      desiredCount: 0
                ---

                """ : Self.app("app-\(i)") + "\n---\n"
        }
        try repo.write("estate/all.yaml", text)
        let revision = try repo.push("200 resources")
        let c = try ControllerProcess(repository: repo, interval: "1s", extra: ["--parallelism", "4"])
        // Kill it (and the engine it hosts) as soon as the apply is under way: a fast apply
        // passes 150 apps within a poll or two of the 20th.
        var partial = 0
        _ = try await c.eventually(20) {
            partial = (try? await Self.client(c).allApps())?.count ?? 0
            return partial >= 1
        }
        c.kill()
        #expect(partial < 150, "killed mid-way (\(partial) apps existed)")
        try c.start()
        #expect(try await c.eventually(60) { try await c.appliedRevision() == revision }, "converged after the restart")
        let client = try Self.client(c)
        let apps = try await client.allApps()
        let clusters = try await client.allClusters()
        #expect(apps.count == 150)
        #expect(clusters.count == 50, "no duplicate cluster")
        let inventory = try JSONValue.parse(try await client.inventory(workspace: "default"))
        #expect(inventory["Items"]?.arrayValue?.count == 200)
    }

    @Test func aForcePushStallsAndADeletedBranchKeepsTheLastGoodStateApplied() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("history"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "1s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() == first })
        // Rewrite history: a new root commit force-pushed over main.
        try repo.git(["checkout", "-q", "--orphan", "rewritten"])
        try repo.write("estate/app.yaml", Self.app("history", "rewritten"))
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "rewritten"])
        try repo.git(["push", "-q", "-f", "origin", "rewritten:main"])
        let rewritten = try repo.git(["rev-parse", "HEAD"])
        #expect(try await c.eventually(5) { try await c.condition("Stalled")?["reason"] as? String == "HistoryRewritten" })
        #expect(try await c.appliedRevision() == first)
        #expect(try await Self.appDefault(c, "history") == "world")
        // A person accepts it.
        #expect(try c.bcctl(["controller", "resume", "--data", c.data]).status == 0)
        #expect(try await c.eventually(5) { try await c.appliedRevision() == rewritten })
        #expect(try await Self.appDefault(c, "history") == "rewritten")
        // The branch is deleted: a git failure condition; what was applied stays.
        try repo.git(["update-ref", "-d", "refs/heads/main"], in: repo.origin)
        #expect(try await c.eventually(5) {
            let ready = try await c.condition("Ready")
            return ready?["reason"] as? String == "GitOperationFailed" && (ready?["message"] as? String ?? "").contains("stays applied")
        })
        #expect(try await Self.appDefault(c, "history") == "rewritten")
    }

    @Test func metricsParseWithPrometheusClient() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("metrics"))
        try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "1s")
        #expect(try await c.eventually(10) { try await c.appliedRevision() != nil })
        let (status, body) = try await c.http("GET", "/metrics")
        #expect(status == 200)
        let text = String(decoding: body, as: UTF8.self)
        let parse = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            names = {f.name: f.type for f in text_string_to_metric_families(sys.stdin.read() if False else sys.argv[1])}
            for n in sorted(names): print(n, names[n])
            """, text])
        #expect(parse.status == 0, "\(parse.combined)")
        for line in ["bcops_reconcile_duration_seconds histogram", "bcops_git_fetch_duration_seconds histogram", "bcops_sync counter",
                     "bcops_resources gauge", "bcops_engine_jobs gauge"] {
            #expect(parse.stdout.contains(line), "\(line) in \(parse.stdout)")
        }
        // Ready once a pass finds nothing left to change (the next interval after the create).
        #expect(try await c.eventually(5) {
            String(decoding: try await c.http("GET", "/metrics").1, as: UTF8.self).contains("bcops_resources{kind=\"App\",ready=\"true\"} 1")
        })
        #expect(try await c.http("GET", "/healthz").0 == 200)
        #expect(try await c.http("GET", "/readyz").0 == 200)
    }

    @Test func aReviewedPlanGateAppliesOnlyTheApprovedPlan() async throws {
        let repo = try Repository()
        try repo.write("estate/app.yaml", Self.app("gated"))
        let first = try repo.push("first")
        let c = try ControllerProcess(repository: repo, interval: "1s", extra: ["--require-reviewed-plan"])
        #expect(try await c.eventually(10) { try await c.condition("Stalled")?["reason"] as? String == "PlanNotReviewed" })
        #expect(try await Self.appDefault(c, "gated") == nil)
        // CI: plan the commit, review, approve it for that revision.
        let planFile = c.data + "/reviewed.plan"
        let planned = try ProcessRunner.run(ProcessRunner.product("bcplan"), [repo.work + "/estate", "-out", planFile, "-no-color"], environment: c.clientEnvironment)
        #expect(planned.status == 0, "\(planned.combined)")
        let approved = try c.bcctl(["plan-approve", planFile, "-revision", first])
        #expect(approved.status == 0, "\(approved.combined)")
        #expect(try await c.eventually(5) { try await c.appliedRevision() == first })
        #expect(try await Self.appDefault(c, "gated") == "world")
    }
}

/// The render farm under the controller: progress in /api/status, and auto-download.
@Suite(.serialized) struct ControllerRenderTests {
    @Test func finishedFramesAreDownloadedAndReportedInStatus() async throws {
        let repo = try Repository()
        let download = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-download-\(UUID().uuidString)").path
        try repo.write("estate/farm.yaml", """
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
                  desiredCount: 1
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
              autoDownload: true
              downloadDir: \(download)
            """)
        try repo.push("farm")
        // The scene goes in before the job is pushed.
        let c = try ControllerProcess(repository: repo, interval: "1s")
        let scene = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-ctl-scene-\(UUID().uuidString).blend").path
        let script = ProcessRunner.root.appendingPathComponent("examples/render-farm/scene/make_scene.py").path
        let made = try ProcessRunner.run("/usr/bin/env", ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "--python", script, "--", scene])
        #expect(made.status == 0, "\(made.combined)")
        #expect(try c.bcctl(["oss", "cp", scene, "oss://farm/scenes/cube.blend"]).status == 0)
        try repo.write("estate/job.yaml", """
            apiVersion: bcops.io/v1
            kind: RenderJob
            metadata:
              name: two-frames
            spec:
              project: blender
              scene: cube.blend
              frames: "1-2"
              nodes: 2
            """)
        try repo.push("render two frames")
        #expect(try await c.githubPush() == 202)
        let rendered = try await c.eventually(90) {
            let renders = try await c.status()["renders"] as? [[String: Any]] ?? []
            return renders.first?["downloadedTo"] is String
        }
        let renders = try await c.status()["renders"] as? [[String: Any]] ?? []
        #expect(rendered, "\(renders)")
        #expect(renders.first?["framesDone"] as? Int == 2)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: download + "/two-frames")) ?? []
        #expect(files.sorted() == ["0001.png", "0002.png"])
        let text = try c.bcctl(["status", "--data", c.data])
        #expect(text.stdout.contains("two-frames  Finished  2/2 frames  downloaded to \(download)/two-frames"), "\(text.combined)")
    }
}
