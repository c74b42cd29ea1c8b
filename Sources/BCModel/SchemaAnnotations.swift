/// A closed set of string values (resource types, spot strategies, …).
///
/// The manifest decoder checks membership itself so that a wrong value gets
/// "must be one of …; did you mean …?" instead of a generic decoding failure,
/// and the schema generator lists the values as a JSON Schema `enum`.
public protocol ManifestEnum: CaseIterable, RawRepresentable, Codable, Hashable, Sendable where RawValue == String {}

extension ManifestEnum {
    public static var allRawValues: [String] { allCases.map(\.rawValue) }
}

/// What Swift's types cannot say about a field: its documentation and limits.
///
/// Kept beside each type so the JSON Schema, the docs and the validator agree.
public struct FieldDoc: Sendable {
    public var description: String
    public var pattern: String?
    public var minimum: Double?
    public var maximum: Double?
    public var examples: [String]

    public init(_ description: String, pattern: String? = nil, minimum: Double? = nil,
                maximum: Double? = nil, examples: [String] = []) {
        self.description = description
        self.pattern = pattern
        self.minimum = minimum
        self.maximum = maximum
        self.examples = examples
    }
}

/// Types whose fields carry documentation for the generated JSON Schema.
public protocol SchemaDocumented {
    static var typeDescription: String { get }
    static var fieldDocs: [String: FieldDoc] { get }
}

/// The shape of a type whose schema is not simply "an object of its stored properties",
/// such as a value that may be a string or a secret reference.
public indirect enum SchemaShape {
    case string
    case integer
    case number
    case boolean
    case anyValue
    /// The schema of another model type, recorded from its `Decodable` conformance.
    case type(any Decodable.Type)
    case oneOf([SchemaShape])
}

/// Types that describe their own schema (unions, free-form JSON values).
public protocol CustomSchema {
    static var schemaShape: SchemaShape { get }
}
