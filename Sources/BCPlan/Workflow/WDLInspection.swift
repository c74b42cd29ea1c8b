import BCAPI
import Foundation

/// What miniwdl's own parser says of a workflow and its inputs (`python -m
/// bcops_miniwdl.inspect`), so that the plan refuses what the run would refuse: missing,
/// unknown and mistyped inputs, WDL that does not parse, runtime keys neither Cromwell's
/// BatchCompute backend nor miniwdl knows. Answers are cached by content (the WDL with its
/// imports, and the inputs), so a no-op plan does not start Python again.
public struct WDLInspection: Codable, Sendable, Equatable {
    public struct Problem: Codable, Sendable, Equatable {
        public var kind: String
        public var input: String?
        public var message: String
        public var file: String?
        public var line: Int?
        public var column: Int?
    }

    public struct RuntimeWarning: Codable, Sendable, Equatable {
        public var task: String
        public var key: String
        public var message: String
        public var file: String?
        public var line: Int?
        public var column: Int?
    }

    public struct TaskInfo: Codable, Sendable, Equatable {
        public var name: String
        public var docker: String?
    }

    public var workflow: String?
    public var problems: [Problem]
    public var runtimeWarnings: [RuntimeWarning]
    public var ignoredRuntimeKeys: [String: [String]]
    public var tasks: [TaskInfo]

    /// Why the checks could not run (no miniwdl here, or the inspector failed).
    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - main: the WDL file; its imports are beside it.
    ///   - inputs: the inputs as the run gets them.
    ///   - key: the content's hash (`WorkflowSources.hash` of the WDL and its imports).
    public static func inspect(main: String, inputs: [String: JSONValue]?, key: String) throws(Unavailable) -> WDLInspection {
        let inputBytes = inputs.map { JSONValue.object($0).canonicalBytes }
        let cacheKey = WorkflowSources.hash([("wdl", Array(key.utf8)), ("inputs", inputBytes ?? []), ("inspect", Array("v1".utf8))])
        let cacheFile = cacheDirectory + "/" + cacheKey + ".json"
        if let data = FileManager.default.contents(atPath: cacheFile), let known = try? JSONDecoder().decode(WDLInspection.self, from: data) {
            return known
        }
        let python: String
        switch WorkflowPython.located {
        case .success(let p): python = p
        case .failure(let e): throw Unavailable(description: "\(e)")
        }
        var arguments = ["-m", "bcops_miniwdl.inspect", main]
        var inputsFile: String?
        if let inputBytes {
            let path = NSTemporaryDirectory() + "bcops-inputs-\(cacheKey).json"
            _ = FileManager.default.createFile(atPath: path, contents: Data(inputBytes))
            inputsFile = path
            arguments += ["--inputs", path]
        }
        defer { if let inputsFile { try? FileManager.default.removeItem(atPath: inputsFile) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        // Standard error to a file, not a second pipe: a pipe read after the other would block
        // the inspector once it filled (miniwdl's warnings on a large WDL).
        let out = Pipe()
        let errorsFile = NSTemporaryDirectory() + "bcops-inspect-\(cacheKey)-\(getpid()).err"
        _ = FileManager.default.createFile(atPath: errorsFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorsFile) }
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errorsFile)
        do { try process.run() } catch { throw Unavailable(description: "cannot start \(python): \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = FileManager.default.contents(atPath: errorsFile) ?? Data()
        guard process.terminationStatus == 0, let answer = try? JSONDecoder().decode(WDLInspection.self, from: data) else {
            let said = String(decoding: errors, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            throw Unavailable(description: "miniwdl's inspection of \(main) failed: \(said)")
        }
        // A cache that cannot be written costs the next plan a Python start, nothing more.
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: cacheFile, contents: data)
        return answer
    }

    /// `$XDG_CACHE_HOME/bcops/wdl-inspect`, else `~/.cache/bcops/wdl-inspect`.
    static var cacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/bcops/wdl-inspect"
    }
}
