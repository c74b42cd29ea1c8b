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

    /// Reads `DIR/credentials.json`, creating it (0600, exclusively) when absent.
    public static func loadOrCreate(in directory: String) throws -> (credentials: Credentials, created: Bool) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + fileName
        if let existing = try? load(from: path) { return (existing, false) }
        var rng = SystemRandomNumberGenerator()
        let fresh = Credentials(accessKeyId: "BC" + token(18, using: &rng), accessKeySecret: token(30, using: &rng))
        let data = try JSONEncoder().encode(fresh)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { return (try load(from: path), false) }  // another process won the race
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw CocoaError(.fileWriteUnknown) }
        return (fresh, true)
    }

    public static func load(from path: String) throws -> Credentials {
        try JSONDecoder().decode(Credentials.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func token<G: RandomNumberGenerator>(_ n: Int, using g: inout G) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<n).map { _ in alphabet[Int(g.next() % UInt64(alphabet.count))] })
    }
}
