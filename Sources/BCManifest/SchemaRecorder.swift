import BCModel

/// Reads a model type's schema by running its `Decodable` initializer against a decoder
/// that records each field asked for, its type, and whether it is optional.
///
/// Optional fields are seen through `decodeIfPresent`, whose default implementation asks
/// `decodeNil(forKey:)` first; a key whose nil-ness was asked is therefore optional.
public enum SchemaRecorder {
    public static func schema(for type: any Decodable.Type) -> SchemaNode {
        if type == String.self { return .string(enumValues: nil) }
        if type == Int.self { return .integer }
        if type == Double.self { return .number }
        if type == Bool.self { return .boolean }
        if let e = type as? any ManifestEnum.Type { return .string(enumValues: e.allRawValues) }
        if let c = type as? any CustomSchema.Type { return shape(c.schemaShape) }
        if let a = type as? any ArraySchemaMarker.Type { return .array(schema(for: a.elementType)) }
        if let d = type as? any DictionarySchemaMarker.Type { return .map(schema(for: d.valueType)) }
        if let o = type as? any OptionalSchemaMarker.Type { return schema(for: o.wrappedType) }
        let recorder = RecordingDecoder()
        _ = try? type.init(from: recorder)
        let docs = (type as? any SchemaDocumented.Type)
        let properties = recorder.fields.fields.map { field in
            ObjectSchema.Property(name: field.name, schema: field.schema,
                                  required: !recorder.fields.optional.contains(field.name),
                                  doc: docs?.fieldDocs[field.name])
        }
        return .object(ObjectSchema(typeName: String(describing: type), description: docs?.typeDescription, properties: properties,
                                    exactlyOneOf: (type as? any SchemaAlternatives.Type)?.exactlyOneOf ?? []))
    }

    static func shape(_ shape: SchemaShape) -> SchemaNode {
        switch shape {
        case .string: .string(enumValues: nil)
        case .integer: .integer
        case .number: .number
        case .boolean: .boolean
        case .anyValue: .anyValue
        case .type(let t): schema(for: t)
        case .oneOf(let shapes): .oneOf(shapes.map(SchemaRecorder.shape))
        }
    }

    /// The schema of a whole manifest of `kind`: envelope, metadata and the kind's spec.
    public static func manifestSchema(for kind: Kind) -> ObjectSchema {
        ObjectSchema(typeName: kind.rawValue, description: kind.specType.typeDescription, properties: [
            .init(name: "apiVersion", schema: .string(enumValues: [Kind.apiVersion]), required: true,
                  doc: FieldDoc("Always \(Kind.apiVersion).")),
            .init(name: "kind", schema: .string(enumValues: [kind.rawValue]), required: true, doc: FieldDoc("The kind.")),
            .init(name: "metadata", schema: schema(for: Metadata.self), required: true, doc: FieldDoc("Name and labels.")),
            .init(name: "spec", schema: schema(for: kind.specType), required: true, doc: FieldDoc(kind.specType.typeDescription)),
        ])
    }
}

protocol ArraySchemaMarker { static var elementType: any Decodable.Type { get } }
extension Array: ArraySchemaMarker where Element: Decodable { static var elementType: any Decodable.Type { Element.self } }

protocol DictionarySchemaMarker { static var valueType: any Decodable.Type { get } }
extension Dictionary: DictionarySchemaMarker where Key == String, Value: Decodable { static var valueType: any Decodable.Type { Value.self } }

protocol OptionalSchemaMarker { static var wrappedType: any Decodable.Type { get } }
extension Optional: OptionalSchemaMarker where Wrapped: Decodable { static var wrappedType: any Decodable.Type { Wrapped.self } }

final class RecordedFields {
    var fields: [(name: String, schema: SchemaNode)] = []
    var optional: Set<String> = []

    func record(_ name: String, _ type: any Decodable.Type) {
        if !fields.contains(where: { $0.name == name }) { fields.append((name, SchemaRecorder.schema(for: type))) }
    }
}

struct RecordingDecoder: Decoder {
    let fields = RecordedFields()
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RecordingKeyedContainer<Key>(fields: fields))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw AlreadyReported() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw AlreadyReported() }
}

struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let fields: RecordedFields
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }

    func decodeNil(forKey key: Key) throws -> Bool {
        fields.optional.insert(key.stringValue)
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        fields.record(key.stringValue, T.self)
        return try NodeDecoding.placeholder(T.self)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Bool.self, generic: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(String.self, generic: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Double.self, generic: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, generic: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Int.self, generic: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { Int8(try decode(Int.self, generic: key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { Int16(try decode(Int.self, generic: key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { Int32(try decode(Int.self, generic: key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { Int64(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { UInt(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { UInt8(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { UInt16(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { UInt32(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { UInt64(try decode(Int.self, generic: key)) }

    private func decode<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T { try decode(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw AlreadyReported()
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw AlreadyReported() }
    func superDecoder() throws -> any Decoder { throw AlreadyReported() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw AlreadyReported() }
}
