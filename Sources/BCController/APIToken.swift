import Foundation

/// The bearer token of the controller's `/api/*`: generated on first start into
/// `DATA/controller/api-token` (mode 0600, in a 0700 directory), or read from
/// `--api-token-file`. The token itself is never logged or printed; only its file is named.
public enum APIToken {
    public static let fileName = "api-token"
    /// A given token shorter than this is refused: it could be guessed.
    public static let minimumLength = 16

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The token in `directory/api-token`, created (32 random bytes, hex) if the file does not
    /// exist. The directory is made 0700 and the file 0600.
    public static func loadOrCreate(directory: String) throws -> (token: String, path: String, created: Bool) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(directory, 0o700)
        let path = directory + "/" + fileName
        if FileManager.default.fileExists(atPath: path) {
            chmod(path, 0o600)
            return (try load(file: path, hint: "delete it to have a new token generated"), path, false)
        }
        let token = generate()
        // Written beside, then linked into place: a second controller starting on the same
        // directory at the same moment reads the first one's token instead of replacing it.
        let temporary = path + ".\(getpid()).tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        defer { unlink(temporary) }
        guard written == bytes.count else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
            return (try load(file: path, hint: "delete it to have a new token generated"), path, false)
        }
        return (token, path, true)
    }

    /// The token in `file` (surrounding whitespace trimmed).
    public static func load(file: String, hint: String = "put a random token in it, e.g. openssl rand -hex 32") throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Failure(description: "cannot read the API token file \(file)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count >= minimumLength, !token.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw Failure(description: "the API token file \(file) must hold one token of at least \(minimumLength) characters (\(hint))")
        }
        return token
    }

    /// Whether `file` can be read by every user of the host.
    public static func isWorldReadable(_ file: String) -> Bool {
        var s = stat()
        return stat(file, &s) == 0 && s.st_mode & 0o004 != 0
    }

    /// 32 bytes from the system's CSPRNG (getrandom on Linux), as 64 hex digits.
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}
