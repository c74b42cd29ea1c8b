import ArgumentParser
import Foundation

/// `bcctl workflow runner`: what the public `cromwell` App runs. The workflow engine is
/// miniwdl, in Python, with bcops' backend (`python/miniwdl-bcops`); this command finds the
/// Python that has both and hands over to it, so the App's command line names a tool the
/// engine puts on every node's PATH rather than a path on this machine.
public struct WorkflowRunnerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runner", abstract: "Run a WDL workflow with miniwdl, one engine job per call (run by the engine's cromwell App).")

    @Option(help: "The WDL file on OSS.") public var wdl: String
    @Option(help: "The inputs JSON on OSS, or empty.") public var inputs = ""
    @Option(help: "Cromwell's workflow options JSON on OSS, or empty.") public var options = ""
    @Option(help: "OSS prefix of the calls' directories.") public var workingDir = ""
    @Option(help: "OSS prefix of the final outputs and the metadata.") public var outputsDir: String
    @Option(help: "WorkflowRuns (WorkflowRun/NAME, comma separated) that must have succeeded first.") public var dependsOn = ""

    public init() {}

    public func run() throws {
        let python = try WorkflowPython.find()
        let arguments = [python, "-m", "bcops_miniwdl.runner", "--wdl", wdl, "--inputs", inputs, "--options", options,
                         "--working-dir", workingDir, "--outputs-dir", outputsDir] + (dependsOn.isEmpty ? [] : ["--depends-on", dependsOn])
        // The runner's own errors name the fix; exec keeps its exit status and signals as the job's.
        let argv = arguments.map { strdup($0) } + [nil]
        execv(python, argv)
        throw WorkflowPython.Missing(message: "cannot start \(python): \(String(cString: strerror(errno)))")
    }
}

/// Where miniwdl and bcops' backend are installed.
enum WorkflowPython {
    /// Said as the job's failure (its last stderr line), without bcctl's usage after it.
    struct Missing: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// `$BCOPS_PYTHON`; else the `.build-venv` that `scripts/setup.sh` makes, found walking up
    /// from this executable (a source checkout); else `python3` on PATH. The first that can
    /// import both wins; none is an error that says how to install them.
    static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        var candidates: [String] = []
        if let p = environment["BCOPS_PYTHON"], !p.isEmpty { candidates.append(p) }
        // This executable, however it was named on the command line (the engine runs it from PATH).
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent(".build-venv/bin/python").path)
            dir.deleteLastPathComponent()
        }
        for d in (environment["PATH"] ?? "/usr/bin").split(separator: ":") { candidates.append("\(d)/python3") }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) && canImport(c) { return c }
        throw Missing(message: "no Python here has miniwdl and bcops' backend: run scripts/setup.sh, or install them "
                      + "(pip install \"miniwdl==1.16.*\" ./python/miniwdl-bcops) and point BCOPS_PYTHON at that python")
    }

    static func canImport(_ python: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import WDL, bcops_miniwdl"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
