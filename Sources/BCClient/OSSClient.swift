import BCAPI
import Foundation

/// Just enough of OSS to fetch results: list a prefix and get objects, signed with OSS's V1
/// signature, path-style against the endpoint (the bcops engine serves OSS on its API port).
/// The controller's auto-download reads outputs this way, never from the engine's disk.
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
            let body = try await send("GET", bucket: bucket, key: "", query: query)
            let xml = String(decoding: body, as: UTF8.self)
            keys += OSSClient.elements("Key", in: xml).map { "oss://\(bucket)/\($0)" }
            guard OSSClient.elements("IsTruncated", in: xml).first == "true", let next = OSSClient.elements("NextMarker", in: xml).first else { break }
            marker = next
        }
        return keys
    }

    public func get(_ url: String) async throws -> [UInt8] {
        let (bucket, key) = try OSSClient.split(url)
        return try await send("GET", bucket: bucket, key: key, query: [])
    }

    func send(_ method: String, bucket: String, key: String, query: [(String, String)]) async throws -> [UInt8] {
        let c = client.configuration
        let date = WireTime.httpDate(Date())
        let resource = OSSSignature.canonicalResource(bucket: bucket, key: key, query: [])
        let authorization = OSSSignature.authorization(accessKeyId: c.accessKeyId, secret: c.accessKeySecret, method: method, resource: resource,
                                                       headers: [ACSSignature.Header("Date", date)])
        let path = "/\(bucket)/" + OSSClient.encode(key, keepSlash: true)
        let q = query.map { "\($0.0)=\(OSSClient.encode($0.1, keepSlash: false))" }.joined(separator: "&")
        let response = try await PlainHTTP.send(method, "http://\(c.host):\(c.port)" + path + (q.isEmpty ? "" : "?" + q),
                                                headers: [("Date", date), ("Authorization", authorization)])
        guard (200..<300).contains(response.status) else {
            let xml = String(decoding: response.body, as: UTF8.self)
            throw BatchComputeError(status: response.status, code: OSSClient.elements("Code", in: xml).first ?? "HTTP\(response.status)",
                                    message: OSSClient.elements("Message", in: xml).first ?? xml, requestId: "")
        }
        return response.body
    }

    static func split(_ url: String) throws -> (bucket: String, key: String) {
        guard url.hasPrefix("oss://") else { throw BatchComputeError(status: 400, code: "InvalidObjectName", message: "\(url) is not oss://", requestId: "") }
        let rest = url.dropFirst(6)
        let bucket = rest.prefix { $0 != "/" }
        return (String(bucket), String(rest.dropFirst(bucket.count + 1)))
    }

    static func encode(_ s: String, keepSlash: Bool) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~" + (keepSlash ? "/" : ""))
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// The text of every `<name>…</name>` element, unescaped (OSS's list XML is flat).
    static func elements(_ name: String, in xml: String) -> [String] {
        var out: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            out.append(String(rest[open.upperBound..<close.lowerBound]).replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[close.upperBound...]
        }
        return out
    }
}
