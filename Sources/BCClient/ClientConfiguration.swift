import BCAPI
import Foundation

/// Where the live estate is and the keys to reach it. Read from the environment
/// (`BCOPS_ENDPOINT`, `BCOPS_ACCESS_KEY_ID`, `BCOPS_ACCESS_KEY_SECRET`, `BCOPS_REGION`), or
/// else from the embedded engine's data directory (`$BCOPS_DATA` or `~/.local/share/bcops`:
/// `credentials.json`, and `endpoint`, which the engine writes when it starts listening).
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public var endpoint: String
    public var host: String
    public var port: Int
    public var region: String
    public var accessKeyId: String
    public var accessKeySecret: String

    public init(endpoint: String, accessKeyId: String, accessKeySecret: String, region: String = "local") throws {
        guard let url = URL(string: endpoint), let host = url.host, url.scheme == "http" else {
            throw ConfigurationError("BCOPS_ENDPOINT must be http://HOST:PORT, got \"\(endpoint)\"")
        }
        self.endpoint = endpoint
        self.host = host
        self.port = url.port ?? 80
        self.region = region
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
    }

    /// Never shows the secret.
    public var description: String { "\(endpoint) (key \(accessKeyId))" }

    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ d: String) { description = d }
    }

    public static let defaultEndpoint = "http://127.0.0.1:9411"

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientConfiguration {
        let dataDirectory = env["BCOPS_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.local/share/bcops"
        var endpoint = env["BCOPS_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        if endpoint == nil, let written = try? String(contentsOfFile: dataDirectory + "/endpoint", encoding: .utf8) {
            endpoint = written.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let region = env["BCOPS_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        if let id = env["BCOPS_ACCESS_KEY_ID"], !id.isEmpty, let secret = env["BCOPS_ACCESS_KEY_SECRET"], !secret.isEmpty {
            return try ClientConfiguration(endpoint: endpoint ?? defaultEndpoint, accessKeyId: id, accessKeySecret: secret, region: region)
        }
        let path = dataDirectory + "/" + Credentials.fileName
        guard let c = try? Credentials.load(from: path) else {
            throw ConfigurationError("""
                no credentials: set BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET, \
                or start the engine (bcctl engine serve) so that \(path) exists
                """)
        }
        return try ClientConfiguration(endpoint: endpoint ?? defaultEndpoint, accessKeyId: c.accessKeyId,
                                       accessKeySecret: c.accessKeySecret, region: region)
    }
}
