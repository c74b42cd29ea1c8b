import BCAPI
import BCModel
import Foundation

/// Reads a WorkflowRun's files beside its manifest (the WDL, what it imports, the inputs and
/// options files) and makes the bundle bcapply stages. The only I/O of a WorkflowRun's plan.
public enum WorkflowSources {
    /// A problem with one of the files, located at the manifest field that names it.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var field: FieldPath
        public var message: String
        public var description: String { message }
    }

    /// Every problem that stops a run from being planned.
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public var all: [Problem]
        public var description: String { all.map(\.message).joined(separator: "; ") }
    }

    /// Staged objects live under the outputs bucket's `bcops/workflows/`.
    static func stagingPrefix(_ spec: WorkflowRunSpec) -> String {
        "oss://\(bucket(of: spec.outputsDir))/bcops/workflows/"
    }

    static func bucket(of url: String) -> Substring {
        url.dropFirst("oss://".count).prefix { $0 != "/" }
    }

    /// A run's files as read once per plan: the WDL with its imports (none for an `oss://`
    /// workflow), and the inputs.
    struct Read {
        var directory: String
        /// The WDL's local path, when it is beside the manifest.
        var main: String?
        var files: [(relative: String, bytes: [UInt8])]
        var inputs: [String: JSONValue]?
    }

    static func read(_ spec: WorkflowRunSpec, manifestFile: String) throws(Problem) -> Read {
        let directory = (manifestFile as NSString).deletingLastPathComponent
        let root = FieldPath.root / "spec"
        var main: String?
        var files: [(relative: String, bytes: [UInt8])] = []
        if spec.workflow.hasPrefix("http://") || spec.workflow.hasPrefix("https://") {
            throw Problem(field: root / "workflow", message: "workflow \(spec.workflow): the runner reads WDL from OSS; keep the file in the repository (or upload it with bcctl oss cp and name its oss:// URL)")
        } else if !spec.workflow.hasPrefix("oss://") {
            main = (directory as NSString).appendingPathComponent(spec.workflow)
            files = try wdlClosure(main: main!, field: root / "workflow")
        }
        let inputs = try json(inline: spec.inputs, file: spec.inputsFile, directory: directory, field: root / "inputsFile", what: "inputs")
        return Read(directory: directory, main: main, files: files, inputs: inputs)
    }

    /// - Parameter manifestFile: the manifest's path; relative files are read beside it.
    public static func bundle(_ spec: WorkflowRunSpec, manifestFile: String) throws(Problems) -> WorkflowBundle {
        do {
            let sources = try read(spec, manifestFile: manifestFile)
            let (findings, inspection) = WorkflowChecks.inspected(spec, sources)
            let errors = findings.filter(\.isError)
            guard errors.isEmpty else { throw Problems(all: errors.map { Problem(field: $0.field, message: $0.message) }) }
            var bundle = try staged(spec, sources)
            bundle.notes = findings.map { "\($0.field): \($0.message)" }
            bundle.workflowName = inspection?.workflow
            return bundle
        } catch let problems as Problems {
            throw problems
        } catch let problem as Problem {
            throw Problems(all: [problem])
        } catch {
            throw Problems(all: [Problem(field: FieldPath.root / "spec" / "workflow", message: "\(error)")])
        }
    }

    /// The staged objects and the names the runner reads them by.
    static func staged(_ spec: WorkflowRunSpec, _ sources: Read) throws(Problem) -> WorkflowBundle {
        let prefix = stagingPrefix(spec)
        var staged: [StagedObject] = []
        let spec_ = FieldPath.root / "spec"
        let workflow: String
        if let main = sources.main {
            let digest = hash(sources.files.map { ($0.relative, $0.bytes) })
            let base = prefix + digest + "/"
            staged += sources.files.map { StagedObject(url: base + $0.relative, bytes: $0.bytes) }
            workflow = base + (main as NSString).lastPathComponent
        } else {
            workflow = spec.workflow
        }
        let directory = sources.directory, inputs = sources.inputs
        var options = try json(inline: spec.options, file: spec.optionsFile, directory: directory, field: spec_ / "optionsFile", what: "options") ?? [:]
        options = WorkflowOptions.merged(options, spec: spec)
        var inputsURL: String?
        if let inputs {
            let bytes = JSONValue.object(inputs).canonicalBytes
            inputsURL = prefix + "inputs/" + hash([("inputs", bytes)]) + ".json"
            staged.append(StagedObject(url: inputsURL!, bytes: bytes))
        }
        var optionsURL: String?
        if !options.isEmpty {
            let bytes = JSONValue.object(options).canonicalBytes
            optionsURL = prefix + "options/" + hash([("options", bytes)]) + ".json"
            staged.append(StagedObject(url: optionsURL!, bytes: bytes))
        }
        return WorkflowBundle(workflow: workflow, inputs: inputsURL, options: optionsURL, staged: staged)
    }

    /// The WDL and every file it imports, recursively, as paths relative to the WDL's directory.
    /// Imports may not leave that directory: the runner finds them beside the staged WDL.
    static func wdlClosure(main: String, field: FieldPath) throws(Problem) -> [(relative: String, bytes: [UInt8])] {
        let root = (main as NSString).deletingLastPathComponent
        var out: [(String, [UInt8])] = []
        var seen = Set<String>()
        var pending: [(relative: String, importer: String?)] = [((main as NSString).lastPathComponent, nil)]
        while let (relative, importer) = pending.popLast() {
            guard seen.insert(relative).inserted else { continue }
            let path = (root as NSString).appendingPathComponent(relative)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Problem(field: field, message: "cannot read \(path)" + (importer.map { " (imported by \($0))" } ?? ""))
            }
            let bytes = Array(data)
            out.append((relative, bytes))
            let here = (relative as NSString).deletingLastPathComponent
            for imported in WDLImports.paths(in: String(decoding: bytes, as: UTF8.self)) where !imported.contains("://") {
                let joined = here.isEmpty ? imported : (here as NSString).appendingPathComponent(imported)
                let normalized = (joined as NSString).standardizingPath
                if normalized.hasPrefix("../") || normalized == ".." || normalized.hasPrefix("/") {
                    throw Problem(field: field, message: "\(relative) imports \"\(imported)\", outside the workflow's directory; keep imports beside the WDL or below it")
                }
                pending.append((normalized, relative))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static func json(inline: [String: JSONValue]?, file: String?, directory: String, field: FieldPath, what: String) throws(Problem) -> [String: JSONValue]? {
        if let inline { return inline }
        guard let file else { return nil }
        let path = (directory as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(field: field, message: "cannot read \(path)") }
        do {
            guard let object = try JSONValue.parse(Array(data)).objectValue else {
                throw Problem(field: field, message: "\(file): the \(what) must be a JSON object")
            }
            return object
        } catch let p as Problem { throw p } catch {
            throw Problem(field: field, message: "\(file) is not JSON: \(error)")
        }
    }

    /// 16 bytes of SHA-256 over named parts, in hex: names of staged objects.
    static func hash(_ parts: [(String, [UInt8])]) -> String {
        var message: [UInt8] = []
        for (name, bytes) in parts {
            message += Array(name.utf8)
            message.append(0)
            message += Array(String(bytes.count).utf8)
            message.append(0)
            message += bytes
        }
        return FieldHasher.hex(HMACDigest.sha256.mac(key: Array("bcops workflow sources v1".utf8), message: message).prefix(16))
    }
}

/// `import "lib/tasks.wdl" as tasks`: the quoted paths of a WDL document's import statements.
enum WDLImports {
    static func paths(in source: String) -> [String] {
        var out: [String] = []
        for line in source.split(whereSeparator: \.isNewline) {
            let t = line.drop { $0 == " " || $0 == "\t" }
            guard t.hasPrefix("import"), t.dropFirst(6).first.map({ $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" }) == true else { continue }
            let rest = t.dropFirst(6).drop { $0 == " " || $0 == "\t" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else { continue }
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else { continue }
            out.append(String(body[..<end]))
        }
        return out
    }
}
