import BCAPI
import Foundation

/// Enough of OSS to fetch results and move files: list a prefix (recursively or one level),
/// get, put, copy and delete objects, signed with OSS's V1 signature, path-style against the
/// endpoint (the bcops engine serves OSS on its API port). The controller's auto-download
/// reads outputs this way, and `bcctl oss` reads and writes this way, never from the engine's disk.
public struct OSSClient: Sendable {
    let client: BatchComputeClient

    public init(_ client: BatchComputeClient) { self.client = client }

    /// Every key under `oss://bucket/prefix`, as `oss://` URLs.
    public func list(_ url: String) async throws -> [String] {
        let (bucket, prefix) = try OSSClient.split(url)
        var keys: [String] = []
        var marker = ""
        while true {
            let query = [("prefix", prefix), ("marker", marker), ("max-keys", "1000")]
            let page = try OSSClient.listing(try await send("GET", bucket: bucket, key: "", query: query))
            keys += page.keys.map { "oss://\(bucket)/\($0)" }
            guard page.isTruncated, let next = page.nextMarker else { break }
            marker = next
        }
        return keys
    }

    /// One level under `oss://bucket/prefix` as OSS lists it with a delimiter (as `bcs o ls`
    /// does): the objects directly there, and the deeper keys folded into common prefixes
    /// (`oss://bucket/prefix/dir/`). Both as `oss://` URLs, in key order.
    public func listLevel(_ url: String, delimiter: String = "/") async throws -> (objects: [String], prefixes: [String]) {
        let (bucket, prefix) = try OSSClient.split(url)
        var objects: [String] = [], prefixes: [String] = []
        var marker = ""
        while true {
            let query = [("prefix", prefix), ("delimiter", delimiter), ("marker", marker), ("max-keys", "1000")]
            let page = try OSSClient.listing(try await send("GET", bucket: bucket, key: "", query: query))
            objects += page.keys.map { "oss://\(bucket)/\($0)" }
            prefixes += page.commonPrefixes.map { "oss://\(bucket)/\($0)" }
            guard page.isTruncated, let next = page.nextMarker else { break }
            marker = next
        }
        return (objects, prefixes)
    }

    public func get(_ url: String) async throws -> [UInt8] {
        let (bucket, key) = try OSSClient.split(url)
        return try await send("GET", bucket: bucket, key: key, query: [])
    }

    /// Writes (or replaces) the object `url`.
    public func put(_ bytes: [UInt8], at url: String) async throws {
        let (bucket, key) = try OSSClient.split(url)
        _ = try await send("PUT", bucket: bucket, key: key, query: [], body: bytes, headers: [("Content-Type", "application/octet-stream")])
    }

    /// Server-side copy (`x-oss-copy-source`), within the endpoint.
    public func copy(_ source: String, to url: String) async throws {
        let (sourceBucket, sourceKey) = try OSSClient.split(source)
        let (bucket, key) = try OSSClient.split(url)
        let from = "/\(sourceBucket)/" + OSSClient.encode(sourceKey, keepSlash: true)
        _ = try await send("PUT", bucket: bucket, key: key, query: [], headers: [("x-oss-copy-source", from)])
    }

    /// Removes the object `url`; OSS answers success whether or not it existed.
    public func delete(_ url: String) async throws {
        let (bucket, key) = try OSSClient.split(url)
        _ = try await send("DELETE", bucket: bucket, key: key, query: [])
    }

    /// One signed request on the client's connections. An error answer comes back as
    /// `APIError` with OSS's code (`NoSuchKey`, `NoSuchBucket`, …); no answer at all as
    /// `EndpointUnreachable`, naming the endpoint, as `BatchComputeClient` reports it.
    ///
    /// Signed fresh each time: the Date (the engine refuses one 15 minutes off) and, for a body,
    /// its MD5 on the signed `Content-MD5` line, so the request cannot carry another body. V1 has
    /// no nonce: the engine refuses a write identical to one it carried out earlier in the window
    /// when the object changed since (`RequestReplayed`; a put, delete, put of the same bytes
    /// within one second), so that one is signed again in the next second and sent once more.
    func send(_ method: String, bucket: String, key: String, query: [(String, String)], body: [UInt8] = [],
              headers extra: [(String, String)] = []) async throws -> [UInt8] {
        do {
            return try await sendOnce(method, bucket: bucket, key: key, query: query, body: body, headers: extra)
        } catch let error as APIError where error.code == "RequestReplayed" {
            let now = Date().timeIntervalSince1970
            try await Task.sleep(nanoseconds: UInt64((now.rounded(.down) + 1 - now) * 1e9) + 1_000_000)
            return try await sendOnce(method, bucket: bucket, key: key, query: query, body: body, headers: extra)
        }
    }

    private func sendOnce(_ method: String, bucket: String, key: String, query: [(String, String)], body: [UInt8],
                          headers extra: [(String, String)]) async throws -> [UInt8] {
        let c = client.configuration
        let date = WireTime.httpDate(Date())
        let resource = OSSSignature.canonicalResource(bucket: bucket, key: key, query: query)
        let signed = [("Date", date)] + (body.isEmpty ? [] : [("Content-MD5", ACSSignature.contentMD5(of: body))]) + extra
        let authorization = OSSSignature.authorization(accessKeyId: c.accessKeyId, secret: c.accessKeySecret, method: method, resource: resource,
                                                       headers: signed.map { ACSSignature.Header($0.0, $0.1) })
        let path = "/\(bucket)/" + OSSClient.encode(key, keepSlash: true)
        let q = query.map { "\($0.0)=\(OSSClient.encode($0.1, keepSlash: false))" }.joined(separator: "&")
        // The methods are this file's literals ("GET", "PUT", "DELETE"), each one of HTTPMethod's.
        guard let verb = HTTPMethod(rawValue: method) else { throw TransportError.other("no such HTTP method: \(method)") }
        let request = HTTPRequest(method: verb, target: path + (q.isEmpty ? "" : "?" + q),
                                  headers: [("Host", "\(c.host):\(c.port)")] + signed + [("Authorization", authorization)], body: body)
        let response: HTTPResponse
        do {
            response = try await client.transport.send(request)
        } catch let error as TransportError {
            throw c.error(for: error)
        }
        guard (200..<300).contains(response.status) else {
            let failure = OSSAnswer.failure(response.body)
            throw APIError(status: response.status, code: failure.code ?? "HTTP\(response.status)",
                                    message: failure.message ?? String(decoding: response.body, as: UTF8.self),
                                    requestId: response.headers["x-oss-request-id"].first ?? "")
        }
        return response.body
    }

    static func split(_ url: String) throws -> (bucket: String, key: String) {
        guard url.hasPrefix("oss://") else { throw APIError(status: 400, code: "InvalidObjectName", message: "\(url) is not oss://", requestId: "") }
        let rest = url.dropFirst(6)
        let bucket = rest.prefix { $0 != "/" }
        return (String(bucket), String(rest.dropFirst(bucket.count + 1)))
    }

    static func encode(_ s: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~" + (keepSlash ? "/" : ""))
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// A listing page; XML that does not parse is the endpoint's fault, said as an `APIError`.
    static func listing(_ body: [UInt8]) throws -> OSSAnswer.Listing {
        do { return try OSSAnswer.listing(body) } catch {
            throw APIError(status: 200, code: "InvalidResponse", message: "\(error)", requestId: "")
        }
    }
}
