/// The host names a listener answers to, so a loopback server can refuse a page that rebinds
/// its own DNS name to 127.0.0.1 (DNS rebinding): the browser then sends that page's name in
/// `Host`, which is not a loopback name.
public struct ListenerNames: Sendable, Equatable {
    /// Lower case, IPv6 in brackets; empty: any (a listener on every interface, whose names
    /// are not known).
    public let hosts: Set<String>

    /// - Parameters:
    ///   - listenHost: the host the listener was given (`--listen`, `--ui-listen`…).
    ///   - remote: the listener is not on loopback.
    public init(listenHost: String, remote: Bool) {
        let host = Self.bracketed(listenHost.lowercased())
        if remote {
            hosts = ["", "0.0.0.0", "[::]", "::"].contains(host) ? [] : [host]
        } else {
            hosts = [host, "127.0.0.1", "localhost", "[::1]"]
        }
    }

    /// Whether `authority` (`host[:port]`, a `Host` header) names this listener.
    public func answersTo(_ authority: String) -> Bool {
        if hosts.isEmpty { return true }
        return hosts.contains(Self.hostPart(authority.lowercased()))
    }

    /// `host` of `host:port`, `[v6]` of `[v6]:port`.
    public static func hostPart(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        if let colon = authority.lastIndex(of: ":"), authority.firstIndex(of: ":") == colon { return String(authority[..<colon]) }
        return bracketed(authority)
    }

    /// An IPv6 literal in brackets, as it appears in a `Host` header.
    public static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// Whether `host` is the loopback interface: an IPv4 literal in 127.0.0.0/8, `::1`
    /// (bracketed or not) or `localhost`. A name that merely starts with `127.` is not.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(p) != nil }
    }
}
