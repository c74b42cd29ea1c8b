import CGit2

/// A file read from a commit's tree.
public struct GitFile: Sendable, Equatable {
    /// The path relative to the repository root, `/`-separated (e.g. `jobs/render/pool.yaml`),
    /// so diagnostics point at the file as it appears in the repository.
    public var path: String
    public var bytes: [UInt8]
    /// The blob's id (hex): the same id is the same content, so a reader that kept what it made
    /// of a blob need not read it again (the controller's manifest cache).
    public var blob: String
    /// False when the caller said it already has this blob (`files(at:under:suffixes:known:)`):
    /// `bytes` is then empty and was not read.
    public var isRead: Bool

    public init(path: String, bytes: [UInt8], blob: String = "", isRead: Bool = true) {
        self.path = path
        self.bytes = bytes
        self.blob = blob
        self.isRead = isRead
    }
}

extension GitMirror {
    /// Every blob under `path` (a directory relative to the repository root; "" or "." for
    /// all) whose name ends with one of `suffixes`, in path order (bytewise), read straight from
    /// the commit's tree — no checkout, so reading never races a fetch. Symlinks and submodules
    /// are skipped. Pass `[""]` for every file. If `path` names a file, that file alone is
    /// returned when its name matches. Throws `.notFound` if `path` does not exist in that commit.
    /// - Parameter known: whether the caller already holds what it needs of the blob at a path
    ///   (path, blob id): such a file is listed with its id but its content is not read.
    public func files(at sha: String, under path: String,
                      suffixes: [String] = [".yaml", ".yml"],
                      known: @escaping (_ path: String, _ blob: String) -> Bool = { _, _ in false }) throws(GitError) -> [GitFile] {
        let repo = try handles().repo
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        var root: OpaquePointer?
        try gitCheck(git_commit_tree(&root, commit), "tree of \(sha)", notFound: .corrupt)
        defer { git_tree_free(root) }

        let components = path.split(separator: "/").filter { $0 != "." }
        if components.contains("..") {
            throw GitError(.notFound, "'\(path)' leaves the repository")
        }
        let relative = components.joined(separator: "/")
        var reader = TreeReader(repo: repo, suffixes: suffixes, known: known)
        if relative.isEmpty {
            try reader.collect(root, prefix: "")
        } else {
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, root, relative)
            if rc == GIT_ENOTFOUND.rawValue {
                throw GitError(.notFound, "'\(relative)' does not exist in commit \(sha.prefix(12))")
            }
            try gitCheck(rc, "'\(relative)' in commit \(sha.prefix(12))")
            defer { git_tree_entry_free(entry) }
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                var tree: OpaquePointer?
                try gitCheck(git_tree_lookup(&tree, repo, git_tree_entry_id(entry)), "tree '\(relative)'", notFound: .corrupt)
                defer { git_tree_free(tree) }
                try reader.collect(tree, prefix: relative + "/")
            case GIT_OBJECT_BLOB:
                try reader.add(entry, path: relative)
            default:
                throw GitError(.notFound, "'\(relative)' in commit \(sha.prefix(12)) is a submodule, not a directory")
            }
        }
        return reader.files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }
}

/// The recursive part of `files(at:under:suffixes:)`. Entries from `git_tree_entry_byindex` are
/// borrowed from their tree (not freed); trees and blobs looked up here are freed here.
private struct TreeReader {
    let repo: OpaquePointer
    let suffixes: [String]
    let known: (_ path: String, _ blob: String) -> Bool
    var files: [GitFile] = []

    mutating func collect(_ tree: OpaquePointer?, prefix: String) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let path = prefix + String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try gitCheck(git_tree_lookup(&subtree, repo, git_tree_entry_id(entry)), "tree '\(path)'", notFound: .corrupt)
                defer { git_tree_free(subtree) }
                try collect(subtree, prefix: path + "/")
            case GIT_OBJECT_BLOB:
                try add(entry, path: path)
            default:
                continue  // submodule commits
            }
        }
    }

    mutating func add(_ entry: OpaquePointer?, path: String) throws(GitError) {
        guard git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK else { return }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard suffixes.contains(where: { name.hasSuffix($0) }) else { return }
        let id = GitMirror.hex(git_tree_entry_id(entry))
        if known(path, id) {
            files.append(GitFile(path: path, bytes: [], blob: id, isRead: false))
            return
        }
        var blob: OpaquePointer?
        try gitCheck(git_blob_lookup(&blob, repo, git_tree_entry_id(entry)), "file '\(path)'", notFound: .corrupt)
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        let bytes = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_blob_rawcontent(blob), count: size))
        files.append(GitFile(path: path, bytes: bytes, blob: id))
    }
}
