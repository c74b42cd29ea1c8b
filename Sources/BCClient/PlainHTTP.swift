import Foundation

/// Unsigned HTTP/1.1 requests to a plain `http://host:port` URL, for bcops' own endpoints that
/// speak no BatchCompute (the controller's status and commands). One connection, closed with
/// the call; through the environment's proxy unless the host is on loopback (`ProxyRoute`).
public enum PlainHTTP {
    public static func send(_ method: String, _ url: String, body: [UInt8] = [], headers: [(String, String)] = []) async throws -> HTTPResponse {
        guard url.hasPrefix("http://") else { throw TransportError.connect(host: url, port: 0, underlying: "only http:// URLs are supported") }
        guard let verb = HTTPMethod(rawValue: method) else { throw TransportError.other("no such HTTP method: \(method)") }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let target = rest.dropFirst(authority.count)
        let colon = authority.lastIndex(of: ":")
        let host = colon.map { String(authority[..<$0]) } ?? String(authority)
        let port = colon.flatMap { Int(authority[authority.index(after: $0)...]) } ?? 80
        let proxy = ProxyRoute.resolve(scheme: "http", host: host, environment: ProcessInfo.processInfo.environment)
        let transport = HTTPTransport(origin: Origin(scheme: "http", host: host, port: port, proxy: proxy), maxConnections: 1, timeoutSeconds: 30)
        return try await transport.send(HTTPRequest(method: verb, target: target.isEmpty ? "/" : String(target),
                                                    headers: [("Host", String(authority))] + headers, body: body))
    }
}
