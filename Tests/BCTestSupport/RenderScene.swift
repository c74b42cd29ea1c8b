import Foundation

/// The real Blender from Debian and examples/render-farm's tiny scene, shared by the render
/// farm's tests and the dashboard's browser test.
public enum RenderScene {
    public static let blender = ["/usr/bin/blender", "/usr/local/bin/blender"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/blender"

    /// examples/render-farm/scene/make_scene.py's cube, built once per test process.
    public static let cube: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-render-scene-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/cube.blend"
        let script = ProcessRunner.root.appendingPathComponent("examples/render-farm/scene/make_scene.py").path
        let r = try? ProcessRunner.run(blender, ["-b", "--factory-startup", "--python-exit-code", "1", "--python", script, "--", path])
        precondition(r?.status == 0 && FileManager.default.fileExists(atPath: path), "cannot build the test scene: \(r?.combined ?? "blender did not run")")
        return path
    }()
}
