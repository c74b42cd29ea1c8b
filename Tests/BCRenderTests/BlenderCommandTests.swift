import Testing
@testable import BCRender

@Suite struct BlenderCommandTests {
    @Test func fullCommandInTheOrderBlenderNeeds() {
        let command = BlenderCommand(scene: "/w/scene.blend", outputDirectory: "/w/out/", outputName: "frame_####",
                                     threads: 2, engine: "CYCLES", pythonScripts: ["/w/a.py", "/w/b.py"],
                                     frames: [1, 2, 3, 5, 7, 8])
        #expect(command.executable == "blender")
        #expect(command.arguments == [
            "-b", "/w/scene.blend", "--factory-startup", "-E", "CYCLES",
            "--python-exit-code", "1", "--python", "/w/a.py", "--python", "/w/b.py",
            "-o", "/w/out/frame_####", "-F", "PNG", "-t", "2", "-f", "1..3,5,7..8",
        ])
    }

    @Test func defaults() {
        let command = BlenderCommand(scene: "scene.blend", outputDirectory: "/out", frames: [1, 2, 3, 4])
        #expect(command.arguments == ["-b", "scene.blend", "--factory-startup", "-o", "/out/####", "-F", "PNG", "-t", "0", "-f", "1..4"])
    }

    /// The .blend right after -b (else the file overwrites -o/-F/-E), and -o/-F before -f
    /// (else the frames go to the path stored in the file).
    @Test func orderRules() {
        var command = BlenderCommand(scene: "s.blend", outputDirectory: "/o", format: "OPEN_EXR", engine: "BLENDER_EEVEE",
                                     pythonScripts: ["t.py"], frames: [9])
        command.factoryStartup = false
        let args = command.arguments
        #expect(Array(args.prefix(2)) == ["-b", "s.blend"])
        #expect(!args.contains("--factory-startup"))
        let f = try! #require(args.firstIndex(of: "-f"))
        for option in ["-o", "-F", "-E", "--python"] {
            #expect(args.firstIndex(of: option)! > 1 && args.firstIndex(of: option)! < f, "\(option)")
        }
        #expect(args.last == "9")
    }

    @Test func pythonExitCodeOnlyWithScripts() {
        let without = BlenderCommand(scene: "s.blend", outputDirectory: "/o", frames: [1]).arguments
        #expect(!without.contains("--python-exit-code") && !without.contains("--python"))
        let with = BlenderCommand(scene: "s.blend", outputDirectory: "/o", pythonScripts: ["x.py"], frames: [1]).arguments
        #expect(with.filter { $0 == "--python-exit-code" }.count == 1)
    }

    @Test func noFramesRendersNothing() {
        #expect(!BlenderCommand(scene: "s.blend", outputDirectory: "/o", frames: []).arguments.contains("-f"))
    }

    @Test func blenderFramesUseDotDot() {
        #expect(BlenderCommand.blenderFrames([1, 2, 3, 5, 7, 8]) == "1..3,5,7..8")
        #expect(BlenderCommand.blenderFrames([2]) == "2")
        #expect(BlenderCommand.blenderFrames([1, 3]) == "1,3")
        #expect(BlenderCommand.blenderFrames([0, 1]) == "0..1")
        #expect(BlenderCommand.blenderFrames([]) == "")
        #expect(!BlenderCommand.blenderFrames(Array(1...250)).contains("-"))
    }

    @Test func outputPathHasOneSlash() {
        func output(_ dir: String, _ name: String) -> String {
            let args = BlenderCommand(scene: "s", outputDirectory: dir, outputName: name, frames: [1]).arguments
            return args[args.firstIndex(of: "-o")! + 1]
        }
        #expect(output("/w/out", "####") == "/w/out/####")
        #expect(output("/w/out/", "####") == "/w/out/####")
        #expect(output("/w/out//", "/img_##") == "/w/out/img_##")
        #expect(output("/", "####") == "/####")
        #expect(output("", "####") == "####")
    }
}
