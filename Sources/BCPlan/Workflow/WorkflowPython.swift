import Foundation

/// Where miniwdl and bcops' backend are installed.
public enum WorkflowPython {
    /// Said as the job's failure (its last stderr line), without bcctl's usage after it.
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// `find()` once per process: each candidate costs a Python start that imports miniwdl.
    public static let located: Result<String, any Error> = Result { try find() }

    /// `$BCOPS_PYTHON`; else the `.build-venv` that `scripts/setup.sh` makes, found walking up
    /// from this executable (a source checkout); else `python3` on PATH. The first that can
    /// import both wins; none is an error that says how to install them.
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
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
        if venvHasBoth(python) { return true }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        // find_spec, not import: importing miniwdl costs 0.1–0.2 s, and the runner imports it anyway.
        p.arguments = ["-c", "import importlib.util as u, sys; sys.exit(0 if u.find_spec('WDL') and u.find_spec('bcops_miniwdl') else 1)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Whether `python` is a venv's (`<venv>/bin/python`, `<venv>/pyvenv.cfg`) whose own
    /// site-packages, for the Python version the venv names, hold both packages: then no Python
    /// need start to say so (that probe costs 10-30 ms of the runner's start, bench/README.md
    /// "Workflows"). Anything else (an editable install, a system Python) gets the probe.
    static func venvHasBoth(_ python: String) -> Bool {
        let venv = URL(fileURLWithPath: python).deletingLastPathComponent().deletingLastPathComponent()
        guard let cfg = try? String(contentsOf: venv.appendingPathComponent("pyvenv.cfg"), encoding: .utf8) else { return false }
        var version: Substring?
        for line in cfg.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0] == "version" || kv[0] == "version_info" {
                let parts = kv[1].split(separator: ".")
                if parts.count >= 2 { version = "\(parts[0]).\(parts[1])" }
            }
        }
        guard let version else { return false }
        let site = venv.appendingPathComponent("lib/python\(version)/site-packages")
        return ["WDL", "bcops_miniwdl"].allSatisfy {
            FileManager.default.fileExists(atPath: site.appendingPathComponent("\($0)/__init__.py").path)
        }
    }
}
