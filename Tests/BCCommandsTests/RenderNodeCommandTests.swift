import BCTestSupport
import Foundation
import Testing

/// `bcctl render node`, what every instance of a RenderJob runs, checked with `--dry-run`: the
/// share of frames it takes and the exact command line it would run.
@Suite struct RenderNodeCommandTests {
    static func node(_ args: [String], env: [String: String] = [:]) throws -> ProcessRunner.Output {
        var environment = ["BCOPS_RENDER_SOFTWARE": "blender", "BCOPS_RENDER_COMMAND": ""]
        environment.merge(env) { $1 }
        return try ProcessRunner.run(ProcessRunner.product("bcctl"), ["render", "node", "--dry-run", "--scene", "/mnt/scenes/a b.blend",
                                                                      "--output-dir", "/render_output/"] + args, environment: environment)
    }

    static func execLine(_ r: ProcessRunner.Output) -> String {
        r.stdout.split(separator: "\n").first { $0.hasPrefix("exec: ") }.map { String($0.dropFirst(6)) } ?? ""
    }

    @Test func theBuiltInBlenderTemplatePutsTheSceneFirstAndWritesRangesWithDots() throws {
        let r = try Self.node(["--frames", "1-10", "--node", "2", "--nodes", "4", "--param", "FORMAT=JPEG", "--param", "OUTPUT_NAME=shot_###"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("bcops render node 2 of 4: frames 7-8"))
        let line = Self.execLine(r)
        #expect(line.hasPrefix("blender -b '/mnt/scenes/a b.blend' --factory-startup -o /render_output/shot_### -F JPEG -t "), "\(line)")
        #expect(line.hasSuffix(" -f 7..8"), "\(line)")
    }

    @Test func aPythonScriptRunsWithItsExitCodeChecked() throws {
        let line = Self.execLine(try Self.node(["--frames", "3", "--param", "PYTHON=/mnt/scenes/tweak.py", "--param", "ENGINE=CYCLES"]))
        #expect(line.contains("-E CYCLES"), "\(line)")
        #expect(line.contains("--python-exit-code 1 --python /mnt/scenes/tweak.py"), "\(line)")
        #expect(line.range(of: "--python ")!.lowerBound < line.range(of: " -f 3")!.lowerBound, "scripts run before -f")
    }

    @Test func aSurplusNodeHasNothingToDoAndSucceeds() throws {
        let r = try Self.node(["--frames", "1-2", "--node", "2", "--nodes", "3"])
        #expect(r.status == 0)
        #expect(r.stdout == "Nothing to do, exit\n")
    }

    @Test func framesPerTaskTakesTheInstancesChunk() throws {
        let r = try Self.node(["--frames", "1-100x10", "--frames-per-task", "3", "--node", "1", "--nodes", "4"])
        #expect(r.stdout.contains("frames 31,41,51"), "\(r.stdout)")
        #expect(Self.execLine(r).hasSuffix("-f 31,41,51"))
    }

    @Test func aCustomTemplateGetsEveryVariableAndDeclaredParameters() throws {
        let template = "render -s $START_FRAME -e ${END_FRAME} -f $FRAMES -rd $OUTPUT_LOCAL_DIR -cam $CAMERA $SCENE # $$HOME"
        let r = try Self.node(["--frames", "1,3,5-10", "--node", "0", "--nodes", "2", "--param", "CAMERA=main cam"],
                              env: ["BCOPS_RENDER_SOFTWARE": "maya", "BCOPS_RENDER_COMMAND": template])
        #expect(r.status == 0, "\(r.stderr)")
        // framer.py gives node 0 of 2 the first 4 of the 8 frames; other software gets the manifest's grammar.
        #expect(Self.execLine(r) == "render -s 1 -e 6 -f 1,3,5-6 -rd /render_output/ -cam 'main cam' '/mnt/scenes/a b.blend' # $HOME")
    }

    @Test func aBlenderCustomTemplateGetsFramesInBlendersGrammar() throws {
        let r = try Self.node(["--frames", "1-6", "--node", "0", "--nodes", "1"],
                              env: ["BCOPS_RENDER_COMMAND": "blender -b $SCENE -o $OUTPUT_LOCAL_DIR/#### -f $FRAMES"])
        #expect(Self.execLine(r).hasSuffix("-f 1..6"), "\(r.stdout)")
    }

    @Test func anUnknownTemplateVariableIsAnError() throws {
        let r = try Self.node(["--frames", "1"], env: ["BCOPS_RENDER_SOFTWARE": "maya", "BCOPS_RENDER_COMMAND": "render $CAMRA $SCENE"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("CAMRA"), "\(r.stderr)")
    }
}
