import Foundation

/// Remote URL handling that libgit2 leaves to the caller.
enum GitURL {
    /// `true` for `user@host:path` / `host:path` (scp-like ssh), which has no scheme but is not a path.
    static func isSCPLike(_ url: String) -> Bool {
        guard !url.contains("://"), let colon = url.firstIndex(of: ":") else { return false }
        let before = url[..<colon]
        return before.count > 1 && !before.contains("/")
    }

    static func isLocalPath(_ url: String) -> Bool {
        !url.contains("://") && !isSCPLike(url)
    }

    /// The filesystem path of a local-path or `file://` URL that does not exist, if it does not:
    /// libgit2 1.5 reports such a URL as "unsupported URL protocol", which misleads.
    static func missingLocalPath(_ url: String) -> String? {
        let path: String
        if url.hasPrefix("file://") {
            path = String(url.dropFirst("file://".count))
        } else if isLocalPath(url) {
            path = url
        } else {
            return nil
        }
        return FileManager.default.fileExists(atPath: path) ? nil : path
    }

    /// Makes a relative local path absolute, so the mirror keeps working if the process changes
    /// its working directory. Other URLs are returned unchanged.
    static func normalized(_ url: String) -> String {
        guard isLocalPath(url), !url.hasPrefix("/") else { return url }
        let cwd = FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: url, relativeTo: URL(fileURLWithPath: cwd, isDirectory: true))
            .standardizedFileURL.path
    }

    /// The URL without a password in its user-info (`https://user:token@host/x` becomes
    /// `https://user@host/x`), for messages and for the identity stored in the mirror — so a
    /// rotated token neither leaks into logs nor forces a re-clone.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<scheme.upperBound]) + userInfo[..<colon] + rest[at...]
    }
}
