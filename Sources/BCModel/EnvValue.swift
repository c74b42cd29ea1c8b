/// A value that is either written in the manifest or read at apply time from a secret source.
///
/// Secrets are never resolved by the model: plans and state carry only the reference,
/// so a value from `secretFrom` can never leak into a plan file or a log.
public enum EnvValue: Codable, Equatable, Sendable, CustomSchema {
    case literal(String)
    case secret(SecretSource)

    public init(from decoder: Decoder) throws {
        // A mapping is a secret reference; anything else must be a string.
        if (try? decoder.container(keyedBy: AnyCodingKey.self)) != nil {
            self = .secret(try SecretReference(from: decoder).secretFrom)
        } else {
            self = .literal(try decoder.singleValueContainer().decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .literal(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .secret(let source):
            try SecretReference(secretFrom: source).encode(to: encoder)
        }
    }

    public var isSecret: Bool { if case .secret = self { return true } else { return false } }

    public static var schemaShape: SchemaShape { .oneOf([.string, .type(SecretReference.self)]) }
}

/// `{secretFrom: …}`: the wrapper object users write.
public struct SecretReference: Codable, Equatable, Sendable, SchemaDocumented {
    public var secretFrom: SecretSource

    public static let typeDescription = "A value resolved only at apply time; plans show (sensitive value)."
    public static let fieldDocs: [String: FieldDoc] = ["secretFrom": FieldDoc("Where the secret is read from.")]
}

/// Where a secret comes from: exactly one of an environment variable or a file.
public struct SecretSource: Codable, Equatable, Sendable, SchemaDocumented {
    public var env: String?
    public var file: String?

    public init(env: String? = nil, file: String? = nil) { self.env = env; self.file = file }

    public static let typeDescription = "Exactly one of env or file."
    public static let fieldDocs: [String: FieldDoc] = [
        "env": FieldDoc("Name of an environment variable of the bcapply process.", pattern: "^[A-Za-z_][A-Za-z0-9_]*$"),
        "file": FieldDoc("Path of a file whose content (without a trailing newline) is the value."),
    ]
}

/// A coding key for any string, used to ask "is this a mapping?".
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
