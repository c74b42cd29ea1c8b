import BCTestSupport
import Foundation
import Testing

/// The render farm with the real Blender from Debian, through bcapply and the engine: the tiny
/// scene of examples/render-farm, split over nodes exactly as framer.py splits it.
@Suite(.serialized) struct RenderFarmTests {
    static var scene: String { RenderScene.cube }
    static var blender: String { RenderScene.blender }

    static let manifests = """
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
              desiredCount: 2
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
        """

    static func job(_ name: String, frames: String, nodes: Int, scene: String = "cube.blend") -> String {
        """
        apiVersion: bcops.io/v1
        kind: RenderJob
        metadata:
          name: \(name)
        spec:
          project: blender
          scene: \(scene)
          frames: "\(frames)"
          nodes: \(nodes)
        """
    }

    /// An estate with the scene uploaded, the cluster and the project written.
    static func farm(engineArguments: [String] = []) throws -> Estate {
        let estate = try Estate(engineArguments: engineArguments)
        let up = try estate.run("bcctl", ["oss", "cp", scene, "oss://farm/scenes/cube.blend"])
        #expect(up.status == 0, "\(up.combined)")
        try estate.write("farm.yaml", manifests)
        return estate
    }

    /// Polls `bcctl render status -json` until the job ends.
    static func wait(_ estate: Estate, _ job: String, timeout: Double = 180) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try estate.run("bcctl", ["render", "status", job, "-json"])
            if let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
               let state = o["state"] as? String, ["Finished", "Failed", "Stopped"].contains(state) {
                return o
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        Issue.record("\(job) did not end within \(timeout) s")
        return [:]
    }

