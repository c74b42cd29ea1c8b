import BCAPI
import Foundation

/// Decodes a contract type from a request body `JSONBody` has read, each field through
/// JSONBody's own checks: a wrong field gets the same `Invalid<Field>` or `Missing<Field>`
/// answer as when handlers read the body field by field, which clients and tests rely on.
/// (JSONDecoder's DecodingError names neither the field the way BatchCompute does nor the
/// integer range.) Covers what request bodies hold: strings, integers, booleans, numbers and
/// nested objects; a null field counts as absent, as in JSONBody.
struct BodyDecoder: Decoder {
    let object: [String: Any]
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The body as `T`, refusing fields `T` does not know first (as the field-by-field
    /// handlers did).
    static func decode<T: ClosedRequestBody>(_ type: T.Type, from body: JSONBody) throws -> T {
        try JSONBody.checkKnown(body.object, T.fields, where: "")
        return try T(from: BodyDecoder(object: body.object))
    }

    /// The body as `T`, other fields ignored.
    static func decodeOpen<T: Decodable>(_ type: T.Type, from body: JSONBody) throws -> T {
        try T(from: BodyDecoder(object: body.object))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Fields<Key>(object: object))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer { throw APIError.invalidJSON }
    func singleValueContainer() throws -> SingleValueDecodingContainer { throw APIError.invalidJSON }

    struct Fields<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let object: [String: Any]
        var codingPath: [CodingKey] { [] }
        var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { object[key.stringValue] == nil || object[key.stringValue] is NSNull }

        func decode(_ type: String.Type, forKey key: Key) throws -> String { try JSONBody.string(object, key.stringValue, required: true)! }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try JSONBody.int(object, key.stringValue, required: true)! }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            guard let b = try JSONBody.bool(object, key.stringValue) else { throw APIError.missing(key.stringValue) }
            return b
        }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
            guard let v = object[key.stringValue], !(v is NSNull) else { throw APIError.missing(key.stringValue) }
            guard let n = v as? NSNumber, !JSONBody.isBool(n) else { throw APIError.invalid(key.stringValue, "expected a number") }
            return n.doubleValue
        }

        /// Generic callers (`decodeIfPresent`, the contract's `field(_:or:)`) land here: the
        /// same checks, picked by type.
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            switch type {
            case is String.Type: return try decode(String.self, forKey: key) as! T
            case is Int.Type: return try decode(Int.self, forKey: key) as! T
            case is Bool.Type: return try decode(Bool.self, forKey: key) as! T
            case is Double.Type: return try decode(Double.self, forKey: key) as! T
            default:
                let nested = try JSONBody.dict(object, key.stringValue, required: true)!
                return try T(from: BodyDecoder(object: nested))
            }
        }

        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, forKey: key)) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try narrow(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try narrow(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try narrow(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try narrow(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try narrow(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try narrow(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try narrow(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try narrow(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try narrow(key) }

        func narrow<I: FixedWidthInteger>(_ key: Key) throws -> I {
            let i = try decode(Int.self, forKey: key)
            guard let n = I(exactly: i) else { throw APIError.invalid(key.stringValue, "expected an integer from \(I.min) to \(I.max), got \(i)") }
            return n
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Fields<NestedKey>(object: try JSONBody.dict(object, key.stringValue, required: true)!))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { throw APIError.invalid(key.stringValue, "expected a list") }
        func superDecoder() throws -> Decoder { BodyDecoder(object: object) }
        func superDecoder(forKey key: Key) throws -> Decoder { BodyDecoder(object: try JSONBody.dict(object, key.stringValue, required: true)!) }
    }
}
