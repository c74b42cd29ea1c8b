import Foundation

/// The engine's access key pair. Created on first start, stored with mode 0600, and never
/// printed: `bcctl engine credentials` is the one deliberate way to read it.
public struct Credentials: Codable, Sendable, Equatable {
    public var accessKeyId: String
    public var accessKeySecret: String

    enum CodingKeys: String, CodingKey {
        case accessKeyId = "AccessKeyId"
        case accessKeySecret = "AccessKeySecret"
    }

    public init(accessKeyId: String, accessKeySecret: String) {
        self.accessKeyId = accessKeyId; self.accessKeySecret = accessKeySecret
    }

    public static let fileName = "credentials.json"

    /// A `credentials.json` that exists but cannot be used: the engine stops and says how to
    /// recover, rather than making new keys over it (which would lock every client out).
    public struct Unreadable: Error, CustomStringConvertible, LocalizedError, Sendable {
        public var path: String
        public var reason: String

        public var description: String {
            "\(path) cannot be read: \(reason). It holds the engine's access key pair. Restore it from a backup; "
                + "or move it aside (mv \(path) \(path).damaged) and start the engine again to create a new access key, "
                + "which invalidates the keys every client holds (bcplan, bcapply, the controller, the SDK and bcs must be given the new pair)."
        }
        public var errorDescription: String? { description }
    }

    /// Reads `DIR/credentials.json`, creating it (0600, exclusively) when absent; the
    /// directory is created 0700. A file that exists but cannot be read throws `Unreadable`;
    /// one that other users can read is used, with a warning naming the fix.
    public static func loadOrCreate(in directory: String, warn: (String) -> Void = Credentials.warn) throws -> (credentials: Credentials, created: Bool) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory + "/" + fileName
        var info = stat()
        if stat(path, &info) == 0 {
            let existing = try load(from: path)
            if info.st_mode & 0o077 != 0 {
                warn("Warning: \(path) is readable by other users (mode \(String(format: "%04o", info.st_mode & 0o7777))) "
                     + "and holds the engine's access key: chmod 600 \(path)")
            }
            return (existing, false)
        }
        var rng = SystemRandomNumberGenerator()
        let fresh = Credentials(accessKeyId: "BC" + token(18, using: &rng), accessKeySecret: token(30, using: &rng))
        let data = try JSONEncoder().encode(fresh)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return (try load(from: path), false) }  // another process won the race
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw CocoaError(.fileWriteUnknown) }
        return (fresh, true)
    }

    /// Reads a credentials file; `Unreadable` says what is wrong with it and how to recover.
    public static func load(from path: String) throws -> Credentials {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let reason = (error as? CocoaError).flatMap { ($0.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription } ?? error.localizedDescription
            throw Unreadable(path: path, reason: reason)
        }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { throw Unreadable(path: path, reason: "it is empty") }
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw Unreadable(path: path, reason: "it is not a JSON object (\(data.count) bytes; damaged or truncated)")
        }
        let c: Credentials
        do { c = try JSONDecoder().decode(Credentials.self, from: data) } catch DecodingError.keyNotFound(let key, _) {
            throw Unreadable(path: path, reason: "it has no \(key.stringValue)")
        } catch {
            throw Unreadable(path: path, reason: "AccessKeyId and AccessKeySecret must be strings")
        }
        guard !c.accessKeyId.isEmpty, !c.accessKeySecret.isEmpty else { throw Unreadable(path: path, reason: "its AccessKeyId or AccessKeySecret is empty") }
        return c
    }

    /// Writes a line to standard error.
    public static func warn(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func token<G: RandomNumberGenerator>(_ n: Int, using g: inout G) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<n).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }
}
