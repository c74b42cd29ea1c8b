import BCAPI
import Foundation

/// Request bodies as loosely typed JSON, checked field by field so that each wrong field
/// gets BatchCompute's `Invalid<Field>` answer instead of a generic failure.
struct JSONBody {
    let object: [String: Any]

    // MARK: Limits (issue 12: hostile bodies and labels)

    /// How deep a body (or a stored description) may nest. Foundation's JSONSerialization on
    /// Swift 6.3 refuses deeper input too, but as "not in the correct format" and by an
    /// implementation detail: the scan before parsing names the problem and does not depend
    /// on it (a recursive parser without a limit overflows its stack on 20,000 brackets).
    static let maxDepth = 512
    /// Labels (bcops' extension): bytes of one key, of one value, of all keys and values.
    static let maxLabelKeyBytes = 256
    static let maxLabelValueBytes = 64 << 10
    static let maxLabelsBytes = 256 << 10

    static func parse(_ data: Data) throws -> JSONBody {
        guard !data.isEmpty else { return JSONBody(object: [:]) }
        let deepest = data.withUnsafeBytes { depth(of: $0, stoppingAbove: maxDepth) }
        if deepest > maxDepth {
            throw APIError(400, "InvalidJsonFormat", "The request body has an invalid json format: nesting deeper than \(maxDepth) levels.")
        }
        guard let any = try? JSONSerialization.jsonObject(with: data), let object = any as? [String: Any] else {
            throw APIError.invalidJSON
        }
        return JSONBody(object: object)
    }

    /// The deepest nesting of arrays and objects in JSON text (brackets inside strings do not
    /// count); once past `limit`, the scan stops and answers `limit + 1`. Malformed text gets
    /// a number too: the parser refuses it afterwards.
    static func depth<Bytes: Collection<UInt8>>(of bytes: Bytes, stoppingAbove limit: Int = .max) -> Int {
        var depth = 0, deepest = 0
        var inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > deepest {
                    deepest = depth
                    if deepest > limit { return deepest }
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// Rejects keys outside `known`, so a misspelt field is an error, not silently dropped.
    static func checkKnown(_ object: [String: Any], _ known: Set<String>, where context: String) throws {
        for key in object.keys.sorted() where !known.contains(key) {
            throw APIError(400, "InvalidHttpBody", "Unknown field \(context)\(key).")
        }
    }

    static func string(_ object: [String: Any], _ key: String, required: Bool = false) throws -> String? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let s = v as? String else { throw APIError.invalid(key, "expected a string") }
        return s
    }

    static func int(_ object: [String: Any], _ key: String, required: Bool = false) throws -> Int? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let n = v as? NSNumber, !isBool(n) else { throw APIError.invalid(key, "expected an integer") }
        guard let i = exactInt(n) else {
            throw APIError.invalid(key, "expected an integer from \(Int.min) to \(Int.max), got \(numberText(n))")
        }
        return i
    }

    /// The number as an `Int` when it is exactly one: never wrapped (`intValue` of 2^64+5 is
    /// 5), truncated (3.5) or saturated (1e30). JSONSerialization gives integers as signed or
    /// unsigned 64-bit numbers, fractions and exponents as doubles, and larger integers as
    /// NSDecimalNumber.
    static func exactInt(_ n: NSNumber) -> Int? {
        if let d = n as? NSDecimalNumber { return Int(d.description) }
        switch String(cString: n.objCType) {
        case "d", "f":
            let d = n.doubleValue
            // -2^63 ... 2^63 (exclusive): exactly the doubles that fit.
            guard d.isFinite, d == d.rounded(), d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { return nil }
            return Int(d)
        case "Q", "L", "I", "S", "C":
            return n.uint64Value <= UInt64(Int.max) ? Int(n.uint64Value) : nil
        default:
            return Int(n.int64Value)
        }
    }

    /// A number as the request wrote it, near enough for a message.
    static func numberText(_ n: NSNumber) -> String {
        if let d = n as? NSDecimalNumber { return d.description }
        switch String(cString: n.objCType) {
        case "d", "f": return "\(n.doubleValue)"
        case "Q", "L", "I", "S", "C": return "\(n.uint64Value)"
        default: return "\(n.int64Value)"
        }
    }

    static func bool(_ object: [String: Any], _ key: String) throws -> Bool? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, isBool(n) else { throw APIError.invalid(key, "expected true or false") }
        return n.boolValue
    }

    static func dict(_ object: [String: Any], _ key: String, required: Bool = false) throws -> [String: Any]? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let d = v as? [String: Any] else { throw APIError.invalid(key, "expected an object") }
        return d
    }

    /// JSON booleans come back as NSNumber too; their ObjC type is `c` (char).
    /// bcops' `Labels` extension: string keys and string values.
    /// Bounded in size (`maxLabelKeyBytes`, `maxLabelValueBytes`, `maxLabelsBytes`): labels are
    /// read by every plan, in every inventory.
    static func checkLabels(_ object: [String: Any]) throws {
        guard let labels = try dict(object, "Labels") else { return }
        var total = 0
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) {
            guard !k.isEmpty, let value = v as? String else {
                throw APIError.invalid("Labels", "label \(k) must have a string value")
            }
            let keyBytes = k.utf8.count, valueBytes = value.utf8.count
            guard keyBytes <= maxLabelKeyBytes else {
                throw APIError.invalid("Labels", "label key \(k.prefix(32))… is \(keyBytes) bytes; at most \(maxLabelKeyBytes)")
            }
            guard valueBytes <= maxLabelValueBytes else {
                throw APIError.invalid("Labels", "the value of label \(k) is \(valueBytes) bytes; at most \(maxLabelValueBytes)")
            }
            total += keyBytes + valueBytes
        }
        guard total <= maxLabelsBytes else {
            throw APIError.invalid("Labels", "the labels are \(total) bytes in all (keys and values); at most \(maxLabelsBytes)")
        }
    }

    static func isBool(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c"
    }

    /// A stored description's canonical text: keys sorted, so an idempotent retry of the same
    /// body stores (and compares) the same bytes.
    static func serialize(_ value: Any) -> Data {
        JSONWriter.data(value)
    }

    /// A value of a parsed body as the contract's `JSONValue` (for the parts of a body an
    /// answer repeats).
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let s as String: return .string(s)
        case let n as NSNumber:
            if isBool(n) { return .bool(n.boolValue) }
            if let i = exactInt(n), !["d", "f"].contains(String(cString: n.objCType)) { return .integer(i) }
            return .number(n.doubleValue)
        case let o as [String: Any]: return .object(o.mapValues(value))
        case let a as [Any]: return .array(a.map(value))
        default: return .null
        }
    }
}
