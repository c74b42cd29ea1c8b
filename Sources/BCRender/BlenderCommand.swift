/// The command line of one headless Blender render (Blender 3.4.1, the Debian 12 package).
///
/// Blender processes its arguments left to right, so the order here is not cosmetic:
/// * the `.blend` comes right after `-b`: scene settings given before it (`-o`, `-F`, `-E`, `-s`,
///   `-e`) are overwritten by the file's own when it loads;
/// * `-o` and `-F` come before `-f`, else the frames render to the output path stored in the
///   .blend (by default the system temp directory) and the later `-o` is ignored;
/// * `--python` scripts (per-job scene tweaks) also come before `-f`, so they run before rendering.
public struct BlenderCommand: Sendable, Equatable {
    /// The program to run; the Debian package installs `/usr/bin/blender`.
    public var executable: String
    /// The `.blend` file to render.
    public var scene: String
    /// Where frames are written (absolute on the render host).
    public var outputDirectory: String
    /// The file name: each run of `#` becomes the zero-padded frame number; without any `#`
    /// Blender appends a 4-digit number. The extension follows from `format`.
    public var outputName: String
    /// Blender's `-F`: PNG, JPEG, OPEN_EXR, TIFF, BMP…
    public var format: String
    /// Blender's `-t`: render threads, 0 for all cores.
    public var threads: Int
    /// Blender's `-E`: CYCLES, BLENDER_EEVEE or BLENDER_WORKBENCH; nil keeps the scene's engine.
    public var engine: String?
    /// Scripts run after the scene loads and before rendering (`--python`).
    public var pythonScripts: [String]
    /// The frames this process renders.
    public var frames: [Int]
    /// `--factory-startup`, so the render host's user preferences and add-ons cannot leak into
    /// the render (and no `~/.config/blender` is created).
    public var factoryStartup: Bool

    public init(executable: String = "blender", scene: String, outputDirectory: String,
                outputName: String = "####", format: String = "PNG", threads: Int = 0,
                engine: String? = nil, pythonScripts: [String] = [], frames: [Int],
                factoryStartup: Bool = true) {
        self.executable = executable; self.scene = scene; self.outputDirectory = outputDirectory
        self.outputName = outputName; self.format = format; self.threads = threads; self.engine = engine
        self.pythonScripts = pythonScripts; self.frames = frames; self.factoryStartup = factoryStartup
    }

    /// The arguments after the executable:
    /// `-b <scene> [--factory-startup] [-E engine] [--python-exit-code 1 --python <script>…]
    /// -o <outputDirectory>/<outputName> -F <format> -t <threads> -f <frames>`.
    ///
    /// `--factory-startup` sits right after the scene file. The rule that options before the
    /// .blend are overwritten concerns scene settings stored in the file; `--factory-startup`
    /// is not one: it chooses which preferences and add-ons load, and Blender reads it before
    /// loading any file wherever it stands (checked with Blender 3.4.1: `bpy.app.factory_startup`
    /// is True for `-b scene.blend --factory-startup`). Keeping the scene right after `-b` keeps
    /// every command line in the one order the reference prescribes.
    ///
    /// `--python-exit-code 1` is given once, before the first script, and only when scripts run:
    /// without it a Python exception still exits 0 and a broken tweak would pass unnoticed.
    /// With no frames `-f` is left out: Blender then loads the scene and exits without rendering.
    public var arguments: [String] {
        var args = ["-b", scene]
        if factoryStartup { args.append("--factory-startup") }
        if let engine { args += ["-E", engine] }
        if !pythonScripts.isEmpty {
            args += ["--python-exit-code", "1"]
            for script in pythonScripts { args += ["--python", script] }
        }
        args += ["-o", BlenderCommand.join(outputDirectory, outputName), "-F", format, "-t", String(threads)]
        if !frames.isEmpty { args += ["-f", BlenderCommand.blenderFrames(frames)] }
        return args
    }

    /// Frames as Blender's `-f` takes them: comma separated, runs written with `..`
    /// (`[1,2,3,5,7,8]` → `1..3,5,7..8`). A `-` is not a range in Blender (`-N` counts from
    /// the end), which is why the manifest's `1-3` must be translated.
    public static func blenderFrames(_ frames: [Int]) -> String {
        FrameSplit.runs(frames, rangeSeparator: "..")
    }

    /// Directory and name with exactly one `/` between them; an empty directory gives the name.
    static func join(_ directory: String, _ name: String) -> String {
        var dir = Substring(directory)
        while dir.count > 1, dir.hasSuffix("/") { dir = dir.dropLast() }
        let file = name.drop { $0 == "/" }
        if dir.isEmpty { return String(file) }
        return dir == "/" ? "/" + file : dir + "/" + file
    }
}
