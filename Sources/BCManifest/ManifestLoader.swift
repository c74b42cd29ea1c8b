import BCModel
import Foundation

/// A manifest together with where it came from.
public struct LoadedManifest: Sendable {
    public var manifest: Manifest
    public var file: String
    /// The document's root node, for locating problems found after decoding: the tree kept
    /// since decoding, or the document parsed again from its file's bytes (`FileText`) by a
    /// manifest kept without its tree.
    public var root: YAMLNode {
        switch tree {
        case .node(let node): node
        // The same bytes parse to the same documents; were one missing, problems land on the document's start.
        case .text(let text): text.root(ofDocument: documentIndex) ?? YAMLNode(.scalar("", .plain), start: start, end: start)
        }
    }
    /// Where the document starts (the line of "first defined at file:line").
    public var start: SourceMark
    public var documentIndex: Int
    /// Fields that failed to decode; they hold placeholders and must not be trusted.
    public var structuralProblems: [FieldPath] = []
    /// What `ManifestLoader.prepare` made of the manifest on the thread that loaded it; nil
    /// when there is no `prepare` or the document has a problem.
    public var prepared: (any Sendable)? = nil

    /// Whether the manifest decoded without any structural problem.
    public var isComplete: Bool { structuralProblems.isEmpty }

    private enum Tree: Sendable {
        case node(YAMLNode)
        case text(FileText)
    }

    private var tree: Tree

    public init(manifest: Manifest, file: String, root: YAMLNode, documentIndex: Int, structuralProblems: [FieldPath] = [],
                prepared: (any Sendable)? = nil) {
        self.manifest = manifest
        self.file = file
        self.tree = .node(root)
        self.start = root.start
        self.documentIndex = documentIndex
        self.structuralProblems = structuralProblems
        self.prepared = prepared
    }

    /// The same manifest without its tree: `root` parses `text` (the bytes it was decoded
    /// from) again when asked. A cache of thousands of manifests holds their files' bytes
    /// instead of their trees (several times the bytes' size).
    public func parsingAgain(from text: FileText) -> LoadedManifest {
        var m = self
        m.tree = .text(text)
        return m
    }
}

/// A manifest file's bytes, from which its documents are parsed again when a problem must be
/// located in one (`LoadedManifest.root`). The documents parsed are kept until `forget()`, so
/// many problems in one file parse it once.
public final class FileText: @unchecked Sendable {
    public let bytes: [UInt8]
    private let lock = NSLock()
    private var roots: [YAMLNode]?

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Document `index` (as `ManifestLoader` counts them: every document of the stream) of
    /// the file, parsed as when it was decoded; nil if the stream holds no such document.
    public func root(ofDocument index: Int) -> YAMLNode? {
        lock.lock()
        defer { lock.unlock() }
        if roots == nil {
            var parsed: [YAMLNode] = []
            let composer = YAMLComposer(bytes: bytes)
            // A stream that fails part-way holds the documents before the failure, as when decoded.
            while let d = try? composer.nextDocument() { parsed.append(d.root) }
            roots = parsed
        }
        guard let roots, roots.indices.contains(index) else { return nil }
        return roots[index]
    }

    /// Drops the documents parsed so far (they are parsed again if asked for).
    public func forget() {
        lock.lock()
        roots = nil
        lock.unlock()
    }
}

/// Everything found in the input: the manifests that decoded, and every problem.
public struct LoadResult: Sendable {
    public var manifests: [LoadedManifest] = []
    public var diagnostics: [Diagnostic] = []
    public var files: [String] = []
    public var documentCount = 0

    public var isValid: Bool { diagnostics.isEmpty }

    public init() {}
}

/// Reads manifests from files and directory trees and validates them as one set.
public struct ManifestLoader: Sendable {
    public var context: ValidationContext
    /// Which typed-decoding path to use; tests compare both.
    public var reading: ManifestDecoder.Reading
    /// Files loaded at once; nil uses every core.
    public var threads: Int?
    /// Run on every manifest that decoded without a problem, on the thread that loaded its
    /// file, right after decoding it (`LoadedManifest.prepared`): bcplan lowers manifests
    /// there, while their file's nodes are still in cache and on every loading core, instead
    /// of in a pass of its own afterwards.
    public var prepare: (@Sendable (Manifest) -> (any Sendable)?)?
    /// Called by `load(paths:)` once every file is loaded without a problem, with the
    /// manifests and the files, before the set is checked (references, names: ~15 ms for
    /// 10,000 manifests): bcplan goes on planning there, on the other core, and keeps the
    /// plan if the set is valid.
    public var loaded: (@Sendable (_ manifests: [LoadedManifest], _ files: [String]) -> Void)?

    public init(context: ValidationContext = .init(), reading: ManifestDecoder.Reading = .direct, threads: Int? = nil,
                prepare: (@Sendable (Manifest) -> (any Sendable)?)? = nil,
                loaded: (@Sendable (_ manifests: [LoadedManifest], _ files: [String]) -> Void)? = nil) {
        self.context = context
        self.reading = reading
        self.threads = threads
        self.prepare = prepare
        self.loaded = loaded
    }