    static func outputs(_ estate: Estate, _ job: String) -> [String] {
        let dir = estate.engine.dataDirectory + "/oss/farm/output/\(job)"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// name → hash of decoded pixels.
    static func pixels(_ files: [String]) throws -> [String: String] {
        let script = ProcessRunner.root.appendingPathComponent("Tests/BCPlanTests/render/pngpixels.py").path
        let r = try ProcessRunner.run("/usr/bin/python3", [script] + files)
        #expect(r.status == 0, "\(r.combined)")
        var out: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    @Test func framesSplitOverThreeNodesMatchOneBlenderRunPixelForPixel() throws {
        let estate = try Self.farm()
        try estate.write("job.yaml", Self.job("turn", frames: "1-8", nodes: 3))
        let plan = try estate.plan()
        #expect(plan.stdout.contains("RenderJob/turn will render frames 1-8 on 3 nodes"), "\(plan.combined)")
        let applied = try estate.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        let status = try Self.wait(estate, "turn")
        #expect(status["state"] as? String == "Finished", "\(status)")
        #expect(status["framesDone"] as? Int == 8)
        // framer.py's split of 1-8 over 3 nodes.
        let shares = (status["nodes"] as? [[String: Any]] ?? []).map { $0["frames"] as? [Int] ?? [] }
        #expect(shares == [[1, 2, 3], [4, 5, 6], [7, 8]])

        let farm = Self.outputs(estate, "turn")
        #expect(farm.map { ($0 as NSString).lastPathComponent } == (1...8).map { String(format: "%04d.png", $0) })
        let single = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-single-\(UUID().uuidString)").path
        let r = try ProcessRunner.run(Self.blender, ["-b", Self.scene, "--factory-startup", "-o", single + "/####", "-F", "PNG", "-s", "1", "-e", "8", "-a"])
        #expect(r.status == 0, "\(r.combined)")
        let reference = try Self.pixels((1...8).map { single + String(format: "/%04d.png", $0) })
        let rendered = try Self.pixels(farm)
        #expect(reference.count == 8)
        #expect(rendered == reference, "the farm's frames differ in pixels from one blender -a run")

        // Re-plan: nothing to render again.
        let again = try estate.plan("-detailed-exitcode")
        #expect(again.status == 0, "\(again.combined)")
        #expect(again.stdout.contains("RenderJob/turn: already rendered"), "\(again.combined)")

        // A changed frame range renders again.
        try estate.edit("job.yaml", "frames: \"1-8\"", "frames: \"9-10\"")
        let changed = try estate.plan()
        #expect(changed.stdout.contains("RenderJob/turn will re-render because frames changed"), "\(changed.combined)")
        #expect(try estate.apply().status == 0)
        let rerun = try Self.wait(estate, "turn")
        #expect(rerun["state"] as? String == "Finished")
        #expect(Self.outputs(estate, "turn").map { ($0 as NSString).lastPathComponent }.suffix(2) == ["0009.png", "0010.png"])
    }

    @Test func aFrameListRendersExactlyThoseFrames() throws {
        let estate = try Self.farm()
        try estate.write("job.yaml", Self.job("picked", frames: "1,3,5-7", nodes: 2))
        #expect(try estate.apply().status == 0)
        let status = try Self.wait(estate, "picked")
        #expect(status["state"] as? String == "Finished", "\(status)")
        #expect(Self.outputs(estate, "picked").map { ($0 as NSString).lastPathComponent } == ["0001.png", "0003.png", "0005.png", "0006.png", "0007.png"])
    }

    @Test func moreNodesThanFramesLeavesTheSurplusNodeNothingToDo() throws {
        let estate = try Self.farm()
        try estate.write("job.yaml", Self.job("few", frames: "1-2", nodes: 3))
        #expect(try estate.apply().status == 0)
        let status = try Self.wait(estate, "few")
        #expect(status["state"] as? String == "Finished", "\(status)")
        #expect(Self.outputs(estate, "few").count == 2)
        let log = try estate.run("bcctl", ["logs", "few", "--node", "2"])
        #expect(log.stdout.contains("Nothing to do, exit"), "\(log.combined)")
    }

    @Test func aBrokenSceneFailsTheJobWithBlendersError() throws {
        let estate = try Self.farm()
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-broken-\(UUID().uuidString).blend").path
        try Data("this is not a blend file\n".utf8).write(to: URL(fileURLWithPath: broken))
        #expect(try estate.run("bcctl", ["oss", "cp", broken, "oss://farm/scenes/broken.blend"]).status == 0)
        try estate.write("job.yaml", Self.job("broken", frames: "1-2", nodes: 1, scene: "broken.blend").replacingOccurrences(
            of: "  nodes: 1", with: "  nodes: 1\n  stopOnNodeFailure: true"))
        #expect(try estate.apply().status == 0)
        let status = try Self.wait(estate, "broken")
        #expect(status["state"] as? String == "Failed", "\(status)")
        let reason = status["message"] as? String ?? ""
        #expect(reason.contains("Error:") && reason.contains("broken.blend"), "the reason carries Blender's error: \(reason)")
        let plan = try estate.plan()
        #expect(plan.stdout.contains("RenderJob/broken: failed (last attempt"), "\(plan.combined)")
    }

    @Test func withoutStopOnNodeFailureAFailedNodeIsRetriedAndItsFramesListed() throws {
        let estate = try Self.farm()
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-broken-\(UUID().uuidString).blend").path
        try Data("not a blend file either\n".utf8).write(to: URL(fileURLWithPath: broken))
        #expect(try estate.run("bcctl", ["oss", "cp", broken, "oss://farm/scenes/half.blend"]).status == 0)
        try estate.write("job.yaml", Self.job("half", frames: "1-4", nodes: 2, scene: "half.blend").replacingOccurrences(
            of: "  nodes: 2", with: "  nodes: 2\n  retries: 1"))
        #expect(try estate.apply().status == 0)
        let status = try Self.wait(estate, "half")
        #expect(status["state"] as? String == "Finished", "the job finishes: it does not stop on a failed node")
        #expect(status["message"] as? String == "2 of 2 instances failed")
        #expect(status["failedFrames"] as? [Int] == [1, 2, 3, 4])
        let nodes = status["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.map { $0["retries"] as? Int } == [1, 1], "each failed node was retried once")
        let text = try estate.run("bcctl", ["render", "status", "half"])
        #expect(text.stdout.contains("failed frames: 1-4"), "\(text.combined)")
        let plan = try estate.plan()
        #expect(plan.stdout.contains("RenderJob/half: rendered with failed frames"), "\(plan.combined)")
    }

    @Test func renderTestRendersOneFrameAndPrintsTheCommandLineAndLogs() throws {
        let estate = try Self.farm()
        #expect(try estate.apply().status == 0, "the project's App exists")
        // On a pool of one node made for the test (no --cluster).
        let r = try estate.run("bcctl", ["render", "test", "blender", "--scene", "cube.blend", "--frame", "3"])
        #expect(r.status == 0, "\(r.combined)")
        #expect(r.stdout.contains("Command line:\n  blender -b /mnt/scenes/cube.blend --factory-startup -o /render_output/#### -F PNG -t "), "\(r.stdout)")
        #expect(r.stdout.contains("-f 3\n"))
        #expect(r.stdout.contains("Saved: '/render_output/0003.png'"), "the renderer's log is shown")
        #expect(r.stdout.contains("Frame 3 rendered in"))
        let bad = try estate.run("bcctl", ["render", "test", "blender", "--scene", "missing.blend", "--frame", "1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("Error: Cannot read file '/mnt/scenes/missing.blend'"), "\(bad.combined)")
    }
}
