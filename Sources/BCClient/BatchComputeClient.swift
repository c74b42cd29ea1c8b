import BCAPI
import BCJSON
import Foundation

/// The BatchCompute REST API (2015-11-11) over keep-alive HTTP/1.1 (http:// or https://, through
/// the environment's proxy: `HTTPTransport`), each request signed
/// with `acs` HMAC-SHA1 exactly as the official SDK signs it, with a fresh Date and nonce per
/// request (the engine refuses a Date 15 minutes off and a nonce it has seen) and, unlike the
/// SDK, the body's MD5 on the signed `Content-MD5` line. The reconciler reaches live state only
/// through this type.
public final class BatchComputeClient: Sendable {
    public let configuration: ClientConfiguration
    let transport: HTTPTransport

    public init(_ configuration: ClientConfiguration, maxConnections: Int = 16, timeoutSeconds: Int = 60) {
        self.configuration = configuration
        transport = HTTPTransport(origin: Origin(configuration), maxConnections: maxConnections, timeoutSeconds: timeoutSeconds)
    }

    /// The raw escape hatch: one request to any path, a 2xx answer's body as JSON, anything
    /// else as `APIError`. For benchmarks and tests that measure or probe the wire
    /// itself (bench/transport.sh builds `bcbench client-gets` against older clients with it);
    /// everything else uses the typed calls (`job(_:)`, `allClusters()`, …), whose routes and
    /// answers the contract spells.
    @discardableResult
    public func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
                     headers extra: [(String, String)] = []) async throws -> JSONValue {
        let response = try await send(method, path, query: query, body: body, headers: extra)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return try JSONValue.parse(response.body)
    }

    /// Sends one request and returns the raw answer, whatever its status: what the typed calls
    /// are built on (`exchange`).
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil,
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
            let response = try await transport.send(HTTPRequest(method: method, target: target, headers: headers, body: bytes))
            // Another engine's keys: no caller can go on, and the error names the engine reached.
            if response.status == 403, let refused = Self.refusedKey(response, configuration) { throw refused }
            return response
        } catch let error as TransportError {
            throw configuration.error(for: error)
        }
    }

    /// A non-2xx answer as the contract's error: its `{"Code", "Message", "RequestId"}`, or, for
    /// a body that is not one (a proxy's page), the status and the body's start.
    static func error(from response: HTTPResponse) -> APIError {
        let answered = try? JSONDecoder().decode(APIError.self, from: Data(response.body))
        func or(_ value: String?, _ fallback: String) -> String { value.flatMap { $0.isEmpty ? nil : $0 } ?? fallback }
        return APIError(status: response.status,
                                 code: or(answered?.code, "HTTP\(response.status)"),
                                 message: or(answered?.message, String(decoding: response.body.prefix(200), as: UTF8.self)),
                                 requestId: or(answered?.requestId, response.headers["x-acs-request-id"].first ?? ""))
    }

    static func httpDate() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
