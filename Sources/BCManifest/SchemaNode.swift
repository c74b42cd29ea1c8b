import BCModel

/// The shape of a model type, read from its `Decodable` conformance: the single source
/// for the JSON Schema files, key order in `bcctl fmt`, and the docs.
public indirect enum SchemaNode: Sendable {
    case string(enumValues: [String]?)
    case integer
    case number
    case boolean
    case anyValue
    case array(SchemaNode)
    /// A mapping with free keys (`groups`, `env`, `tasks`).
    case map(SchemaNode)
    case object(ObjectSchema)
    case oneOf([SchemaNode])

    /// The schema of the value under `key`, for walking a document alongside its schema.
    public func child(_ key: String) -> SchemaNode? {
        switch self {
        case .object(let o): return o.properties.first(where: { $0.name == key })?.schema
        case .map(let v): return v
        case .oneOf(let options):
            for o in options { if let c = o.child(key) { return c } }
            return nil
        default: return nil
        }
    }

    public var itemSchema: SchemaNode? {
        switch self {
        case .array(let s): return s
        case .oneOf(let options): return options.lazy.compactMap(\.itemSchema).first
        default: return nil
        }
    }

    /// Property names in declaration order, for objects.
    public var propertyOrder: [String]? {
        switch self {
        case .object(let o): return o.properties.map(\.name)
        case .oneOf(let options): return options.lazy.compactMap(\.propertyOrder).first
        default: return nil
        }
    }
}

public struct ObjectSchema: Sendable {
    public struct Property: Sendable {
        public var name: String
        public var schema: SchemaNode
        public var required: Bool
        public var doc: FieldDoc?
    }

    public var typeName: String
    public var description: String?
    public var properties: [Property]
    /// Exactly one of these groups of fields is required (`SchemaAlternatives`).
    public var exactlyOneOf: [[String]] = []
}
