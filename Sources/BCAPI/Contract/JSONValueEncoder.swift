/// Contract types written straight into a `JSONValue` tree, the form the planner hashes
/// (`canonicalBytes`: sorted keys, no whitespace) and the client sends. Going through
/// Foundation's `JSONEncoder` and back would cost two passes over text and could change a
/// number's spelling; this writes the tree the types describe, nothing else: a nil optional is
/// left out (`encodeIfPresent`), an explicit `encodeNil` is `null`.
extension JSONValue {
    /// `value` as a JSON tree. Never fails: the encoder's containers do not throw, and the
    /// contract's types encode only through them (a type whose `encode(to:)` throws anyway is
    /// a programming error, stopped here).
    public init<T: Encodable>(encoding value: T) {
        if let v = value as? JSONValue { self = v; return }
        let node = JSONNode()
        do {
            try value.encode(to: JSONTreeEncoder(node, codingPath: []))
        } catch {
            preconditionFailure("\(T.self) cannot be written as JSON: \(error)")
        }
        self = node.finished
    }
}

/// A request shape whose fields are all optional: one with none set is left out of its
/// parent, as BatchCompute reads a missing object and an empty one alike (`Disks: {}` is no
/// disks), and the planner's bodies and hashes have never carried empty ones.
public protocol OmittedWhenEmpty: Encodable {}

extension OmittedWhenEmpty {
    /// Whether no field is set.
    public var isEmpty: Bool { JSONValue(encoding: self) == .object([:]) }
    /// Self, or nil when no field is set.
    public var nonEmpty: Self? { isEmpty ? nil : self }
}

/// One value under construction: written once (a scalar), or an object or array filled by
/// containers that may outlive the call that made them (nested containers).
final class JSONNode {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: JSONNode])
        case array([JSONNode])
    }

    var content: Content = .empty

    var finished: JSONValue {
        switch content {
        case .empty: .object([:])
        case .value(let v): v
        case .object(let fields): .object(fields.mapValues(\.finished))
        case .array(let items): .array(items.map(\.finished))
        }
    }

    func set(_ key: String, _ value: JSONValue) {
        let child = JSONNode()
        child.content = .value(value)
        set(key, child)
    }

    func set(_ key: String, _ child: JSONNode) {
        if case .object(var fields) = content {
            // Drop the reference held in `content` first, so the dictionary is not copied.
            content = .empty
            fields[key] = child
            content = .object(fields)
        } else {
            content = .object([key: child])
        }
    }

    func append(_ child: JSONNode) {
        if case .array(var items) = content {
            content = .empty
            items.append(child)
            content = .array(items)
        } else {
            content = .array([child])
        }
    }

    /// A value of a type the tree spells directly, or nil for one that encodes itself.
    static func scalar<T: Encodable>(_ value: T) -> JSONValue? {
        switch value {
        case let v as JSONValue: v
        case let s as String: .string(s)
        case let i as Int: .integer(i)
        case let b as Bool: .bool(b)
        case let d as Double: .number(d)
        default: nil
        }
    }

    /// The node `value` encodes into.
    static func encoding<T: Encodable>(_ value: T, codingPath: [CodingKey]) throws -> JSONNode {
        let node = JSONNode()
        if let v = scalar(value) {
            node.content = .value(v)
        } else {
            try value.encode(to: JSONTreeEncoder(node, codingPath: codingPath))
        }
        return node
    }
}

struct JSONTreeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ node: JSONNode, codingPath: [CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // A second keyed container writes into the same object (a type encoding another's
        // fields beside its own).
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedJSONContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedJSONContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleJSONContainer(node: node, codingPath: codingPath)
    }
}

struct KeyedJSONContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.set(key.stringValue, .null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.set(key.stringValue, .bool(value)) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.set(key.stringValue, .string(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { node.set(key.stringValue, .number(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.set(key.stringValue, .integer(value)) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try JSONNode.encoding(value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = JSONNode()
        node.set(key.stringValue, child)
        return JSONTreeEncoder(child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = JSONNode()
        node.set(key.stringValue, child)
        return JSONTreeEncoder(child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { superEncoder(named: "super") }
    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(named: key.stringValue) }

    private func superEncoder(named name: String) -> Encoder {
        let child = JSONNode()
        node.set(name, child)
        return JSONTreeEncoder(child, codingPath: codingPath)
    }
}

struct UnkeyedJSONContainer: UnkeyedEncodingContainer {
    let node: JSONNode
    let codingPath: [CodingKey]

    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(.number(value)) }
    mutating func encode(_ value: Int) throws { append(.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try JSONNode.encoding(value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = JSONNode()
        node.append(child)
        return JSONTreeEncoder(child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = JSONNode()
        node.append(child)
        return JSONTreeEncoder(child, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let child = JSONNode()
        node.append(child)
        return JSONTreeEncoder(child, codingPath: codingPath)
    }

    private func append(_ value: JSONValue) {
        let child = JSONNode()
        child.content = .value(value)
        node.append(child)
    }
}

struct SingleJSONContainer: SingleValueEncodingContainer {
    let node: JSONNode
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode(_ value: Bool) throws { node.content = .value(.bool(value)) }
    mutating func encode(_ value: String) throws { node.content = .value(.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .value(.number(value)) }
    mutating func encode(_ value: Int) throws { node.content = .value(.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let v = JSONNode.scalar(value) {
            node.content = .value(v)
        } else {
            try value.encode(to: JSONTreeEncoder(node, codingPath: codingPath))
        }
    }
}
