import COpenSSLCrypto
import Foundation

/// How old or new a signed request's `Date` may be, as BatchCompute and OSS allow: 15 minutes
/// either way from the server's clock. A request is only ever accepted inside that window, so
/// a server remembers what it saw (nonces, mutations) for as long as the window and no longer.
public enum RequestTime {
    public static let maxSkew: TimeInterval = 15 * 60

    public enum Verdict: Sendable, Equatable {
        /// Within the window; the request can be accepted until `expires` (its Date + the skew).
        case fresh(date: Date, expires: Date)
        case unparseable
        case skewed(date: Date)
    }

    /// The verdict on a `Date` (or `x-oss-date`) header at `now`.
    public static func check(_ header: String, now: Date = Date()) -> Verdict {
        guard let date = WireTime.parseHTTPDate(header) else { return .unparseable }
        guard abs(date.timeIntervalSince(now)) <= maxSkew else { return .skewed(date: date) }
        return .fresh(date: date, expires: date.addingTimeInterval(maxSkew))
    }

    /// The error for a refused verdict, in BatchCompute's shape; nil for `.fresh`.
    public static func apiError(_ verdict: Verdict, header: String, now: Date = Date()) -> APIError? {
        switch verdict {
        case .fresh: return nil
        case .unparseable:
            return APIError.invalid("Date", "\"\(header.prefix(64))\" is not an HTTP date such as \(WireTime.httpDate(now)) "
                                    + "(RFC 1123, GMT).")
        case .skewed:
            return APIError(403, "RequestTimeTooSkewed", skewMessage(header: header, now: now))
        }
    }

    public static func skewMessage(header: String, now: Date) -> String {
        "The difference between the request time (Date: \(header.prefix(64))) and the engine's time (\(WireTime.httpDate(now))) "
            + "is more than \(Int(maxSkew / 60)) minutes; check the client's clock."
    }
}

/// MD5 of request bodies, for `Content-MD5` (base64, RFC 1864: oss2, bcops) and the official
/// SDK's `contentMd5` (hex, not signed). From the system's libcrypto.
public enum BodyDigest {
    /// MD5 of `bytes`.
    public static func md5(_ bytes: some ContiguousBytes) -> [UInt8] {
        bytes.withUnsafeBytes { raw in
            var out = [UInt8](repeating: 0, count: 16)
            var length: UInt32 = 0
            _ = EVP_Digest(raw.baseAddress, raw.count, &out, &length, EVP_md5(), nil)
            return out
        }
    }

    /// MD5 over a body that arrives in pieces (an upload streamed to disk).
    public final class Stream: @unchecked Sendable {
        private let context: OpaquePointer?

        public init() {
            context = EVP_MD_CTX_new()
            EVP_DigestInit_ex(context, EVP_md5(), nil)
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            if bytes.count > 0 { EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) }
        }

        /// The digest; call once, after the last `update`.
        public func finish() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: 16)
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &out, &length)
            return out
        }

        deinit { EVP_MD_CTX_free(context) }
    }

    public static func base64(_ digest: [UInt8]) -> String { Data(digest).base64EncodedString() }

    public static func hex(_ digest: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(digest.count * 2)
        for b in digest { out.append(alphabet[Int(b >> 4)]); out.append(alphabet[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest a `Content-MD5`/`contentMd5` value names: 24 characters of base64 or 32 hex
    /// digits (either case); nil for anything else.
    public static func parse(_ header: String) -> [UInt8]? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if text.utf8.count == 32, text.utf8.allSatisfy({ $0 < 128 && isxdigit(Int32($0)) != 0 }) {
            let bytes = Array(text.utf8)
            return (0..<16).map { i in UInt8(hexValue(bytes[2 * i]) << 4 | hexValue(bytes[2 * i + 1])) }
        }
        guard text.utf8.count == 24, let data = Data(base64Encoded: text), data.count == 16 else { return nil }
        return Array(data)
    }

    private static func hexValue(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: c - UInt8(ascii: "A") + 10
        }
    }

    /// Whether the SDK's `contentMd5` names `body`. The SDK hashes the body as UTF-8 text but
    /// Python's `http.client` sends a text body as Latin-1, so a body with bytes above 0x7F
    /// also matches when the digest is that of the same text re-encoded as UTF-8.
    public static func sdkMatches(_ header: String, body: [UInt8], digest: [UInt8]) -> Bool {
        guard let wanted = parse(header) else { return false }
        if wanted == digest { return true }
        guard body.contains(where: { $0 >= 0x80 }) else { return false }
        var latin1 = String.UnicodeScalarView()
        latin1.append(contentsOf: body.map { Unicode.Scalar($0) })
        return md5(Array(String(latin1).utf8)) == wanted
    }
}
