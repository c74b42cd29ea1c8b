import BCAPI
import Foundation

/// Where the live estate is and the keys to reach it. Read from the environment
/// (`BCOPS_ENDPOINT`, `BCOPS_ACCESS_KEY_ID`, `BCOPS_ACCESS_KEY_SECRET`, `BCOPS_REGION`), or
/// else from the embedded engine's data directory (`$BCOPS_DATA` or `~/.local/share/bcops`:
/// `credentials.json`, and `endpoint`, which the engine writes when it starts listening).
/// How to get there comes from the environment too: `BCOPS_CA_FILE` for an https:// endpoint
/// whose certificate the system store does not trust, and the proxy variables (`ProxyRoute`).
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public var endpoint: String
    /// `http` or `https`.
    public var scheme: String
    public var host: String
    public var port: Int
    public var region: String
    public var accessKeyId: String
    public var accessKeySecret: String
    /// Where `endpoint` came from (flag, env, a data directory's `endpoint` file, the default):
    /// every connection error says it.
    public var endpointSource: EndpointSource = .given
    /// A PEM file of the CA certificates an https:// endpoint's certificate must chain to,
    /// instead of the system store (`BCOPS_CA_FILE`, `--ca-file`). Verification is never off.
    public var caFile: String?
    /// The proxy requests go through; nil to connect directly (`ProxyRoute.resolve`).
    public var proxy: ProxyRoute?

    public init(endpoint: String, accessKeyId: String, accessKeySecret: String, region: String = "local",
                source: EndpointSource = .given) throws {
        guard let url = URL(string: endpoint), let host = url.host, let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            let what = switch source {
            case .flag(let name): name
            case .dataFile(let path): "the endpoint in \(path)"
            default: "BCOPS_ENDPOINT"
            }
            throw ConfigurationError("\(what) must be http://HOST:PORT or https://HOST[:PORT], got \"\(endpoint)\"")
        }
        self.endpoint = endpoint
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
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
        let keysGiven = !(env["BCOPS_ACCESS_KEY_ID"] ?? "").isEmpty && !(env["BCOPS_ACCESS_KEY_SECRET"] ?? "").isEmpty
        if endpoint == nil || !keysGiven { awaitStartingEngine(dataDirectory, needEndpoint: endpoint == nil, needKeys: !keysGiven) }
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
                                           source: source).reaching(with: env)
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
                                       accessKeySecret: c.accessKeySecret, region: region, source: source).reaching(with: env)
    }

    /// An engine started a moment ago (`bcctl engine serve --data DIR &` on the line before, as
    /// README's first look does) writes `DIR/credentials.json` and `DIR/endpoint` some tens of
    /// milliseconds later: a client that reads the directory before then waits for it (at most
    /// `timeout` seconds) instead of failing with "no credentials" or "none serves DIR". It
    /// waits while an engine holds the directory and does not listen yet, and `grace` seconds
    /// for one to take it (an engine takes the lock some 30 ms after it starts); so a directory
    /// nothing serves costs its error that second.
    static func awaitStartingEngine(_ dir: String, needEndpoint: Bool = true, needKeys: Bool = true, timeout: Double = 10, grace: Double = 1) {
        let endpointFile = dir + "/endpoint", credentialsFile = dir + "/" + Credentials.fileName
        func ready() -> Bool {
            (!needEndpoint || FileManager.default.fileExists(atPath: endpointFile))
                && (!needKeys || FileManager.default.fileExists(atPath: credentialsFile))
        }
        guard !ready() else { return }
        let start = Date()
        var listeningSince: Date?
        while !ready() {
            let waited = Date().timeIntervalSince(start)
            if waited > timeout { return }
            if let holder = DataDirectoryLock.holder(of: dir) {
                // It listens: the endpoint file follows at once (or never, on a full disk).
                if holder.address != nil {
                    if let since = listeningSince { if Date().timeIntervalSince(since) > 1 { return } } else { listeningSince = Date() }
                }
            } else if waited > grace {
                return
            }
            usleep(20_000)
        }
    }

    /// The CA file (`BCOPS_CA_FILE`, checked readable now rather than at the first call) and the
    /// proxy the environment gives for this endpoint.
    public func reaching(with env: [String: String]) throws -> ClientConfiguration {
        var c = self
        if let file = env["BCOPS_CA_FILE"], !file.isEmpty {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigurationError("BCOPS_CA_FILE: cannot read \(file) (a PEM file of the CA certificates to trust for \(endpoint))")
            }
            c.caFile = file
        }
        c.proxy = ProxyRoute.resolve(scheme: scheme, host: host, environment: env)
        return c
    }
}
