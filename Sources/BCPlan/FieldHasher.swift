import BCAPI
import BCModel

/// Short hashes of field values, kept in the live object's labels so the next plan can tell
/// what bcops applied from what changed outside it.
///
/// Plain values hash with 64-bit FNV-1a over their canonical JSON: the hash only tells
/// values apart, and a plan of 10,000 objects hashes hundreds of thousands of them. Secret
/// values hash with HMAC-SHA256 under a key derived
/// from the access key secret, so a plan can say whether a secret changed while no plan,
/// label or log can be used to guess it.
public struct FieldHasher: Sendable {
    let secretKey: [UInt8]

    public init(accessKeySecret: String) {
        secretKey = HMACDigest.sha256.mac(key: Array(accessKeySecret.utf8), message: Array("bcops secret field hashes v1".utf8))
    }

    public func hash(_ value: JSONValue) -> String {
        Self.hex64(Self.fnv(value.canonicalBytes))
    }

    static func fnv(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    static func hex64(_ h: UInt64) -> String {
        hex((0..<8).map { UInt8(truncatingIfNeeded: h >> (56 - 8 * $0)) })
    }

    /// The spec hash of fields in path order, streaming their canonical bytes into one buffer
    /// (a plan of 10,000 objects computes 10,000 of these). `secret` gives a secret field's
    /// keyed hash (nil when unreadable: then there is no spec hash); `reference` the text a
    /// reference hashes as.
    public func specHash(_ fields: [DesiredField], secret: (SecretSource) -> String?, reference: (ResourceAddress) -> String?) -> String? {
        Self.specHash(fields, secret: secret, reference: reference)
    }

    public static func specHash(_ fields: [DesiredField], secret: (SecretSource) -> String?, reference: (ResourceAddress) -> String?) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.count * 64)
        for f in fields {
            bytes += f.path.utf8
            bytes.append(UInt8(ascii: "="))
            switch f.value {
            case .value(let v): v.appendCanonical(to: &bytes)
            case .secret(let source):
                guard let h = secret(source) else { return nil }
                bytes += h.utf8
            case .reference(let target):
                guard let r = reference(target) else { return nil }
                bytes += r.utf8
            }
            bytes.append(UInt8(ascii: ";"))
        }
        return Self.hex64(Self.fnv(bytes))
    }

    public func secretHash(_ plaintext: String) -> String {
        "k:" + Self.hex(HMACDigest.sha256.mac(key: secretKey, message: Array(plaintext.utf8)).prefix(8))
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
