import BCClient
import BCManifest
import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCPlan

/// Failed runs (issue 13, item 4): a declared run that failed and is not run again is counted
/// in the plan's summary, is never "No changes.", makes -detailed-exitcode exit 2 and is
/// listed in -json; and the example the README applies first works from a clean clone.
@Suite(.serialized) struct FailedRunTests {
    static let greet = ResourceAddress(kind: .Job, name: "greet")

    static func plan(_ changes: [ResourceChange]) -> Plan {
        Plan(workspace: "w", lineage: "l", serial: 1, manifestsHash: "h", createdAt: "2026-11-21T10:00:00.000Z", changes: changes, drift: [], desired: [])
    }

    static func failed(_ name: String = "greet", why: String = "instance exited with code 3") -> ResourceChange {
        var c = ResourceChange(address: ResourceAddress(kind: .Job, name: name), action: .noop, reason: nil, actionReason: nil, fields: [],
                               liveId: "job-\(name)", runStatus: "failed (last attempt job-\(name): \(why))")
        c.runFailure = why
        return c
    }

    // MARK: The plan's words

    @Test func theSummaryCountsFailedRunsAndNeverSaysNoChangesOverThem() {
        let one = Self.plan([Self.failed()])
        #expect(!one.converged && !one.hasChanges)
        #expect(one.summary == "No changes to make, but 1 declared run has failed: Job/greet (job-greet: instance exited with code 3). "
                + "Re-run it with a new `rerun:` token (or bcapply -replace Job/greet).")
        let two = Self.plan([Self.failed(), Self.failed("other", why: "stopped")])
        #expect(two.summary.hasPrefix("No changes to make, but 2 declared runs have failed: Job/greet (job-greet: instance exited with code 3), Job/other (job-other: stopped). Re-run them with new `rerun:` tokens"))
        let create = ResourceChange(address: ResourceAddress(kind: .App, name: "a"), action: .create, reason: nil, actionReason: nil, fields: [],
                                    liveId: nil, runStatus: nil)
        #expect(Self.plan([create, Self.failed()]).summary == "Plan: 1 to add, 0 to change, 0 to destroy; 1 failed run.")
        #expect(Self.plan([create]).summary == "Plan: 1 to add, 0 to change, 0 to destroy.")
        #expect(Self.plan([]).summary == "No changes. Your infrastructure matches the configuration.")
        #expect(Self.plan([]).converged)
    }

    @Test func theJSONPlanListsTheFailedRunsOnlyWhenThereAreSome() {
        let json = JSONPlanRenderer.render(Self.plan([Self.failed()]), version: "0.1.0")
        #expect(json["applyable"] == .bool(false))
        let failed = json["bcops"]?["failed_runs"]?.arrayValue ?? []
        #expect(failed == [.object(["address": .string("Job/greet"), "id": .string("job-greet"), "reason": .string("instance exited with code 3")])])
        #expect(json["bcops"]?["summary"]?.stringValue?.hasPrefix("No changes to make, but 1 declared run has failed") == true)
        // A converged plan's JSON is what it was: no new key.
        #expect(JSONPlanRenderer.render(Self.plan([]), version: "0.1.0")["bcops"]?["failed_runs"] == nil)
    }

    @Test func thePlannerMarksFailedStoppedAndPartlyFailedRunsButNotRunningOnes() throws {
        let hasher = FieldHasher(accessKeySecret: "s")
        let yaml = """
            apiVersion: bcops.io/v1
            kind: Job
            metadata:
              name: greet
            spec:
              tasks:
                say:
                  autoCluster: {instanceType: ecs.sn1.medium, imageId: img-ubuntu}
                  command: echo hi
            """
        let loaded = ManifestLoader().load(bytes: Array(yaml.utf8), name: "job.yaml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        let job = try Lowering.lower(try #require(loaded.manifests.first).manifest)
        let spec = try #require(Planner(hasher: hasher, readSecret: { _ in nil }).specHash(job, live: LiveState()))
        func status(_ state: String, message: String = "") -> ResourceChange {
            let labels = [OwnershipLabels.spec: spec, OwnershipLabels.workspace: "w", OwnershipLabels.address: "Job/greet"]
            let o = LiveResource(address: job.address, collection: .jobs, id: "job-1",
                                 body: .object(["State": .string(state), "Message": .string(message)]), labels: labels, brief: true)
            return Planner(hasher: hasher, readSecret: { _ in nil }).plan(desired: [job], live: LiveState(objects: [job.address: [o]])).changes[0]
        }
        #expect(status("Failed", message: "exit 3").runFailure == "exit 3")
        #expect(status("Stopped").runFailure == "stopped")
        #expect(status("Finished", message: "1 of 2 instances failed").runFailure == "1 of 2 instances failed")
        #expect(status("Finished").runFailure == nil)
        #expect(status("Running").runFailure == nil && status("Running").runStatus == "running")
        #expect(status("Waiting").runFailure == nil && status("Waiting").runStatus == "waiting")
    }

    // MARK: End to end

    static func waitForRun(_ e: Estate, _ dir: String, _ address: String, seconds: Double = 60) throws -> ProcessRunner.Output {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try e.run("bcplan", [dir, "-no-color"])
        while Date() < deadline {
            let line = last.stdout.split(separator: "\n").first { $0.hasPrefix("  \(address): ") } ?? ""
            if !line.isEmpty && !line.contains(": running") && !line.contains(": waiting") { return last }
            Thread.sleep(forTimeInterval: 0.3)
            last = try e.run("bcplan", [dir, "-no-color"])
        }
        return last
    }

    @Test func aFailedRunIsNotConvergedUntilItRunsAgain() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("job.yaml", Estate.job.replacingOccurrences(of: "command: echo hi", with: "command: echo no scene >&2; exit 3"))
        #expect(try e.apply().status == 0)
        let failed = try Self.waitForRun(e, e.dir.path, "Job/greet")
        #expect(failed.stdout.contains("Job/greet: failed (last attempt job-"), "\(failed.stdout)")
        let plan = try e.plan("-detailed-exitcode")
        #expect(plan.status == 2, "a failed run is not converged: \(plan.combined)")
        #expect(!plan.stdout.contains("No changes. Your infrastructure matches the configuration."))
        #expect(plan.stdout.contains("No changes to make, but 1 declared run has failed: Job/greet (job-"), "\(plan.stdout)")
        #expect(plan.stdout.contains("instance exited with code 3: no scene). Re-run it with a new `rerun:` token (or bcapply -replace Job/greet)."))
        let json = try e.plan("-json")
        let o = try JSONValue.parse(Array(json.stdout.utf8))
        #expect(o["applyable"] == .bool(false))
        #expect(o["bcops"]?["failed_runs"]?.arrayValue?.first?["address"] == .string("Job/greet"), "\(json.stdout)")
        #expect(o["bcops"]?["failed_runs"]?.arrayValue?.first?["reason"]?.stringValue?.contains("instance exited with code 3") == true)
        // bcapply has nothing to do, says so, and exits 0.
        let nothing = try e.apply()
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("No changes to make, but 1 declared run has failed"))
        // A new rerun: token runs it again: planned, so no longer counted as failed.
        try e.edit("job.yaml", "name: greet\nspec:\n", "name: greet\nspec:\n  rerun: \"2\"\n")
        let rerun = try e.plan("-detailed-exitcode")
        #expect(rerun.status == 2)
        #expect(rerun.stdout.contains("# Job/greet will re-run as requested"))
        #expect(rerun.stdout.contains("Plan: 1 to run, 0 to add, 0 to change, 0 to destroy.\n"), "\(rerun.stdout)")
    }

    /// README's first look applies examples/fixed-cluster: its job needed a package nothing
    /// provided and python, which the engine's tasks do not have. Followed as the example's
    /// README says, from this clone, it runs, merge (on an auto cluster) included.
    @Test func theFixedClusterExampleRunsFromACleanCloneAsItsReadmeSays() throws {
        let e = try Estate()
        let example = ProcessRunner.root.appendingPathComponent("examples/fixed-cluster").path
        let tarball = e.dir.path + "/log-count.tar.gz"
        let tar = try ProcessRunner.run("/usr/bin/env", ["tar", "-czf", tarball, "-C", example + "/worker", "."])
        #expect(tar.status == 0, "\(tar.combined)")
        #expect(try e.run("bcctl", ["oss", "cp", tarball, "oss://fixed-cluster/log-count/worker.tar.gz"]).status == 0)
        let planned = try e.run("bcplan", [example, "-no-color"])
        #expect(planned.stdout.contains("Plan: 1 to run, 1 to add, 0 to change, 0 to destroy."), "\(planned.combined)")
        let applied = try e.run("bcapply", [example, "-auto-approve", "-no-color"])
        #expect(applied.status == 0, "\(applied.combined)")
        let done = try Self.waitForRun(e, example, "Job/fixed-logcount")
        #expect(done.stdout.contains("Job/fixed-logcount: already succeeded"), "\(done.stdout)")
        let clean = try e.run("bcplan", [example, "-no-color", "-detailed-exitcode"])
        #expect(clean.status == 0, "\(clean.stdout)")
        #expect(clean.stdout.contains("No changes. Your infrastructure matches the configuration."))
        let logs = try e.run("bcctl", ["oss", "ls", "oss://fixed-cluster/log-count/logs/"])
        let merge = try #require(logs.stdout.split(separator: "\n").first { $0.contains("/stdout.") && $0.hasSuffix(".merge.0") }, "\(logs.stdout)")
        let out = try e.run("bcctl", ["oss", "cat", String(merge)])
        #expect(out.stdout == "merged 3 counts: {\"DEBUG\": 8, \"ERROR\": 2, \"INFO\": 17, \"WARN\": 3}\n", "\(out.combined)")
    }
}
