import BCAPI
import BCModel
import Foundation
import NIOHTTP1

/// An error answer in BatchCompute's shape (`{"Code","Message","RequestId"}`), or a transport
/// failure described the same way so that callers report one kind of error.
public struct BatchComputeError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var requestId: String

    public init(status: Int, code: String, message: String, requestId: String) {
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
    }

    public var description: String {
        // An engine that does not answer: the sentence says it all (ClientConfiguration.unreachableMessage).
        if code == "EndpointUnreachable" { return message }
        return requestId.isEmpty ? "\(code): \(message)" : "\(code): \(message) (status \(status), request \(requestId))"
    }
}

/// The BatchCompute REST API (2015-11-11) over keep-alive HTTP/1.1, each request signed
/// with `acs` HMAC-SHA1 exactly as the official SDK signs it, with a fresh Date and nonce per
/// request (the engine refuses a Date 15 minutes off and a nonce it has seen) and, unlike the
/// SDK, the body's MD5 on the signed `Content-MD5` line. The reconciler reaches live state only
/// through this type.
public final class BatchComputeClient: Sendable {
    public let configuration: ClientConfiguration
    let pool: HTTPConnectionPool

    public init(_ configuration: ClientConfiguration, maxConnections: Int = 16, timeoutSeconds: Int = 60) {
        self.configuration = configuration
        pool = HTTPConnectionPool(host: configuration.host, port: configuration.port, maxConnections: maxConnections,
                                  timeoutSeconds: timeoutSeconds)
    }

    /// Sends one request; a 2xx answer's body as JSON, anything else as `BatchComputeError`.
    @discardableResult
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     headers extra: [(String, String)] = []) async throws -> JSONValue {
        let response = try await send(method, path, query: query, body: body, headers: extra)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return try JSONValue.parse(response.body)
    }

    /// Sends one request and returns the raw answer, whatever its status.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     headers extra: [(String, String)] = []) async throws -> HTTPResponse {
        let bytes = body?.canonicalBytes ?? []
        let q = ACSSignature.canonicalQuery(query)
        let target = q.isEmpty ? path : path + "?" + q
        var headers: [(String, String)] = [
            ("Date", Self.httpDate()),
            ("x-acs-region-id", configuration.region),
            ("x-acs-access-key-id", configuration.accessKeyId),
            ("x-acs-signature-method", "HMAC-SHA1"),
            ("x-acs-signature-version", "1.0"),
            ("x-acs-version", "2015-11-11"),
            ("x-acs-signature-nonce", UUID().uuidString.lowercased()),
            ("Accept", "application/json"),
            ("Content-Type", "application/json"),
            ("Host", "\(configuration.host):\(configuration.port)"),
            ("User-Agent", "bcops"),
        ] + extra
        // The body's MD5 on the signature's Content-MD5 line: the engine checks it, so a captured
        // request cannot carry another body (the SDK's unsigned `contentMd5` would not stop that).
        if !bytes.isEmpty { headers.append(("Content-MD5", ACSSignature.contentMD5(of: bytes))) }
        let authorization = ACSSignature.authorization(accessKeyId: configuration.accessKeyId, secret: configuration.accessKeySecret,
                                                       method: method.rawValue, target: target,
                                                       headers: headers.map { ACSSignature.Header($0.0, $0.1) })
        headers.append(("Authorization", authorization))
        do {
            let response = try await pool.send(HTTPRequest(method: method, target: target, headers: headers, body: bytes))
            // Another engine's keys: no caller can go on, and the error names the engine reached.
            if response.status == 403, let refused = Self.refusedKey(response, configuration) { throw refused }
            return response
        } catch let error as TransportError {
            throw BatchComputeError(status: 0, code: "EndpointUnreachable", message: configuration.unreachableMessage("\(error)"), requestId: "")
        }
    }

    public static func error(from response: HTTPResponse) -> BatchComputeError {
        let json = try? JSONValue.parse(response.body)
        return BatchComputeError(status: response.status,
                                 code: json?["Code"]?.stringValue ?? "HTTP\(response.status)",
                                 message: json?["Message"]?.stringValue ?? String(decoding: response.body.prefix(200), as: UTF8.self),
                                 requestId: json?["RequestId"]?.stringValue ?? response.headers["x-acs-request-id"].first ?? "")
    }

    static func httpDate() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every item of a paged list (`Items`, `NextMarker`), in pages of `pageSize`.
    public func listAll(_ path: String, query: [(String, String)] = [], pageSize: Int = 1000) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var marker = ""
        repeat {
            let page = try await call(.GET, path, query: query + [("Marker", marker), ("MaxItemCount", String(pageSize))])
            items += page["Items"]?.arrayValue ?? []
            marker = page["NextMarker"]?.stringValue ?? ""
        } while !marker.isEmpty
        return items
    }
}
