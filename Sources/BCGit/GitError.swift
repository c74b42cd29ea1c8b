import CGit2

/// A failure from the mirror, sorted into the few cases the controller acts on differently:
/// retry later (`.unreachable`), tell the operator (`.authentication`, `.branchMissing`,
/// `.notFound`), or re-clone (`.corrupt`). Messages never carry credentials: URLs in them are
/// redacted and credential files are named, never quoted.
public struct GitError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The remote could not be reached (refused, unresolvable host, network down). Retry later.
        case unreachable
        /// The remote rejected the credentials, or wants credentials that were not given.
        case authentication
        /// The tracked branch does not exist in the mirror (as of the last fetch).
        case branchMissing
        /// The mirror's object database is damaged; `GitMirror.reclone()` repairs it.
        case corrupt
        /// A repository, commit, path or file that does not exist.
        case notFound
        case other
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

extension GitError {
    /// The error libgit2 just reported for return code `rc`, prefixed with `what`.
    ///
    /// `git_error_last()` is per thread and only valid until the next libgit2 call, so this must
    /// be called right after the failing call. `notFound` is the reason for `GIT_ENOTFOUND`: a
    /// commit id the caller asked for is `.notFound`, while a tree missing under a commit that
    /// exists means the mirror is `.corrupt`.
    static func last(_ rc: Int32, _ what: String, notFound: Reason = .notFound) -> GitError {
        var text = "unknown error"
        var klass: Int32 = 0
        if let err = git_error_last() {
            if let m = err.pointee.message { text = String(cString: m) }
            klass = err.pointee.klass
        }
        let reason = classify(code: rc, klass: klass, message: text, notFound: notFound)
        return GitError(reason, "\(what): \(text)")
    }

    /// Sorts a libgit2 failure by its code, error class and message text. libgit2 1.5 reports
    /// most network failures as a generic `GIT_ERROR` with class NET/OS/SSH/HTTP, so the message
    /// is the most reliable signal for the network cases.
    static func classify(code: Int32, klass: Int32, message: String, notFound: Reason) -> Reason {
        let m = message.lowercased()
        func has(_ words: String...) -> Bool { words.contains { m.contains($0) } }

        if code == GIT_EAUTH.rawValue
            || has("authentication", "authenticate", "authenticating", "status code: 401", "status code: 403",
                   "unauthorized", "forbidden", "credentials", "publickey", "bad password") {
            return .authentication
        }
        if has("connection refused", "could not resolve", "failed to resolve address",
               "failed to connect", "timed out", "network is unreachable", "no route to host",
               "connection reset", "host is down", "name or service not known") {
            return .unreachable
        }
        if has("could not find repository", "failed to resolve path", "not a git repository",
               "repository not found", "status code: 404") {
            return .notFound
        }
        if klass == GIT_ERROR_ODB.rawValue || klass == GIT_ERROR_ZLIB.rawValue
            || has("corrupt", "odb", "packfile", "pack file", "loose object", "failed to read object") {
            return code == GIT_ENOTFOUND.rawValue && !has("corrupt") ? notFound : .corrupt
        }
        if code == GIT_ENOTFOUND.rawValue { return notFound }
        if has("object not found") { return .corrupt }
        if code == GIT_ECERTIFICATE.rawValue { return .unreachable }
        return .other
    }
}

/// Throws the last libgit2 error when `rc` is negative.
@inline(__always)
func gitCheck(_ rc: Int32, _ what: @autoclosure () -> String, notFound: GitError.Reason = .notFound) throws(GitError) {
    if rc < 0 { throw GitError.last(rc, what(), notFound: notFound) }
}
