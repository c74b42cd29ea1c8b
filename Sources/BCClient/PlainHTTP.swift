import NIOHTTP1

/// Unsigned HTTP/1.1 requests to a plain `http://host:port` URL, for bcops' own endpoints that
/// speak no BatchCompute (the controller's status and commands).
public enum PlainHTTP {
    public static func send(_ method: String, _ url: String, body: [UInt8] = [], headers: [(String, String)] = []) async throws -> HTTPResponse {
        guard url.hasPrefix("http://") else { throw TransportError.connect(host: url, port: 0, underlying: "only http:// URLs are supported") }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let target = rest.dropFirst(authority.count)
        let colon = authority.lastIndex(of: ":")
        let host = colon.map { String(authority[..<$0]) } ?? String(authority)
        let port = colon.flatMap { Int(authority[authority.index(after: $0)...]) } ?? 80
        let pool = HTTPConnectionPool(host: host, port: port, maxConnections: 1, timeoutSeconds: 30)
        return try await pool.send(HTTPRequest(method: HTTPMethod(rawValue: method), target: target.isEmpty ? "/" : String(target),
                                               headers: [("Host", String(authority))] + headers, body: body))
    }
}
