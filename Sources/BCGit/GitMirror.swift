import CGit2
import Foundation

/// A bare mirror of one remote repository in a directory the controller owns, fetched with
/// libgit2 and read without a working copy.
///
/// **Not Sendable:** a libgit2 repository handle, and everything derived from it, must not be
/// used from two threads at once. Confine an instance to one actor or thread; open a second
/// mirror on the same directory for another thread if it only reads.
///
/// **One remote for the life of the handle.** Debian's libgit2 1.5.1 leaks ~100 KB in every
/// `git_remote_lookup` / `git_remote_create_anonymous` (libgit2#6382), while fetching repeatedly
/// through one remote object stays flat. So the mirror creates a single anonymous remote when it
/// opens the repository and fetches through it with an explicit refspec; only a clone or
/// re-clone creates another.
///
/// The mirror's branches live under `refs/remotes/origin/*`; local `refs/heads/*` are never
/// moved. The directory is entirely the mirror's: whatever else is in it is removed on a
/// re-clone. Known gap: nothing repacks the mirror, so every fetch adds a pack; a periodic
/// `reclone()` compacts it.
public final class GitMirror {
    static let fetchRefspec = "+refs/heads/*:refs/remotes/origin/*"
    static let branchPrefix = "refs/remotes/origin/"
    /// Config key naming the URL a mirror was cloned from (password removed). It is written
    /// only after the first fetch succeeded, so a half-finished clone is never taken for a mirror.
    static let identityKey = "bcops.url"

    /// The remote URL as libgit2 gets it (may carry a password: never put it in a message).
    let url: String
    /// Absolute path of the bare repository.
    let directory: String
    let callbacks: FetchCallbackState
    var repo: OpaquePointer?
    var remote: OpaquePointer?
    /// The `char *[1]` holding the refspec for `git_strarray`, allocated once.
    private let refspecs: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    /// Opens the bare mirror at `directory`, or bare-clones `url` into it (local path, file://,
    /// http(s)://, ssh:// or scp-like user@host:path). If the directory holds a mirror of another
    /// URL or is not a valid repository, it is removed and cloned again. The clone goes to a
    /// sibling staging directory first, so a clone that fails leaves the directory as it was.
    public init(url: String, directory: String, credentials: GitCredentials? = nil) throws(GitError) {
        LibGit2.ensure()
        self.url = GitURL.normalized(url)
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.callbacks = FetchCallbackState(credentials: credentials)
        refspecs = .allocate(capacity: 1)
        refspecs.initialize(to: strdup(Self.fetchRefspec))
        guard self.directory != "/" else {
            throw GitError(.other, "refusing to use '/' as a mirror directory")
        }
        if let existing = Self.openExisting(self.directory, identity: GitURL.redacted(self.url)) {
            repo = existing
            try gitCheck(git_remote_create_anonymous(&remote, existing, self.url),
                         "remote \(GitURL.redacted(self.url))")
        } else {
            try replaceWithFreshClone()
        }
    }

    deinit {
        git_remote_free(remote)
        git_repository_free(repo)
        free(refspecs.pointee)
        refspecs.deinitialize(count: 1)
        refspecs.deallocate()
    }

    /// Fetches all branches (`+refs/heads/*:refs/remotes/origin/*`, with prune so deleted
    /// branches disappear) through the one remote this mirror keeps. Returns the seconds it took.
    /// On failure the mirror keeps its last fetched state.
    @discardableResult
    public func fetch() throws(GitError) -> Double {
        let remote = try handles().remote
        let start = ContinuousClock.now
        try runFetch(remote)
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// The commit `refs/remotes/origin/<branch>` points at, as of the last fetch; throws
    /// `.branchMissing` when the branch does not exist.
    public func head(branch: String) throws(GitError) -> String {
        let repo = try handles().repo
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, repo, Self.branchPrefix + branch)
        if rc == GIT_ENOTFOUND.rawValue || rc == GIT_EINVALIDSPEC.rawValue {
            let why = rc == GIT_EINVALIDSPEC.rawValue ? " ('\(branch)' is not a valid branch name)" : ""
            throw GitError(.branchMissing, "branch '\(branch)' does not exist in \(GitURL.redacted(url))\(why)")
        }
        try gitCheck(rc, "branch '\(branch)'", notFound: .branchMissing)
        return Self.hex(&oid)
    }

    /// Removes the mirror directory and clones again (for a corrupt mirror). The new clone is
    /// made beside the old one and swapped in only once complete: if the remote cannot be
    /// reached, this throws and the old mirror stays as it was.
    public func reclone() throws(GitError) {
        try replaceWithFreshClone()
    }

