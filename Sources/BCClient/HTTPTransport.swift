import CCurl

/// Where a transport sends requests and how it gets there: the endpoint, the CA file an
/// https:// endpoint is checked against (nil: the system store) and the proxy (nil: direct).
struct Origin: Sendable {
    var scheme: String
    var host: String
    var port: Int
    var caFile: String?
    var proxy: ProxyRoute?

    init(scheme: String, host: String, port: Int, caFile: String? = nil, proxy: ProxyRoute? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.caFile = caFile
        self.proxy = proxy
    }

    init(_ c: ClientConfiguration) {
        self.init(scheme: c.scheme, host: c.host, port: c.port, caFile: c.caFile, proxy: c.proxy)
    }

    /// `scheme://host:port`, an IPv6 address in brackets.
    var urlPrefix: String {
        let h = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(h):\(port)"
    }
}

/// Keep-alive HTTP/1.1 to one origin over libcurl: https with the system store or a CA file,
/// the environment's proxy, at most `maxConnections` requests in flight and as many
/// connections kept open between requests; callers beyond that wait their turn. One request
/// per connection at a time, no pipelining: what the engine and BatchCompute expect.
///
/// Why libcurl: it brings TLS (OpenSSL, the system store), proxies (CONNECT tunnels, proxy
/// authentication) and a connection cache that the NIO client had none of, measured against
/// it in bench/transport.sh (docs/ARCHITECTURE.md, "Transport"). Each transport has one
/// `CurlLoop`: a thread that drives one multi handle, so libcurl's handles are only ever
/// touched by that thread, and callers just await their answer.
final class HTTPTransport: Sendable {
    let origin: Origin
    let timeoutSeconds: Int
    private let loop: CurlLoop

    init(origin: Origin, maxConnections: Int, timeoutSeconds: Int) {
        self.origin = origin
        self.timeoutSeconds = timeoutSeconds
        loop = CurlLoop(maxConnections: max(1, maxConnections))
    }

    /// Sends `request` and returns the answer, whatever its status; no answer at all is a
    /// `TransportError`.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { continuation in
            loop.submit(CurlTransfer(request, origin: origin, timeoutSeconds: timeoutSeconds, continuation: continuation))
        }
    }

    /// The loop ends with its transport: no caller holds it, so none waits on it. Its open
    /// connections close with its multi handle.
    deinit { loop.shutdown() }
}