    /// Loads files and directories (recursively: `*.yaml`, `*.yml`; hidden entries are skipped).
    public func load(paths: [String]) -> LoadResult {
        var result = LoadResult()
        var files: [String] = []
        for path in paths {
            switch ManifestLoader.expand(path) {
            case .success(let found): files.append(contentsOf: found)
            case .failure(let message): result.diagnostics.append(Diagnostic(file: path, mark: nil, message: message))
            }
        }
        result.files = files
        for part in loadFiles(files) {
            result.manifests.append(contentsOf: part.manifests)
            result.diagnostics.append(contentsOf: part.diagnostics)
            result.documentCount += part.documentCount
        }
        if result.diagnostics.isEmpty { loaded?(result.manifests, result.files) }
        finish(&result)
        return result
    }

    /// Reads and decodes files on every core; each file is independent until `finish`
    /// checks the set, so results are merged back in file order. Each worker takes the next
    /// file not yet taken: with every other file given to each worker up front, a worker
    /// that shared its core (with bcplan's inventory, or the engine answering it) finished up
    /// to 70 ms after the other, which had nothing left to do.
    private func loadFiles(_ files: [String]) -> [LoadResult] {
        let parts = UnsafeMutableBufferPointer<LoadResult>.allocate(capacity: files.count)
        parts.initialize(repeating: LoadResult())
        defer { parts.deinitialize(); parts.deallocate() }
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, files.count / 8))
        nonisolated(unsafe) let shared = parts
        let next = FileCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: files.count) {
                var part = LoadResult()
                switch ManifestLoader.read(files[i]) {
                case .success(let bytes): load(bytes: bytes, file: files[i], into: &part)
                case .failure(let message): part.diagnostics.append(Diagnostic(file: files[i], mark: nil, message: message))
                }
                shared[i] = part
            }
        }
        return Array(parts)
    }

    /// The next file to load, shared by the workers.
    private final class FileCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0

        func take(below count: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Loads in-memory files as one set, as if they were files with those names: what the
    /// controller reads from a commit's tree, with no working copy.
    public func load(sources: [(name: String, bytes: [UInt8])]) -> LoadResult {
        assemble(sources.map { loadFile(bytes: $0.bytes, name: $0.name) })
    }

    /// One file read and decoded on its own, not yet checked as part of a set: what depends on
    /// that file's bytes alone, so a caller may keep it for as long as the file is unchanged
    /// (the controller keeps it per git blob) and `assemble` it with the other files.
    public func loadFile(bytes: [UInt8], name: String) -> LoadResult {
        var part = LoadResult()
        part.files = [name]
        load(bytes: bytes, file: name, into: &part)
        return part
    }

    /// Files loaded by `loadFile`, in order, checked as one set (names, references across
    /// files, files a manifest names): the same result as loading them together.
    public func assemble(_ parts: [LoadResult]) -> LoadResult {
        var result = LoadResult()
        result.files.reserveCapacity(parts.count)
        result.manifests.reserveCapacity(parts.reduce(0) { $0 + $1.manifests.count })
        for part in parts {
            result.files += part.files
            result.manifests += part.manifests
            result.diagnostics += part.diagnostics
            result.documentCount += part.documentCount
        }
        finish(&result)
        return result
    }

    /// Loads one in-memory stream, as if it were the file `name`.
    public func load(bytes: [UInt8], name: String) -> LoadResult {
        var result = LoadResult()
        result.files = [name]
        load(bytes: bytes, file: name, into: &result)
        finish(&result)
        return result
    }

    private func finish(_ result: inout LoadResult) {
        let manifests = result.manifests
        let locations: (Int) -> String = { i in "\(manifests[i].file):\(manifests[i].start.line)" }
        for finding in ManifestSetValidator.validate(manifests.map(\.manifest), context: context, locations: locations) {
            let m = manifests[finding.manifestIndex]
            // A reference held in a field that did not decode is a placeholder, not the user's value.
            if m.structuralProblems.contains(where: { finding.diagnostic.path.hasPrefix($0) || $0 == "metadata.name" }) { continue }
            result.diagnostics.append(Diagnostic(file: m.file, mark: m.root.mark(for: finding.diagnostic),
                                                 address: m.manifest.address, field: finding.diagnostic.path,
                                                 message: finding.diagnostic.message))
        }
        checkReferencedFiles(&result)
        result.diagnostics.sort()
    }

    /// WorkflowRun files (workflow, inputsFile) live in the repository beside the manifest.
    private func checkReferencedFiles(_ result: inout LoadResult) {
        var known: [String: Bool] = [:]
        func exists(_ path: String) -> Bool {
            if let k = known[path] { return k }
            let e = FileManager.default.fileExists(atPath: path)
            known[path] = e
            return e
        }
        for i in result.manifests.indices where result.manifests[i].manifest.kind == .WorkflowRun {
            let m = result.manifests[i]
            guard let run = m.manifest.spec as? WorkflowRunSpec, exists(m.file) else { continue }
            let dir = (m.file as NSString).deletingLastPathComponent
            var refs: [(FieldPath, String)] = []
            if !run.workflow.contains("://") { refs.append(("spec.workflow", run.workflow)) }
            if let f = run.inputsFile { refs.append(("spec.inputsFile", f)) }
            if let f = run.optionsFile { refs.append(("spec.optionsFile", f)) }
            for (field, rel) in refs where !rel.hasPrefix("/") {
                let full = dir.isEmpty ? rel : dir + "/" + rel
                if !exists(full) {
                    result.diagnostics.append(Diagnostic(file: m.file, mark: m.root.locate(field).start, address: m.manifest.address,
                                                         field: field, message: "file \"\(rel)\" does not exist (looked for \(full))"))
                } else if rel.hasSuffix(".json"), let problem = ManifestLoader.jsonProblem(atPath: full) {
                    result.diagnostics.append(Diagnostic(file: m.file, mark: m.root.locate(field).start, address: m.manifest.address,
                                                         field: field, message: "file \"\(rel)\" is not a JSON object: \(problem)"))
                }
            }
        }
    }

    func load(bytes: [UInt8], file: String, into result: inout LoadResult) {
        func fail(_ p: YAMLProblem) { result.diagnostics.append(Diagnostic(file: file, mark: p.mark, message: p.message)) }
        if bytes.count > SourceFile.maxFileBytes {
            result.diagnostics.append(Diagnostic(file: file, mark: nil, message: "file is \(bytes.count) bytes; the limit is \(SourceFile.maxFileBytes)"))
            return
        }
        if let p = SourceFile.encodingProblem(bytes) { fail(p); return }
        if SourceFile.isBlank(bytes) {
            result.diagnostics.append(Diagnostic(file: file, mark: SourceMark(line: 1, column: 1), message: bytes.isEmpty
                ? "file is empty; a manifest file needs at least one document"
                : "file holds no YAML documents (only comments or blank lines)"))
            return
        }
        let composer = YAMLComposer(bytes: bytes)
        var index = 0
        while true {
            let document: YAMLDocument
            do {
                guard let d = try composer.nextDocument() else { break }
                document = d
            } catch { fail(error); break }
            defer { index += 1 }
            if document.root.isNull && document.problems.isEmpty { continue }
            result.documentCount += 1
            if document.end.index - document.start.index > SourceFile.maxDocumentBytes {
                result.diagnostics.append(Diagnostic(file: file, mark: document.start,
                    message: "document is larger than \(SourceFile.maxDocumentBytes) characters; split it"))
                continue
            }
            let decoded = ManifestDecoder.decode(document.root, file: file, context: context, reading: reading)
            for p in document.problems {
                result.diagnostics.append(Diagnostic(file: file, mark: p.mark, address: decoded.address, message: p.message))
            }
            result.diagnostics.append(contentsOf: decoded.diagnostics)
            if let manifest = decoded.manifest {
                let clean = decoded.diagnostics.isEmpty && document.problems.isEmpty && decoded.structuralProblems.isEmpty
                result.manifests.append(LoadedManifest(manifest: manifest, file: file, root: document.root, documentIndex: index,
                                                       structuralProblems: decoded.structuralProblems,
                                                       prepared: clean ? prepare?(manifest) : nil))
            }
        }
    }

    /// Why a workflow inputs or options file cannot be used, if it cannot.
    static func jsonProblem(atPath path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return "cannot read it" }
        do {
            guard try JSONSerialization.jsonObject(with: data) is [String: Any] else { return "the top level must be an object" }
            return nil
        } catch {
            let nsError = error as NSError
            return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "invalid JSON"
        }
    }

    enum Found { case success([String]), failure(String) }

    static func expand(_ path: String) -> Found {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return .failure("no such file or directory")
        }
        guard isDir.boolValue else { return .success([path]) }
        var files: [String] = []
        walk(path, into: &files)
        return .success(files.sorted())
    }

    private static func walk(_ dir: String, into files: inout [String]) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let full = dir.hasSuffix("/") ? dir + entry : dir + "/" + entry
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                walk(full, into: &files)
            } else if entry.hasSuffix(".yaml") || entry.hasSuffix(".yml") {
                files.append(full)
            }
        }
    }

    enum ReadResult { case success([UInt8]), failure(String) }

    static func read(_ file: String) -> ReadResult {
        guard let handle = FileHandle(forReadingAtPath: file) else { return .failure("cannot open file") }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: SourceFile.maxFileBytes + 1) ?? Data()
            return .success([UInt8](data))
        } catch {
            return .failure("cannot read file: \(error.localizedDescription)")
        }
    }
}
