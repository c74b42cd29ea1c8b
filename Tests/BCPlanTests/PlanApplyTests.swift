import BCTestSupport
import Foundation
import Testing

/// bcplan and bcapply end to end against a real engine on loopback.
@Suite(.serialized) struct PlanApplyTests {
    @Test func applyingThenPlanningAgainFindsNoChanges() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        try e.write("job.yaml", Estate.job)
        let first = try e.plan("-detailed-exitcode")
        #expect(first.status == 2, "\(first.combined)")
        #expect(first.stdout.contains("Plan: 1 to run, 2 to add, 0 to change, 0 to destroy."), "\(first.stdout)")
        #expect(first.stdout.contains("tasks.say.cluster") && first.stdout.contains("(known after apply)"))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Apply complete! Resources: 2 added, 0 changed, 0 destroyed. Runs: 1 submitted."), "\(applied.stdout)")
        // The job runs after the cluster it needs exists.
        let created = applied.stdout.range(of: "Cluster/workers: Creation complete")
        let submitted = applied.stdout.range(of: "Job/greet: Submitting...")
        #expect(created != nil && submitted != nil && created!.lowerBound < submitted!.lowerBound)
        let again = try e.plan("-detailed-exitcode")
        #expect(again.status == 0, "\(again.combined)")
        #expect(again.stdout.contains("No changes. Your infrastructure matches the configuration."))
        #expect(again.stdout.contains("Job/greet: ") && (again.stdout.contains("running") || again.stdout.contains("waiting")
                                                         || again.stdout.contains("already succeeded")))
    }

    @Test func applyProgressAsJSONLines() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        let r = try e.run("bcapply", [e.dir.path, "-auto-approve", "-no-color", "-json"])
        #expect(r.status == 0, "\(r.combined)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }, "every line is JSON: \(r.stdout)")
        let events = lines
        #expect(events.contains { $0.contains("\"type\":\"apply_start\"") && $0.contains("\"address\":\"Cluster/workers\"") })
        #expect(events.contains { $0.contains("\"type\":\"apply_complete\"") && $0.contains("\"id\":\"cls-") })
        #expect(events.first?.contains("\"type\":\"change_summary\"") == true)
        #expect(events.last?.contains("\"summary\":\"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\"") == true)
    }

    /// Each example in its own workspace (its .bcops/settings.yaml), with the packages its
    /// README copies first: applied, its runs finished, it plans clean (converged: exit 0).
    @Test func theExamplesApplyAndThenPlanClean() throws {
        let e = try Estate()
        for (example, package) in [("quickstart", "oss://quickstart/package/worker.tar.gz"), ("fixed-cluster", "oss://fixed-cluster/log-count/worker.tar.gz")] {
            let tarball = e.dir.path + "/\(example).tar.gz"
            let worker = ProcessRunner.root.appendingPathComponent("examples/\(example)/worker").path
            #expect(try ProcessRunner.run("/usr/bin/env", ["tar", "-czf", tarball, "-C", worker, "."]).status == 0)
            #expect(try e.run("bcctl", ["oss", "cp", tarball, package]).status == 0)
        }
        let examples = [("quickstart", "Resources: 2 added, 0 changed, 0 destroyed. Runs: 1 submitted."),
                        ("docker-app", "Resources: 2 added, 0 changed, 0 destroyed."),
                        ("fixed-cluster", "Resources: 1 added, 0 changed, 0 destroyed. Runs: 1 submitted.")]
        for (name, summary) in examples {
            let dir = ProcessRunner.root.appendingPathComponent("examples/\(name)").path
            let applied = try e.run("bcapply", [dir, "-auto-approve", "-no-color"])
            #expect(applied.status == 0, "\(applied.combined)")
            #expect(applied.stdout.hasPrefix("Workspace: \(name) (from \(dir)/.bcops/settings.yaml)"), "\(applied.stdout)")
            #expect(applied.stdout.contains("Apply complete! \(summary)"), "\(applied.stdout)")
        }
        for (name, _) in examples {
            let dir = ProcessRunner.root.appendingPathComponent("examples/\(name)").path
            if let run = ["quickstart": "Job/word-count", "fixed-cluster": "Job/fixed-logcount"][name] {
                _ = try FailedRunTests.waitForRun(e, dir, run)
            }
            let again = try e.run("bcplan", [dir, "-no-color", "-detailed-exitcode"])
            #expect(again.status == 0, "\(again.stdout)")
            #expect(again.stdout.contains("No changes. Your infrastructure matches the configuration."), "\(again.stdout)")
        }
    }

    @Test func targetingDestroyAndTheMassDeleteGuard() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        try e.write("job.yaml", Estate.job)
        // A target brings what it depends on, and nothing else.
        let targeted = try e.plan("-target", "Job/greet")
        #expect(targeted.stdout.contains("Job/greet") && targeted.stdout.contains("Cluster/workers") && !targeted.stdout.contains("App/hello"),
                "\(targeted.stdout)")
        #expect(targeted.stdout.contains("Resource targeting is in effect"))
        #expect(try e.apply().status == 0)
        // Removing every manifest at once looks like a mistake: refused without consent.
        try e.remove("cluster.yaml")
        try e.remove("app.yaml")
        try e.remove("job.yaml")  // the run is kept; the App and the Cluster would go
        let refused = try e.apply()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refusing to delete 2 of the 2 objects"), "\(refused.stderr)")
        #expect(try e.apply("-allow-mass-delete").status == 0)
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("job.yaml", Estate.job)
        #expect(try e.apply().status == 0)
        let destroy = try e.plan("-destroy", "-prune-runs")
        #expect(destroy.stdout.contains("# Cluster/workers will be destroyed") && destroy.stdout.contains("# Job/greet will be destroyed"))
        #expect(try e.apply("-destroy", "-prune-runs").status == 0)
        #expect(try e.ownedCount() == 0)
    }

    @Test func editsBecomeInPlaceUpdatesReplacementsAndDeletesWithReasons() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        #expect(try e.apply().status == 0)

        // Unchanged, but replaced on request.
        let requested = try e.plan("-replace", "Cluster/workers")
        #expect(requested.stdout.contains("# Cluster/workers will be replaced, as requested"), "\(requested.stdout)")
        #expect(requested.stdout.contains("Plan: 1 to add, 0 to change, 1 to destroy."))

        try e.edit("cluster.yaml", "desiredCount: 1", "desiredCount: 3")
        let resize = try e.plan("-detailed-exitcode")
        #expect(resize.status == 2)
        #expect(resize.stdout.contains("# Cluster/workers will be updated in-place"), "\(resize.stdout)")
        #expect(resize.stdout.contains("~ groups.main.desiredCount = 1 -> 3"))
        #expect(resize.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."))
        #expect(try e.apply().status == 0)

        try e.edit("cluster.yaml", "imageId: img-ubuntu", "imageId: img-ubuntu-vpc")
        let replace = try e.plan()
        #expect(replace.stdout.contains("# Cluster/workers must be replaced"), "\(replace.stdout)")
        #expect(replace.stdout.contains("~ imageId") && replace.stdout.contains("\"img-ubuntu\" -> \"img-ubuntu-vpc\" # forces replacement"))
        #expect(replace.stdout.contains("Plan: 1 to add, 0 to change, 1 to destroy."))

        try e.edit("app.yaml", "echo hello", "echo hi")
        let update = try e.plan()
        #expect(update.stdout.contains("# App/hello will be updated in-place"))
        #expect(try e.apply().status == 0)

        try e.remove("app.yaml")
        let delete = try e.plan("-detailed-exitcode")
        #expect(delete.status == 2)
        #expect(delete.stdout.contains("# App/hello will be destroyed") && delete.stdout.contains("# (because App/hello is not in configuration)"),
                "\(delete.stdout)")
        #expect(try e.apply().status == 0)
        #expect(try e.plan("-detailed-exitcode").status == 0)
    }

    @Test func aChangeMadeOutsideBcopsShowsAsDriftAndIsUndone() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        let applied = try e.apply()
        #expect(applied.status == 0)
        let id = try #require(applied.stdout.firstMatch(of: /id=(cls-[a-z0-9]+)/)?.1)
        let resized = try e.sdk("resize.py", [String(id), "main", "4"])
        #expect(resized.status == 0, "\(resized.combined)")
        let plan = try e.plan("-detailed-exitcode")
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("Note: Objects have changed outside of bcops"), "\(plan.stdout)")
        #expect(plan.stdout.contains("changed outside bcops"))
        #expect(plan.stdout.contains("~ groups.main.desiredCount = 1 -> 4"))
        // Only fields the manifest sets are drift: engine-filled defaults are not.
        #expect(!plan.stdout.contains("ActualVMCount") && !plan.stdout.contains("ResourceType"))
        #expect(plan.stdout.contains("~ groups.main.desiredCount = 4 -> 1"))
        #expect(try e.apply().status == 0)
        #expect(try e.plan("-detailed-exitcode").status == 0)
    }

    @Test func aSavedPlanAppliesExactlyOnceAndAStaleOneIsRefused() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        let file = e.dir.appendingPathComponent("plan.bcplan").path
        let plan = try e.plan("-out", file)
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("bcapply \"\(file)\""))
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let shown = try e.run("bcctl", ["show", "-json", file])
        #expect(shown.stdout.contains("\"format_version\":\"1.2\"") && shown.stdout.contains("\"actions\":[\"create\"]"), "\(shown.stdout)")
        let stale = e.dir.appendingPathComponent("stale.bcplan").path
        #expect(try e.plan("-out", stale).status == 0)
        let applied = try e.run("bcapply", [file, "-no-color"])
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Apply complete! Resources: 1 added"))
        let refused = try e.run("bcapply", [stale, "-no-color"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Saved plan is stale"), "\(refused.stderr)")
    }

    @Test func runsAreSubmittedOnceAndAgainOnlyWhenTheyChangeOrAreAskedTo() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("job.yaml", Estate.job)
        #expect(try e.apply().status == 0)
        #expect(try e.apply().stdout.contains("No changes."))
        try e.edit("job.yaml", "command: echo hi", "command: echo hello")
        let changed = try e.plan()
        #expect(changed.stdout.contains("# Job/greet will re-run because tasks.say.command changed"), "\(changed.stdout)")
        #expect(changed.stdout.contains("Plan: 1 to run, 0 to add, 0 to change, 0 to destroy."))
        #expect(try e.apply().status == 0)
        try e.edit("job.yaml", "  tasks:", "  rerun: \"2\"\n  tasks:")
        #expect(try e.plan().stdout.contains("# Job/greet will re-run as requested"))
        #expect(try e.apply().status == 0)
        try e.remove("job.yaml")
        let removed = try e.plan("-detailed-exitcode")
        #expect(removed.status == 0, "runs are kept when their manifest goes: \(removed.stdout)")
        #expect(removed.stdout.contains("-prune-runs"))
        let pruned = try e.plan("-prune-runs")
        #expect(pruned.stdout.contains("# Job/greet will be destroyed"))
    }

    @Test func aSecretValueNeverAppearsInAnyOutputOrPlanFile() throws {
        let e = try Estate()
        let secret = "s3cr3t-\(UUID().uuidString)"
        try e.write("app.yaml", Estate.app + "\n  env:\n    TOKEN:\n      secretFrom:\n        env: BCOPS_TEST_TOKEN\n")
        let env = ["BCOPS_TEST_TOKEN": secret]
        let file = e.dir.appendingPathComponent("plan.bcplan").path
        var outputs: [ProcessRunner.Output] = []
        outputs.append(try e.run("bcplan", [e.dir.path, "-no-color", "-out", file], env: env))
        outputs.append(try e.run("bcctl", ["show", "-json", file]))
        outputs.append(try e.run("bcctl", ["show", "-markdown", file]))
        outputs.append(try e.run("bcapply", [file, "-no-color"], env: env))
        #expect(outputs.last?.status == 0, "\(outputs.last!.combined)")
        outputs.append(try e.run("bcplan", [e.dir.path, "-no-color", "-json"], env: env))
        outputs.append(try e.run("bcplan", [e.dir.path, "-no-color", "-detailed-exitcode"], env: env))
        #expect(outputs.last?.status == 0, "an unchanged secret is no change: \(outputs.last!.stdout)")
        let changed = try e.run("bcplan", [e.dir.path, "-no-color"], env: ["BCOPS_TEST_TOKEN": secret + "-rotated"])
        #expect(changed.stdout.contains("~ env.TOKEN = (sensitive value, changed)"), "\(changed.stdout)")
        outputs.append(changed)
        #expect(outputs[0].stdout.contains("(sensitive value)"))
        for o in outputs { #expect(!o.combined.contains(secret)) }
        let planFile = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!planFile.contains(secret) && planFile.contains("BCOPS_TEST_TOKEN"))
        let journal = try String(contentsOfFile: e.engine.dataDirectory + "/journals/default.jsonl", encoding: .utf8)
        #expect(!journal.contains(secret))
    }
}

