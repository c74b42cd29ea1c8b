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
        String(unsafeUninitializedCapacity: 16) { out in
            let digits: StaticString = "0123456789abcdef"
            for i in 0..<16 { out[i] = digits.utf8Start[Int((h >> (60 - 4 * UInt64(i))) & 15)] }
            return 16
        }
    }

    /// The spec hash of fields in path order: FNV-1a over `path=value;` for each field, the
    /// value as canonical JSON (a plan of 10,000 objects computes 10,000 of these, at
    /// lowering). `secret` gives a secret field's keyed hash (nil when unreadable: then there
    /// is no spec hash); `reference` the text a reference hashes as.
    public func specHash(_ fields: [DesiredField], secret: (SecretSource) -> String?, reference: (ResourceAddress) -> String?) -> String? {
        Self.specHash(fields, secret: secret, reference: reference)
    }

    public static func specHash(_ fields: [DesiredField], secret: (SecretSource) -> String?, reference: (ResourceAddress) -> String?) -> String? {
        // Streamed into the hash, not written to a buffer first: strings, numbers and
        // booleans (nearly every value) hash their canonical bytes as they are produced.
        var h = FNV1a()
        var scratch: [UInt8] = []
        for f in fields {
            h.add(f.path.utf8)
            h.add(UInt8(ascii: "="))
            switch f.value {
            case .value(let v): h.addCanonical(v, scratch: &scratch)
            case .secret(let source):
                guard let s = secret(source) else { return nil }
                h.add(s.utf8)
            case .reference(let target):
                guard let r = reference(target) else { return nil }
                h.add(r.utf8)
            }
            h.add(UInt8(ascii: ";"))
        }
        return hex64(h.value)
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

/// 64-bit FNV-1a, fed byte by byte: `FieldHasher.fnv` without the buffer.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always) mutating func add(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for b in bytes { add(b) }
    }

    /// The bytes `value.appendCanonical(to:)` writes. Strings, integers, booleans, null, arrays
    /// and objects of one key are hashed as written (the same escapes as
    /// `JSONEscaping.appendQuoted`); other objects (sorted keys) and other numbers go through
    /// the canonical writer, into `scratch`.
    mutating func addCanonical(_ value: JSONValue, scratch: inout [UInt8]) {
        switch value {
        case .string(let s):
            add(UInt8(ascii: "\""))
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): add(UInt8(ascii: "\\")); add(byte)
                case 0x0A: add(UInt8(ascii: "\\")); add(UInt8(ascii: "n"))
                case 0x0D: add(UInt8(ascii: "\\")); add(UInt8(ascii: "r"))
                case 0x09: add(UInt8(ascii: "\\")); add(UInt8(ascii: "t"))
                case 0..<0x20:
                    let digits: StaticString = "0123456789abcdef"
                    add("\\u00".utf8)
                    add(digits.utf8Start[Int(byte >> 4)]); add(digits.utf8Start[Int(byte & 15)])
                default: add(byte)
                }
            }
            add(UInt8(ascii: "\""))
        case .integer(let i): add(String(i).utf8)
        case .bool(let b): add((b ? "true" : "false").utf8)
        case .null: add("null".utf8)
        case .array(let a):
            add(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { add(UInt8(ascii: ",")) }
                addCanonical(v, scratch: &scratch)
            }
            add(UInt8(ascii: "]"))
        case .object(let o) where o.count == 1:
            // One key (`{"Default": …}`, every App config item): nothing to sort.
            let (key, v) = o.first!
            add(UInt8(ascii: "{"))
            addCanonical(.string(key), scratch: &scratch)
            add(UInt8(ascii: ":"))
            addCanonical(v, scratch: &scratch)
            add(UInt8(ascii: "}"))
        default:
            scratch.removeAll(keepingCapacity: true)
            value.appendCanonical(to: &scratch)
            add(scratch)
        }
    }
}
