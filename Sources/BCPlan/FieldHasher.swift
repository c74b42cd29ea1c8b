import BCAPI
import BCModel

/// Short hashes of field values, kept in the live object's labels so the next plan can tell
/// what bcops applied from what changed outside it.
///
/// Plain values hash with SHA-256. Secret values hash with HMAC-SHA256 under a key derived
/// from the access key secret, so a plan can say whether a secret changed while no plan,
/// label or log can be used to guess it.
public struct FieldHasher: Sendable {
    let secretKey: [UInt8]

    public init(accessKeySecret: String) {
        secretKey = HMACDigest.sha256.mac(key: Array(accessKeySecret.utf8), message: Array("bcops secret field hashes v1".utf8))
    }

    public func hash(_ value: JSONValue) -> String {
        Self.hex(HMACDigest.sha256.mac(key: Array("bcops field".utf8), message: value.canonicalBytes).prefix(8))
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
