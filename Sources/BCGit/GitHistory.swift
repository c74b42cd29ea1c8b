import CGit2
import Foundation

/// One commit, as the controller shows it next to a sync ("synced abc1234 'Add render pool' by …").
public struct GitCommitInfo: Sendable, Equatable {
    /// The full 40-hex commit id.
    public var sha: String
    /// The first paragraph of the message, on one line.
    public var summary: String
    /// `Name <email>`.
    public var author: String
    /// The author time.
    public var time: Date

    public init(sha: String, summary: String, author: String, time: Date) {
        self.sha = sha
        self.summary = summary
        self.author = author
        self.time = time
    }
}

extension GitMirror {
    /// Whether `ancestor` is an ancestor of (or equal to) `descendant` — a force-push moves a
    /// branch to a commit that does not descend from the previous one, which the controller
    /// reports instead of silently syncing "backwards". Both commits must be in the mirror
    /// (fetches never delete objects, so a previously synced commit stays).
    public func isAncestor(_ ancestor: String, of descendant: String) throws(GitError) -> Bool {
        let repo = try handles().repo
        let a = try lookupCommit(ancestor)
        defer { git_commit_free(a) }
        let d = try lookupCommit(descendant)
        defer { git_commit_free(d) }
        let aid = git_commit_id(a), did = git_commit_id(d)
        if git_oid_equal(aid, did) != 0 { return true }
        let rc = git_graph_descendant_of(repo, did, aid)
        try gitCheck(rc, "ancestry of \(ancestor) and \(descendant)", notFound: .corrupt)
        return rc == 1
    }

    /// The id, summary, author and author time of a commit (a full id or an unambiguous prefix).
    public func info(_ sha: String) throws(GitError) -> GitCommitInfo {
        let commit = try lookupCommit(sha)
        defer { git_commit_free(commit) }
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        var author = ""
        var time = Date(timeIntervalSince1970: 0)
        if let signature = git_commit_author(commit)?.pointee {
            let name = signature.name.map { String(cString: $0) } ?? ""
            let email = signature.email.map { String(cString: $0) } ?? ""
            author = email.isEmpty ? name : "\(name) <\(email)>"
            time = Date(timeIntervalSince1970: TimeInterval(signature.when.time))
        }
        return GitCommitInfo(sha: Self.hex(git_commit_id(commit)), summary: summary, author: author, time: time)
    }

    /// Looks up a commit by full id or unique prefix (4+ hex digits). The caller frees it.
    /// A commit that is not in the mirror is `.notFound`.
    func lookupCommit(_ sha: String) throws(GitError) -> OpaquePointer {
        let repo = try handles().repo
        let length = sha.utf8.count
        guard (4...Int(GIT_OID_HEXSZ)).contains(length), sha.utf8.allSatisfy(\.isHexDigit) else {
            throw GitError(.notFound, "'\(sha)' is not a commit id")
        }
        var oid = git_oid()
        try gitCheck(git_oid_fromstrn(&oid, sha, length), "commit id '\(sha)'")
        var commit: OpaquePointer?
        let rc = length == Int(GIT_OID_HEXSZ)
            ? git_commit_lookup(&commit, repo, &oid)
            : git_commit_lookup_prefix(&commit, repo, &oid, length)
        try gitCheck(rc, "commit \(sha)")
        guard let commit else { throw GitError(.notFound, "commit \(sha): not found") }
        return commit
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
