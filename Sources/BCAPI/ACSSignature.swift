import Foundation

/// BatchCompute's `acs` request signature (HMAC-SHA1), exactly as the official Python SDK
/// computes it, so that the SDK and the `bcs` CLI talk to bcops' engine unchanged.
///
/// String to sign: the verb, `Accept`, `Content-MD5` (always empty from the SDK, which sends
/// `contentMd5` instead), `Content-Type` and `Date` lines, then every `x-acs-*` header as
/// `name:value` in sorted order, then the request target byte for byte.
///
/// What that protects, and what the engine adds (docs/ARCHITECTURE.md, "What the signatures protect"):
/// - the `Date` line: the engine refuses a Date more than `RequestTime.maxSkew` (15 minutes)
///   from its clock, so a captured request dies with the window;
/// - `x-acs-signature-nonce` (signed): the engine refuses a nonce it saw within the window, so
///   an exact replay, or the same nonce on another request, fails;
/// - the body only through the `Content-MD5` line. bcops' client sends `Content-MD5` (base64)
///   there, so a swapped body fails; the SDK's `contentMd5` (hex) is *not* signed, the engine
///   checks it against the body, but a body swapped together with a recomputed `contentMd5`
///   is only stopped by the nonce (the original request already used it).
public enum ACSSignature {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public static func stringToSign(method: String, target: String, headers: [Header]) -> String {
        func value(_ name: String) -> String {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value ?? ""
        }
        var out = method + "\n"
        out += value("Accept").trimmed + "\n"
        out += value("Content-MD5").trimmed + "\n"
        out += value("Content-Type").trimmed + "\n"
        out += value("Date") + "\n"
        let acs = headers
            .filter { $0.name.trimmed.lowercased().hasPrefix("x-acs-") }
            .sorted { $0.name < $1.name }
        for h in acs { out += h.name.trimmed.lowercased() + ":" + h.value + "\n" }
        return out + target
    }

    /// `base64(HMAC-SHA1(secret, stringToSign))`.
    public static func signature(of stringToSign: String, secret: String) -> String {
        let mac = HMACDigest.sha1.mac(key: Array(secret.utf8), message: Array(stringToSign.utf8))
        return Data(mac).base64EncodedString()
    }

    /// The `Authorization` header value: `acs <AccessKeyId>:<signature>`.
    public static func authorization(accessKeyId: String, secret: String, method: String, target: String, headers: [Header]) -> String {
        "acs \(accessKeyId):" + signature(of: stringToSign(method: method, target: target, headers: headers), secret: secret)
    }

    /// Splits `acs <id>:<signature>`; nil when the header is not of that form.
    public static func parseAuthorization(_ header: String) -> (accessKeyId: String, signature: String)? {
        guard header.hasPrefix("acs ") else { return nil }
        let rest = header.dropFirst(4)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else { return nil }
        return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
    }

    /// Whether `authorization` signs this request with `secret`; compared in constant time.
    public static func verify(authorization: String, secret: String, method: String, target: String, headers: [Header]) -> Bool {
        guard let (_, given) = parseAuthorization(authorization) else { return false }
        let expected = signature(of: stringToSign(method: method, target: target, headers: headers), secret: secret)
        return HMACDigest.constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }

    /// The `Content-MD5` value bcops' client signs for a body: base64 of its MD5 (RFC 1864).
    public static func contentMD5(of body: [UInt8]) -> String { BodyDigest.base64(BodyDigest.md5(body)) }

    /// The query string as the SDK builds it: keys sorted, `_` in keys becomes `-`,
    /// everything percent-encoded except letters, digits and `_.-~`, empty values as bare keys.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        parameters
            .map { (key: $0.0.replacingOccurrences(of: "_", with: "-"), value: $0.1) }
            .sorted { $0.key < $1.key }
            .map { $0.value.isEmpty ? percentEncode($0.key) : percentEncode($0.key) + "=" + percentEncode($0.value) }
            .joined(separator: "&")
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
