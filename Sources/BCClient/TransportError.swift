/// Transport failures: the server never answered, or could not be trusted. API errors are
/// answers and come back as responses. `BatchComputeClient` turns these into
/// `APIError`s that name the endpoint and where its address came from.
public enum TransportError: Error, Sendable, CustomStringConvertible {
    /// No connection to the server (refused, no route, no such host, no connection within the
    /// connect timeout). `underlying` is the system's words ("Connection refused").
    case connect(host: String, port: Int, underlying: String)
    /// The connection closed, or broke, before a whole answer came.
    case closed
    /// Connected, but no whole answer within the request's timeout.
    case timedOut(seconds: Int)
    /// The proxy the environment names could not be reached, or would not carry the request.
    case proxy(ProxyRoute, underlying: String)
    /// TLS: the server's certificate is not signed by a trusted CA, does not name the host, or
    /// the CA file cannot be used. Never skipped: the fix is to trust the CA (`BCOPS_CA_FILE`).
    case untrusted(host: String, port: Int, underlying: String)
    /// Anything else libcurl reports (its code's text and its error buffer).
    case other(String)

    public var description: String {
        switch self {
        case .connect(let host, let port, let why): "cannot connect to \(host):\(port): \(why)"
        case .closed: "the server closed the connection before answering"
        case .timedOut(let s): "no answer within \(s) s"
        case .proxy(let route, let why): "through the proxy \(route.redactedURL) (from \(route.variable)): \(why)"
        case .untrusted(let host, let port, let why): "the TLS certificate of \(host):\(port) is not trusted: \(why)"
        case .other(let why): why
        }
    }
}
