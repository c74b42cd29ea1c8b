import Foundation

/// OSS's V1 request signature (`Authorization: OSS <AccessKeyId>:<signature>`), exactly as the
/// `oss2` package signs it, so that `bcs o …` and `bcs log` read the engine's object store.
///
/// String to sign: the verb, `Content-MD5`, `Content-Type` and `Date` lines, every `x-oss-*`
/// header as `name:value` sorted by lowercased name, then the canonical resource:
/// `/bucket/key` with the key *decoded*, followed by the request's sub-resources in sorted order.
///
/// The body is covered only through `Content-MD5` (base64), which oss2 sends for multi-object
/// delete but not for a put; there is no nonce. The engine refuses a Date (`x-oss-date` when
/// sent) 15 minutes off (`RequestTime`), a body not matching its `Content-MD5`, and a write
/// repeated after the object changed: see `OSSRequest.once` in BCEngine.
public enum OSSSignature {
    /// Query keys that are part of the signed resource; all others (prefix, marker…) are not.
    public static let subresources: Set<String> = [
        "acl", "uploadId", "uploads", "partNumber", "delete", "append", "position", "objectMeta", "symlink", "tagging",
        "versionId", "versions", "continuation-token", "stat", "bucketInfo", "location", "restore", "security-token",
        "response-content-type", "response-content-language", "response-cache-control", "response-content-encoding",
        "response-expires", "response-content-disposition", "x-oss-process",
    ]

    /// `/bucket/key?sub=value&bare`, with only the sub-resources.
    public static func canonicalResource(bucket: String?, key: String, query: [(String, String)]) -> String {
        let base = bucket.map { "/\($0)/\(key)" } ?? "/"
        let subs = query.filter { subresources.contains($0.0) }.sorted { $0.0 < $1.0 }
        guard !subs.isEmpty else { return base }
        return base + "?" + subs.map { $0.1.isEmpty ? $0.0 : $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    public static func stringToSign(method: String, resource: String, headers: [ACSSignature.Header]) -> String {
        func value(_ name: String) -> String { headers.first { $0.name.lowercased() == name }?.value ?? "" }
        let date = value("x-oss-date").isEmpty ? value("date") : value("x-oss-date")
        var out = [method, value("content-md5"), value("content-type"), date].joined(separator: "\n") + "\n"
        let oss = headers.map { ($0.name.lowercased(), $0.value) }.filter { $0.0.hasPrefix("x-oss-") }.sorted { $0.0 < $1.0 }
        for (name, v) in oss { out += name + ":" + v + "\n" }
        return out + resource
    }

    /// Splits `OSS <id>:<signature>`; nil when the header is not of that form.
    public static func parseAuthorization(_ header: String) -> (accessKeyId: String, signature: String)? {
        guard header.hasPrefix("OSS ") else { return nil }
        let rest = header.dropFirst(4)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else { return nil }
        return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
    }

    public static func authorization(accessKeyId: String, secret: String, method: String, resource: String,
                                     headers: [ACSSignature.Header]) -> String {
        "OSS \(accessKeyId):" + ACSSignature.signature(of: stringToSign(method: method, resource: resource, headers: headers), secret: secret)
    }

    /// Whether `authorization` signs this request with `secret`; compared in constant time.
    public static func verify(authorization: String, secret: String, method: String, resource: String,
                              headers: [ACSSignature.Header]) -> Bool {
        guard let (_, given) = parseAuthorization(authorization) else { return false }
        let expected = ACSSignature.signature(of: stringToSign(method: method, resource: resource, headers: headers), secret: secret)
        return HMACDigest.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }
}