/// Adopting and releasing objects.
@Suite(.serialized) struct OwnershipTests {
    @Test func aForgottenAppIsNotTouchedUntilImportedAgain() throws {
        let e = try Estate()
        try e.write("app.yaml", Estate.app)
        #expect(try e.apply().status == 0)
        let forgot = try e.run("bcctl", ["forget", "App/hello"])
        #expect(forgot.status == 0, "\(forgot.combined)")
        #expect(forgot.stdout.contains("no longer managed"))
        // The manifest is still there: bcops would create it, and refuses to take over the name.
        #expect(try e.plan().stdout.contains("# App/hello will be created"))
        let clash = try e.apply()
        #expect(clash.status == 1)
        #expect(clash.stderr.contains("not managed by workspace default") && clash.stderr.contains("bcctl import App/hello hello"), "\(clash.stderr)")
        let imported = try e.run("bcctl", ["import", "App/hello", "hello"])
        #expect(imported.status == 0, "\(imported.combined)")
        let plan = try e.plan("-detailed-exitcode")
        #expect(plan.status == 0, "an adopted object that matches its manifest needs nothing: \(plan.stdout)")
    }

    @Test func graphPrintsTheOrder() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("job.yaml", Estate.job)
        let dot = try e.run("bcctl", ["graph", e.dir.path])
        #expect(dot.status == 0)
        #expect(dot.stdout.contains("\"Job/greet\" -> \"Cluster/workers\";"))
    }
}
