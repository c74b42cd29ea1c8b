import BCManifest
import BCModel
import Foundation

/// Which workspace a plan is for, and where that came from: the plan's header says both.
public struct WorkspaceChoice: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// `-workspace NAME`.
        case flag
        /// `$BCOPS_WORKSPACE`.
        case environment
        /// A settings file (`DIR/.bcops/settings.yaml`).
        case settings(file: String)
        /// None of them: `default`. `looked` are the settings files that were looked for.
        case builtInDefault(looked: [String])
    }

    public var name: String
    public var source: Source
    /// Settings files that name another workspace than the one chosen (a flag or the
    /// environment won over them): the header says so, in case that was not meant.
    public var overridden: [(file: String, name: String)] = []

    public init(name: String, source: Source, overridden: [(file: String, name: String)] = []) {
        self.name = name
        self.source = source
        self.overridden = overridden
    }

    public static func == (a: WorkspaceChoice, b: WorkspaceChoice) -> Bool {
        a.name == b.name && a.source == b.source && a.overridden.map { "\($0.file)=\($0.name)" } == b.overridden.map { "\($0.file)=\($0.name)" }
    }

    /// Where the name came from, in the header's words: `from -workspace`, `from
    /// BCOPS_WORKSPACE`, `from examples/render-farm/.bcops/settings.yaml`, or why it is `default`.
    public var origin: String {
        var text: String
        switch source {
        case .flag: text = "from -workspace"
        case .environment: text = "from \(WorkspaceSettings.environmentVariable)"
        case .settings(let file): text = "from \(file)"
        case .builtInDefault(let looked):
            let files = looked.isEmpty ? WorkspaceSettings.fileName : looked.joined(separator: ", ")
            text = "the default: no -workspace, no \(WorkspaceSettings.environmentVariable), no \(files)"
        }
        for o in overridden { text += "; \(o.file) says \(o.name)" }
        return text
    }
}

/// A directory's workspace setting, the way `.terraform` and a backend block tell Terraform
/// which state a directory's configuration belongs to: `DIR/.bcops/settings.yaml`,
///
/// ```yaml
/// workspace: render-farm
/// ```
///
/// It sits beside `.bcops/instance-types.yaml` and, like everything hidden, is never read as a
/// manifest. Precedence: `-workspace` > `$BCOPS_WORKSPACE` > the settings file > `default`.
public enum WorkspaceSettings {
    /// The file inside a manifests directory.
    public static let fileName = ".bcops/settings.yaml"
    public static let environmentVariable = "BCOPS_WORKSPACE"
    public static let defaultName = "default"
    /// The settings a file may hold.
    public static let keys = ["workspace"]

    /// A broken settings file, or directories that disagree: the message is the whole error.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Workspace names: what the engine's lock and inventory accept.
    public static func isValidName(_ name: String) -> Bool {
        name.range(of: #"^[A-Za-z0-9_.-]{1,63}$"#, options: .regularExpression) != nil
    }

    public static let nameRule = "1 to 63 letters, digits, '.', '_' or '-'"

    /// `DIR/.bcops/settings.yaml`, as people write it (`.bcops/settings.yaml` for `.`).
    public static func path(in directory: String) -> String {
        directory == "." || directory == "./" ? fileName : (directory.hasSuffix("/") ? directory : directory + "/") + fileName
    }

    /// The settings file of `directory`: nil when there is none; its workspace (nil when it
    /// sets none); problems located `path:line:col: field: message`.
    public static func read(directory: String) throws(Problem) -> (file: String, workspace: String?)? {
        let file = path(in: directory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else { throw Problem(description: "\(file): cannot read the settings file") }
        return (file, try parse(Array(data), file: file))
    }

    /// The workspace a settings file's bytes name, if any.
    public static func parse(_ bytes: [UInt8], file: String) throws(Problem) -> String? {
        func problem(_ mark: SourceMark?, _ field: String?, _ message: String) -> Problem {
            Problem(description: Diagnostic(file: file, mark: mark, field: field.map { FieldPath(stringLiteral: $0) }, message: message).description)
        }
        if let p = SourceFile.encodingProblem(bytes) { throw problem(p.mark, nil, p.message) }
        let document: YAMLDocument?
        do { document = try YAMLComposer(bytes: bytes).nextDocument() } catch { throw problem(error.mark, nil, error.message) }
        guard let root = document?.root, !root.isNull else { return nil }  // empty, or comments only
        if let p = document?.problems.first { throw problem(p.mark, nil, p.message) }
        guard let pairs = root.pairs else {
            throw problem(root.start, nil, "expected a mapping such as \"workspace: render-farm\", got \(root.kindDescription)")
        }
        var workspace: String?
        for pair in pairs {
            let key = pair.key.scalar ?? ""
            guard key == "workspace" else {
                throw problem(pair.key.start, key, "unknown setting \"\(key)\"\(Suggestions.hint(for: key, in: keys)); the settings are: \(keys.joined(separator: ", "))")
            }
            guard case .scalar(let value, _) = pair.value.content, !pair.value.isNull else {
                throw problem(pair.value.start, key, "expected a workspace name, got \(pair.value.kindDescription)")
            }
            guard isValidName(value) else {
                throw problem(pair.value.start, key, "\"\(value)\" is not a workspace name: \(nameRule)")
            }
            workspace = value
        }
        return workspace
    }

    /// The workspace for manifests in `directories` (the paths given that are directories),
    /// by precedence: `flag`, then `$BCOPS_WORKSPACE`, then their settings files (which must
    /// agree), then `default`.
    public static func resolve(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               directories: [String]) throws(Problem) -> WorkspaceChoice {
        var found: [(file: String, name: String)] = []
        var looked: [String] = []
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            looked.append(path(in: directory))
            if let read = try read(directory: directory), let name = read.workspace, !found.contains(where: { $0.file == read.file }) {
                found.append((read.file, name))
            }
        }
        func others(than name: String) -> [(file: String, name: String)] { found.filter { $0.name != name } }
        if let flag, !flag.isEmpty {
            guard isValidName(flag) else { throw Problem(description: "-workspace \(flag): a workspace name is \(nameRule)") }
            return WorkspaceChoice(name: flag, source: .flag, overridden: others(than: flag))
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            guard isValidName(env) else { throw Problem(description: "\(environmentVariable)=\(env): a workspace name is \(nameRule)") }
            return WorkspaceChoice(name: env, source: .environment, overridden: others(than: env))
        }
        guard let first = found.first else { return WorkspaceChoice(name: defaultName, source: .builtInDefault(looked: looked)) }
        let disagreeing = others(than: first.name)
        guard disagreeing.isEmpty else {
            let listed = found.map { "\($0.file) says \($0.name)" }.joined(separator: ", ")
            throw Problem(description: "the directories given belong to different workspaces (\(listed)): plan them one at a time, or choose one with -workspace NAME")
        }
        return WorkspaceChoice(name: first.name, source: .settings(file: first.file))
    }
}
