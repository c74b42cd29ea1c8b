import BCGit
import Foundation

/// The tracked repository: a bare mirror fetched with libgit2 and read at a commit, confined
/// to this actor (a libgit2 repository handle must not be shared between threads).
public actor GitSource {
    public struct Snapshot: Sendable {
        public var revision: String
        public var summary: String
        /// Each manifest file with its blob id; a file the caller said it knows is not read.
        public var files: [GitFile]
    }

    let url: String
    let directory: String
    let credentials: GitCredentials?
    private var mirror: GitMirror?
    private var fetches = 0

    public init(url: String, directory: String, credentials: GitCredentials?) {
        self.url = url
        self.directory = directory
        self.credentials = credentials
    }

    /// Fetches (cloning first if needed, re-cloning a corrupt mirror); the seconds it took.
    public func fetch() throws(GitError) -> Double {
        let started = Date()
        let m = try open()
        do {
            try m.fetch()
        } catch let e where e.reason == .corrupt {
            try m.reclone()
        }
        // A full check reads every tree: on the first fetch and every 20th after, not each time.
        if fetches % 20 == 0, !m.verify() { try m.reclone() }
        fetches += 1
        return Date().timeIntervalSince(started)
    }

    public func head(branch: String) throws(GitError) -> String { try open().head(branch: branch) }

    public func isAncestor(_ a: String, of b: String) throws(GitError) -> Bool { try open().isAncestor(a, of: b) }

    /// The manifests under `path` at `revision`, named by their path in the repository.
    /// - Parameter known: files (path, blob id) the caller already holds: listed, not read.
    public func snapshot(_ revision: String, path: String, known: @escaping @Sendable (_ path: String, _ blob: String) -> Bool = { _, _ in false }) throws(GitError) -> Snapshot {
        let m = try open()
        // Hidden entries (.github/, .gitlab-ci.yml) are not manifests, as for bcplan on a directory.
        let files = try m.files(at: revision, under: path, known: known).filter { file in
            !file.path.split(separator: "/").contains { $0.hasPrefix(".") }
        }
        let summary = (try? m.info(revision).summary) ?? ""
        return Snapshot(revision: revision, summary: summary, files: files)
    }

    private func open() throws(GitError) -> GitMirror {
        if let mirror { return mirror }
        let m = try GitMirror(url: url, directory: directory, credentials: credentials)
        mirror = m
        return m
    }
}
