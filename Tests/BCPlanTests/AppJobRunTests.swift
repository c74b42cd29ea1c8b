import BCTestSupport
import Foundation
import Testing

/// A run of an App declared as a Job with `app:`, through bcplan, bcapply, bcctl job and bcctl
/// logs against a real engine: planned, applied after its App and cluster, run, and re-planned
/// as already succeeded.
@Suite(.serialized) struct AppJobRunTests {
    /// `bcctl job NAME -json` once the job has ended.
    static func waitForEnd(_ e: Estate, _ name: String, timeout: Double = 60) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let r = try e.run("bcctl", ["job", name, "-json"])
            if let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
               let state = o["state"] as? String, ["Finished", "Failed", "Stopped"].contains(state) || Date() > deadline {
                return o
            }
            if Date() > deadline { return [:] }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    @Test func anAppJobIsPlannedAppliedRunAndThenAlreadySucceeded() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("app.yaml", Estate.app)
        try e.write("run.yaml", Estate.appRun)
        let plan = try e.plan()
        #expect(plan.status == 0, "\(plan.combined)")
        #expect(plan.stdout.contains("# Job/greet will be submitted"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+ app") && plan.stdout.contains("\"hello\"") && plan.stdout.contains("+ inputs.name"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 1 to run, 2 to add, 0 to change, 0 to destroy."), "\(plan.stdout)")

        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Runs: 1 submitted."), "\(applied.stdout)")
        // The run is submitted after the App and the cluster it needs exist.
        let app = applied.stdout.range(of: "App/hello: Creation complete")
        let cluster = applied.stdout.range(of: "Cluster/workers: Creation complete")
        let submitted = applied.stdout.range(of: "Job/greet: Submitting...")
        #expect(app != nil && cluster != nil && submitted != nil, "\(applied.stdout)")
        if let app, let cluster, let submitted {
            #expect(app.lowerBound < submitted.lowerBound && cluster.lowerBound < submitted.lowerBound)
        }

        let job = try Self.waitForEnd(e, "greet")
        #expect(job["state"] as? String == "Finished", "\(job)")
        #expect(job["kind"] as? String == "App" && job["app"] as? String == "hello" && job["address"] as? String == "Job/greet", "\(job)")
        #expect(job["inputs"] as? [String: String] == ["name": "bcops"])
        let text = try e.run("bcctl", ["job", "greet"])
        #expect(text.status == 0, "\(text.combined)")
        #expect(text.stdout.contains("kind:     App job on App hello"), "\(text.stdout)")
        #expect(text.stdout.contains("stdout: oss://bucket/app-logs/stdout.") && text.stdout.contains(".app.<0-1>"), "\(text.stdout)")

        // The App's command line with the run's input, on both instances.
        let logs = try e.run("bcctl", ["logs", "greet", "--stream", "stdout"])
        #expect(logs.status == 0, "\(logs.combined)")
        #expect(logs.stdout.split(separator: "\n").sorted() == ["[node 0] hello bcops", "[node 1] hello bcops"], "\(logs.combined)")

        let again = try e.plan("-detailed-exitcode")
        #expect(again.status == 0, "\(again.combined)")
        #expect(again.stdout.contains("Job/greet: already succeeded"), "\(again.stdout)")

        try e.edit("run.yaml", "name: bcops", "name: again")
        let changed = try e.plan()
        #expect(changed.stdout.contains("# Job/greet will re-run because inputs.name changed"), "\(changed.stdout)")
    }

    @Test func anAppThatIsNeitherDeclaredNorOnTheEngineStopsThePlan() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        try e.write("run.yaml", Estate.appRun)
        let refused = try e.plan()
        #expect(refused.status == 1, "\(refused.combined)")
        #expect(refused.stderr.contains("Job/greet: spec.app: App \"hello\" is neither declared in these manifests nor on the engine"),
                "\(refused.stderr)")
        // The App made by another workspace: the run uses it, and the plan says it is not declared here.
        let apps = e.dir.appendingPathComponent("apps")
        try FileManager.default.createDirectory(at: apps, withIntermediateDirectories: true)
        try Estate.app.write(to: apps.appendingPathComponent("app.yaml"), atomically: true, encoding: .utf8)
        let made = try e.run("bcapply", [apps.path, "-no-color", "-auto-approve", "-workspace", "apps"])
        #expect(made.status == 0, "\(made.combined)")
        let plan = try e.run("bcplan", [e.dir.appendingPathComponent("run.yaml").path, e.dir.appendingPathComponent("cluster.yaml").path, "-no-color"])
        #expect(plan.status == 0, "\(plan.combined)")
        #expect(plan.stdout.contains("Job/greet: spec.app: App \"hello\" is not declared in these manifests"), "\(plan.stdout)")
        #expect(plan.stdout.contains("# Job/greet will be submitted"), "\(plan.stdout)")
    }
}
