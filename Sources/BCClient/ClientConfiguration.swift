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
    /// Where `endpoint` came from (flag, env, a data directory's `endpoint` file, the default):
    /// every connection error says it.
    public var endpointSource: EndpointSource = .given

    public init(endpoint: String, accessKeyId: String, accessKeySecret: String, region: String = "local",
                source: EndpointSource = .given) throws {
        guard let url = URL(string: endpoint), let host = url.host, url.scheme == "http" else {
            let what = switch source {
            case .flag(let name): name
            case .dataFile(let path): "the endpoint in \(path)"
            default: "BCOPS_ENDPOINT"
            }
            throw ConfigurationError("\(what) must be http://HOST:PORT, got \"\(endpoint)\"")
        }
        self.endpoint = endpoint
        self.host = host
        self.port = url.port ?? 80
        self.region = region
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.endpointSource = source
    }

    /// Never shows the secret.
    public var description: String { "\(endpoint) (key \(accessKeyId))" }

    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ d: String) { description = d }
    }

    public static let defaultEndpoint = "http://127.0.0.1:9411"

    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientConfiguration {
        let namedDirectory = env["BCOPS_DATA"].flatMap { $0.isEmpty ? nil : $0 }
        let dataDirectory = namedDirectory ?? NSHomeDirectory() + "/.local/share/bcops"
        // The endpoint and where it came from. A named data directory without an `endpoint`
        // file is an error, not a silent default port (which may be another engine).
        var endpoint = env["BCOPS_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 }
        var source: EndpointSource = .environment
        if endpoint == nil {
            let file = dataDirectory + "/endpoint"
            if let written = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines),
               !written.isEmpty {
                endpoint = written
                source = .dataFile(file)
            } else {
                source = .defaultAddress(dataDirectory: dataDirectory)
            }
        }
        let region = env["BCOPS_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        if let id = env["BCOPS_ACCESS_KEY_ID"], !id.isEmpty, let secret = env["BCOPS_ACCESS_KEY_SECRET"], !secret.isEmpty {
            if endpoint == nil, let namedDirectory { throw noEndpointFile(namedDirectory) }
            return try ClientConfiguration(endpoint: endpoint ?? defaultEndpoint, accessKeyId: id, accessKeySecret: secret, region: region,
                                           source: source)
        }
        let path = dataDirectory + "/" + Credentials.fileName
        guard let c = try? Credentials.load(from: path) else {
            throw ConfigurationError("""
                no credentials: set BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET, \
                or start the engine (bcctl engine serve) so that \(path) exists
                """)
        }
        if endpoint == nil, let namedDirectory { throw noEndpointFile(namedDirectory) }
        return try ClientConfiguration(endpoint: endpoint ?? defaultEndpoint, accessKeyId: c.accessKeyId,
                                       accessKeySecret: c.accessKeySecret, region: region, source: source)
    }
}
