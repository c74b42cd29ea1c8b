import Foundation

/// The proxy a client's requests go through, chosen once per client from the environment
/// (`ClientConfiguration.fromEnvironment`), so that an error can name the proxy and the
/// variable that set it.
///
/// Why bcops reads the variables itself instead of leaving them to libcurl (which reads them
/// when no proxy is set): libcurl, as Debian builds it, ignores upper-case `HTTP_PROXY` (a
/// CGI program's environment can carry it from a request's `Proxy:` header; bcops is never a
/// CGI program, and corporate shells often set only the upper-case names), and proxies
/// loopback addresses like any other. Here, as in Go's net/http:
/// - an endpoint on loopback (`localhost`, 127.0.0.0/8, `::1`) is always reached directly:
///   the engine on this host must not be sent to a corporate proxy set for the internet;
/// - `NO_PROXY`/`no_proxy` lists hosts reached directly: names (`example.com` also covers
///   `api.example.com`; a leading dot is the same), IP addresses, CIDR ranges, `*` for all;
/// - otherwise `https_proxy`/`HTTPS_PROXY` for https:// endpoints, `http_proxy`/`HTTP_PROXY`
///   for http://, then `all_proxy`/`ALL_PROXY`; lower case first, as libcurl reads them.
public struct ProxyRoute: Sendable, Equatable {
    /// As given, credentials included (libcurl sends them to the proxy only).
    public var url: String
    /// The variable it came from (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, …).
    public var variable: String

    public init(url: String, variable: String) {
        self.url = url
        self.variable = variable
    }

    /// `url` without a `user:password@`, for messages.
    public var redactedURL: String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let scheme = url.range(of: "://").map { String(url[..<$0.upperBound]) } ?? ""
        return scheme + url[url.index(after: at)...]
    }

    /// The proxy for `scheme://host`, or nil to connect directly.
    public static func resolve(scheme: String, host: String, environment env: [String: String]) -> ProxyRoute? {
        func value(_ name: String) -> ProxyRoute? {
            env[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : ProxyRoute(url: $0, variable: name) }
        }
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if isLoopback(bare) { return nil }
        let noProxy = ["no_proxy", "NO_PROXY"].lazy.compactMap { env[$0] }.first { !$0.isEmpty }
        if let noProxy, bypasses(bare, noProxy: noProxy) { return nil }
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        for name in names + ["all_proxy", "ALL_PROXY"] {
            if let route = value(name) { return route }
        }
        return nil
    }

    /// `localhost`, 127.0.0.0/8 or `::1`.
    static func isLoopback(_ host: String) -> Bool {
        if host.lowercased() == "localhost" { return true }
        if let v4 = IPAddress(host), v4.bytes.count == 4 { return v4.bytes[0] == 127 }
        return IPAddress(host)?.bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// Whether a `NO_PROXY` list names `host`, by libcurl's rules for the variable.
    static func bypasses(_ host: String, noProxy: String) -> Bool {
        let entries = noProxy.split { $0 == "," || $0 == " " || $0 == "\t" }.map(String.init)
        let name = host.lowercased().hasSuffix(".") ? String(host.lowercased().dropLast()) : host.lowercased()
        let address = IPAddress(host)
        for raw in entries {
            if raw == "*" { return true }
            if let address {
                // An address matches an address or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
                let parts = raw.split(separator: "/", maxSplits: 1)
                guard let network = IPAddress(String(parts[0]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))),
                      network.bytes.count == address.bytes.count else { continue }
                let bits = parts.count == 2 ? Int(parts[1]) ?? -1 : network.bytes.count * 8
                if bits >= 0, address.matches(network, prefix: bits) { return true }
            } else {
                var entry = raw.lowercased()
                while entry.hasPrefix(".") { entry.removeFirst() }
                if entry.hasSuffix(".") { entry.removeLast() }
                if !entry.isEmpty, name == entry || name.hasSuffix("." + entry) { return true }
            }
        }
        return false
    }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) literal.
    struct IPAddress {
        var bytes: [UInt8]

        init?(_ text: String) {
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: &v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                bytes = withUnsafeBytes(of: &v6) { Array($0) }
            } else {
                return nil
            }
        }

        func matches(_ network: IPAddress, prefix bits: Int) -> Bool {
            guard bits <= bytes.count * 8 else { return false }
            for i in 0..<bytes.count {
                let left = bits - i * 8
                if left <= 0 { break }
                let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
                if bytes[i] & mask != network.bytes[i] & mask { return false }
            }
            return true
        }
    }
}
