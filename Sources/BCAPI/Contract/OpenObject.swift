/// Reading and writing an object whose known fields are typed and whose other fields are kept
/// as JSON (`JobDescription`): BatchCompute descriptions grow fields bcops never reads, and
/// passing them through beats listing them all.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

struct OpenReader {
    let container: KeyedDecodingContainer<AnyKey>
    var taken: Set<String> = []

    init(_ decoder: Decoder) throws { container = try decoder.container(keyedBy: AnyKey.self) }

    /// The field `name` as `T`, nil when absent or null.
    mutating func take<T: Decodable>(_ name: String) throws -> T? {
        taken.insert(name)
        return try container.decodeIfPresent(T.self, forKey: AnyKey(name))
    }

    /// Every field not taken, as JSON.
    func rest() throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in container.allKeys where !taken.contains(key.stringValue) {
            out[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        return out
    }
}

struct OpenWriter {
    var container: KeyedEncodingContainer<AnyKey>

    /// Starts with the fields kept as JSON; the typed ones are put after.
    init(_ encoder: Encoder, _ other: [String: JSONValue]) throws {
        container = encoder.container(keyedBy: AnyKey.self)
        for (name, value) in other { try container.encode(value, forKey: AnyKey(name)) }
    }

    /// Writes `value` as the field `name`; nil leaves the field out.
    mutating func put<T: Encodable>(_ name: String, _ value: T?) throws {
        try container.encodeIfPresent(value, forKey: AnyKey(name))
    }
}
