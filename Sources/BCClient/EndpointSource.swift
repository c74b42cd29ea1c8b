import BCAPI
import Foundation

/// Where a client's endpoint came from, so that every connection error can say it: an engine
/// that does not answer, or answers with another engine's keys, is named with the flag, the
/// variable or the file that pointed at it.
public enum EndpointSource: Sendable, Equatable, CustomStringConvertible {
    /// A command-line flag, e.g. `--endpoint`.
    case flag(String)
    /// `BCOPS_ENDPOINT`.
    case environment
    /// A data directory's `endpoint` file (its path), written by the engine serving it.
    case dataFile(String)
    /// Nothing was configured: neither `BCOPS_ENDPOINT` nor `BCOPS_DATA`, and the default data
    /// directory (its path) has no `endpoint` file.
    case defaultAddress(dataDirectory: String)
    /// Given by the program itself (an engine hosted in the same process, tests).
    case given

    public var description: String {
        switch self {
        case .flag(let name): "flag \(name)"
        case .environment: "env BCOPS_ENDPOINT"
        case .dataFile(let path): path
        case .defaultAddress(let dir): "the default: BCOPS_ENDPOINT and BCOPS_DATA are not set, and no engine has written \(dir)/endpoint"
        case .given: "given"
        }
    }

    /// " (address from env BCOPS_ENDPOINT)", or "" when the program gave it.
    var parenthetical: String {
        switch self {
        case .given: ""
        case .defaultAddress: " (\(description))"
        default: " (address from \(description))"
        }
    }
}

extension ClientConfiguration {
    /// The data directory whose `endpoint` named the engine, if it came from one.
    var endpointDataDirectory: String? {
        if case .dataFile(let path) = endpointSource { return (path as NSString).deletingLastPathComponent }
        return nil
    }

    /// The sentence for an engine that does not answer: which address, where it came from,
    /// why the connection failed, and how to get an engine there.
    /// "no engine at http://127.0.0.1:9 (address from env BCOPS_ENDPOINT; connection refused):
    /// start one with `bcctl engine serve --data DIR --listen 127.0.0.1:9`, or set BCOPS_ENDPOINT"
    public func unreachableMessage(_ why: String) -> String {
        var whyText = why
        if why.contains("Connection refused") { whyText = "connection refused" }
        else if why.hasPrefix("cannot connect to \(host):\(port): ") { whyText = String(why.dropFirst("cannot connect to \(host):\(port): ".count)) }
        var origin: String
        switch endpointSource {
        case .given: origin = ""
        case .defaultAddress: origin = endpointSource.description + "; "
        default: origin = "address from \(endpointSource); "
        }
        var start = "`bcctl engine serve --data DIR`"
        if let dir = endpointDataDirectory {
            if let holder = DataDirectoryLock.holder(of: dir) {
                if let address = holder.address, address != endpoint {
                    origin += "the engine of \(dir) now listens at \(address); "
                }
            } else {
                origin += "written by an engine that is no longer running; "
            }
            start = "`bcctl engine serve --data \(dir)`"
        } else {
            switch endpointSource {
            case .environment, .flag: start = "`bcctl engine serve --data DIR --listen \(host):\(port)`"
            default: break
            }
        }
        return "no engine at \(endpoint) (\(origin)\(whyText)): start one with \(start), or set BCOPS_ENDPOINT"
    }

    /// A transport failure as the error callers report: `EndpointUnreachable`, whose message
    /// is the whole sentence (where the engine was looked for, why, and what to do).
    public func error(for failure: TransportError) -> APIError {
        let message = switch failure {
        case .untrusted(_, _, let why): untrustedMessage(why)
        case .proxy(let route, let why): proxyMessage(route, why)
        default: unreachableMessage("\(failure)")
        }
        return APIError(status: 0, code: APIError.endpointUnreachable, message: message, requestId: "")
    }

    /// The sentence for an https:// engine whose certificate does not chain to a trusted CA
    /// (or does not name its host): which engine, the TLS library's words, and the fix, which
    /// is never to skip the check.
    /// "the engine at https://127.0.0.1:8443 (address from env BCOPS_ENDPOINT) is not trusted: SSL certificate
    /// problem: self-signed certificate in certificate chain; give the CA that signed its certificate
    /// with BCOPS_CA_FILE=PEM (or --ca-file), or add it to the system store"
    public func untrustedMessage(_ why: String) -> String {
        let trust = caFile.map { "the CA file \($0) does not vouch for it" } ?? "the system store does not vouch for it"
        return "the engine at \(endpoint)\(endpointSource.parenthetical) is not trusted (\(trust)): \(why); "
            + "give the CA that signed its certificate with BCOPS_CA_FILE=PEM (or --ca-file), or add it to the system store"
    }

    /// The sentence for a proxy that cannot be reached or will not carry the request: the
    /// engine may be fine, so the fix named is the proxy's, not starting an engine.
    /// "cannot reach the engine at https://engine.example:443 (address from env BCOPS_ENDPOINT) through the
    /// proxy http://proxy:3128 (from HTTPS_PROXY): connection refused; check that proxy, or add
    /// engine.example to NO_PROXY to connect directly"
    public func proxyMessage(_ route: ProxyRoute, _ why: String) -> String {
        "cannot reach the engine at \(endpoint)\(endpointSource.parenthetical) through the proxy \(route.redactedURL) "
            + "(from \(route.variable)): \(why); check that proxy, or add \(host) to NO_PROXY to connect directly"
    }

    /// What to add to an engine's refusal of the access key: which engine answered, where its
    /// address came from, and how to get its keys.
    public func refusedKeyHint() -> String {
        let data = endpointDataDirectory ?? "DIR"
        return "The engine at \(endpoint)\(endpointSource.parenthetical) does not know access key \(accessKeyId): "
            + "it is not the engine those keys belong to. Point BCOPS_ENDPOINT (or BCOPS_DATA) at the right engine, "
            + "or use this one's keys: `bcctl engine credentials --data \(data)` prints them."
    }

    /// A named data directory without an `endpoint` file: no silent default port, but what to do.
    /// "no engine has written DIR/endpoint: …: start one with `bcctl engine serve --data DIR`, or set BCOPS_ENDPOINT".
    static func noEndpointFile(_ dir: String) -> ConfigurationError {
        let head = "no engine has written \(dir)/endpoint"
        switch DataDirectoryLock.holder(of: dir) {
        case nil:
            return ConfigurationError("""
                \(head): none serves \(dir) now (none was started there, or it stopped): start one with \
                `bcctl engine serve --data \(dir)`, or set BCOPS_ENDPOINT to the engine you mean
                """)
        case let holder? where holder.address != nil:
            return ConfigurationError("""
                \(head), though \(holder.phrase) holds \(dir): set BCOPS_ENDPOINT=\(holder.address!), \
                or restart that engine so that it writes the file
                """)
        case let holder?:
            return ConfigurationError("\(head) yet: \(holder.phrase) holds \(dir); try again once it listens")
        }
    }
}

extension BatchComputeClient {
    /// An engine's refusal of the access key (`InvalidAccessKeyId…`), naming the engine and
    /// where its address came from: the classic sign of reaching another engine than meant.
    static func refusedKey(_ response: HTTPResponse, _ configuration: ClientConfiguration) -> APIError? {
        var e = error(from: response)
        guard e.code.hasPrefix("InvalidAccessKeyId") else { return nil }
        e.message += " " + configuration.refusedKeyHint()
        return e
    }
}