    // MARK: - Internals

    func handles() throws(GitError) -> (repo: OpaquePointer, remote: OpaquePointer) {
        guard let repo, let remote else {
            throw GitError(.notFound, "the mirror at '\(directory)' is not open (its last re-clone failed); call reclone()")
        }
        return (repo, remote)
    }

    /// One fetch through `remote` (the mirror's own, or a staging clone's).
    private func runFetch(_ remote: OpaquePointer) throws(GitError) {
        callbacks.reset()
        var opts = git_fetch_options()
        git_fetch_options_init(&opts, UInt32(GIT_FETCH_OPTIONS_VERSION))
        opts.prune = GIT_FETCH_PRUNE
        opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE  // manifests are read by branch only
        opts.update_fetchhead = 0
        callbacks.install(into: &opts.callbacks)
        var specs = git_strarray(strings: refspecs, count: 1)
        let rc = git_remote_fetch(remote, &specs, &opts, nil)
        if rc < 0 {
            var error = GitError.last(rc, "fetch \(GitURL.redacted(url))")
            if callbacks.gaveUp { error.reason = .authentication }
            if let path = GitURL.missingLocalPath(url) {
                error = GitError(.notFound, "fetch \(url): the repository '\(path)' does not exist")
            }
            throw error
        }
    }

    /// Clones into `.<name>.cloning` next to `directory`, then replaces `directory` with it and
    /// reopens the handle and the remote.
    private func replaceWithFreshClone() throws(GitError) {
        let target = URL(fileURLWithPath: directory)
        let parent = target.deletingLastPathComponent().path
        let staging = parent + "/." + target.lastPathComponent + ".cloning"
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: staging) { try fm.removeItem(atPath: staging) }
        } catch {
            throw GitError(.other, "cannot prepare '\(staging)': \(error.localizedDescription)")
        }

        do throws(GitError) {
            try cloneBare(into: staging)
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }

        git_remote_free(remote)
        remote = nil
        git_repository_free(repo)
        repo = nil
        do {
            if fm.fileExists(atPath: directory) { try fm.removeItem(atPath: directory) }
            try fm.moveItem(atPath: staging, toPath: directory)
        } catch {
            throw GitError(.other, "cannot replace '\(directory)' with the new clone: \(error.localizedDescription)")
        }
        var opened: OpaquePointer?
        try gitCheck(git_repository_open_bare(&opened, directory), "open '\(directory)'")
        repo = opened
        try gitCheck(git_remote_create_anonymous(&remote, opened, url), "remote \(GitURL.redacted(url))")
    }

    /// A bare clone by hand (init + fetch through an anonymous remote + identity), so the
    /// refs it produces are exactly those later fetches maintain.
    private func cloneBare(into path: String) throws(GitError) {
        var newRepo: OpaquePointer?
        var newRemote: OpaquePointer?
        defer {
            git_remote_free(newRemote)
            git_repository_free(newRepo)
        }
        try gitCheck(git_repository_init(&newRepo, path, 1), "create '\(path)'")
        try gitCheck(git_remote_create_anonymous(&newRemote, newRepo, url), "remote \(GitURL.redacted(url))")
        guard let newRemote else { throw GitError(.other, "remote \(GitURL.redacted(url)): not created") }
        try runFetch(newRemote)

        var config: OpaquePointer?
        try gitCheck(git_repository_config(&config, newRepo), "config of '\(path)'")
        defer { git_config_free(config) }
        try gitCheck(git_config_set_string(config, Self.identityKey, GitURL.redacted(url)), "config of '\(path)'")
    }

    /// The repository at `path` if it is a bare mirror of `identity`; nil otherwise (missing,
    /// garbage, another URL, or a clone that never finished).
    private static func openExisting(_ path: String, identity: String) -> OpaquePointer? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var repo: OpaquePointer?
        guard git_repository_open_bare(&repo, path) == 0, let repo else {
            git_repository_free(repo)
            return nil
        }
        var config: OpaquePointer?
        var value: UnsafePointer<CChar>?
        defer { git_config_free(config) }
        guard git_repository_is_bare(repo) == 1,
              git_repository_config_snapshot(&config, repo) == 0,
              git_config_get_string(&value, config, identityKey) == 0,
              let value, String(cString: value) == identity
        else {
            git_repository_free(repo)
            return nil
        }
        return repo
    }

    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
        _ = buffer.withUnsafeMutableBufferPointer { git_oid_tostr($0.baseAddress, $0.count, oid) }
        return String(decoding: buffer.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A libgit2 repository handle may only be used from one thread at a time.
@available(*, unavailable)
extension GitMirror: Sendable {}
