import BCTestSupport
import Foundation
import Testing

/// Workflows and render jobs on the engine's gridengine and slurm executors: a WorkflowRun's
/// runner job and each WDL call's job, and a render job's nodes (`bcctl render node`, real
/// Blender), run as array jobs on the real scheduler (scripts/test.sh starts both), and end as
/// they do on the local executor. Skipped only when the scheduler's client (or Blender) is not
/// installed.
@Suite(.serialized) struct GridExecutorWorkflowTests {
    static func installed(_ client: String) -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/" + client) }

    static func threeCallsRun(_ arguments: [String], tag: String) throws {
        let e = try WorkflowEstate(engineArguments: arguments)
        defer { e.close() }
        try e.copyFixture("three-step-fixed.wdl")
        try e.write("run.yaml", WorkflowRunLimitsTests.manifest("chain", wdl: "three-step-fixed.wdl", bucket: "grid-\(tag)", tag: tag))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        let run = try e.waitForEnd("chain", seconds: 120)
        #expect(run["state"] as? String == "Finished", "\(run)")
        let calls = try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("\(tag)_") }
        #expect(calls.count == 3, "one job per call: \(calls.map { $0["name"] ?? "" })")
        #expect(calls.allSatisfy { $0["state"] as? String == "Finished" }, "\(calls)")
    }

    @Test(.enabled(if: installed("qsub"), "Grid Engine is not installed (scripts/gridengine.sh up; scripts/test.sh runs it)"))
    func aWorkflowRunOnGridEngine() throws {
        try Self.threeCallsRun(["--executor", "gridengine", "--grid-queue", "all.q"], tag: "sgewf")
    }

    @Test(.enabled(if: installed("sbatch"), "Slurm is not installed (scripts/slurm.sh up; scripts/test.sh runs it)"))
    func aWorkflowRunOnSlurm() throws {
        try Self.threeCallsRun(["--executor", "slurm"], tag: "slurmwf")
    }

    static func framesRender(_ arguments: [String]) throws {
        let estate = try RenderFarmTests.farm(engineArguments: arguments)
        try estate.write("job.yaml", RenderFarmTests.job("grid", frames: "1-3", nodes: 2))
        #expect(try estate.apply().status == 0)
        let status = try RenderFarmTests.wait(estate, "grid")
        #expect(status["state"] as? String == "Finished", "\(status)")
        #expect(RenderFarmTests.outputs(estate, "grid").map { ($0 as NSString).lastPathComponent } == ["0001.png", "0002.png", "0003.png"])
    }

    @Test(.enabled(if: installed("qsub") && FileManager.default.isExecutableFile(atPath: RenderFarmTests.blender),
                   "Grid Engine or Blender is not installed (scripts/test.sh installs both)"))
    func aRenderJobOnGridEngine() throws {
        try Self.framesRender(["--executor", "gridengine", "--grid-queue", "all.q"])
    }

    @Test(.enabled(if: installed("sbatch") && FileManager.default.isExecutableFile(atPath: RenderFarmTests.blender),
                   "Slurm or Blender is not installed (scripts/test.sh installs both)"))
    func aRenderJobOnSlurm() throws {
        try Self.framesRender(["--executor", "slurm"])
    }
}
