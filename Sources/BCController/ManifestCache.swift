import BCGit
import BCManifest
import BCPlan
import Foundation

/// What the controller made of each manifest file of the last revision it read, per path and
/// git blob: the file decoded and its manifests lowered to API terms. Git says what a commit
/// changed (an unchanged blob id is an unchanged file), so a new revision reads, decodes and
/// lowers only the files whose blob moved; the others are taken as kept. The set is still
/// checked whole every time (`ManifestLoader.assemble`: names, references across files), so
/// a change that breaks a reference held in an unchanged file is caught as on a cold load, and
/// the result is the one `ManifestLoader().load(sources:)` gives for the same files.
///
/// A file's part depends on its bytes and its path alone (diagnostics name the path), so the
/// key is both: a renamed file is read again.
struct ManifestCache: Sendable {
    struct Key: Hashable, Sendable {
        var path: String
        var blob: String
    }

    /// A file's part (`ManifestLoader.loadFile`) whose manifests are kept without their YAML
    /// trees (several times the file's size, for 10,000 manifests tens of MiB): they parse
    /// `text`, the file's bytes, again when a problem must be located in them.
    struct Part: Sendable {
        var result: LoadResult
        var text: FileText
    }

    /// Each file's part, for the files of the last revision read only.
    private(set) var parts: [Key: Part] = [:]
    /// Lowers each clean manifest as it is decoded, kept with its file (`PlanPipeline.keep`).
    let loader = ManifestLoader(prepare: PlanPipeline.keep)

    /// The files whose part is kept (given to `GitSource.snapshot` so it does not read them).
    var known: Set<Key> { Set(parts.keys) }

    /// A revision's manifests, and how many files were taken as kept and how many were read.
    struct Loaded: Sendable {
        var result: LoadResult
        var reused: Int
        var read: Int
    }

    /// Loads a revision's files: kept parts for unchanged blobs, the others decoded on every
    /// core; then the whole set checked. The cache keeps this revision's files and no others,
    /// so it holds one revision's worth at most.
    mutating func load(_ files: [GitFile]) -> Loaded {
        let keys = files.map { Key(path: $0.path, blob: $0.blob) }
        var out = [Part?](repeating: nil, count: files.count)
        var missing: [Int] = []
        for i in files.indices {
            if !files[i].blob.isEmpty, let kept = parts[keys[i]] {
                // Trees parsed again for the last revision's problems are not kept another revision.
                kept.text.forget()
                out[i] = kept
            } else {
                missing.append(i)
            }
        }
        let decoded = decode(missing.map { files[$0] })
        for (n, i) in missing.enumerated() { out[i] = decoded[n] }
        var next: [Key: Part] = [:]
        next.reserveCapacity(files.count)
        for i in files.indices where !files[i].blob.isEmpty { next[keys[i]] = out[i]! }
        parts = next
        return Loaded(result: loader.assemble(out.map { $0!.result }), reused: files.count - missing.count, read: missing.count)
    }

    /// Decodes files on every core (each file is independent until the set is checked).
    private func decode(_ files: [GitFile]) -> [Part] {
        guard !files.isEmpty else { return [] }
        let results = UnsafeMutableBufferPointer<Part>.allocate(capacity: files.count)
        results.initialize(repeating: Part(result: LoadResult(), text: FileText(bytes: [])))
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let shared = results
        let loader = self.loader
        DispatchQueue.concurrentPerform(iterations: files.count) { i in
            let file = files[i]
            let text = FileText(bytes: file.bytes)
            var part = LoadResult()
            if file.isRead {
                part = loader.loadFile(bytes: file.bytes, name: file.path)
                part.manifests = part.manifests.map { $0.parsingAgain(from: text) }
            } else {
                // Listed as known but not kept: the caller's known set and this cache disagree.
                part.files = [file.path]
                part.diagnostics = [Diagnostic(file: file.path, mark: nil, message: "blob \(file.blob) was not read; reconcile again")]
            }
            shared[i] = Part(result: part, text: text)
        }
        return Array(results)
    }
}
