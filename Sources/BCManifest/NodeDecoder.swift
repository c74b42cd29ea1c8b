import BCModel

/// Decodes model types from YAML nodes through their `Decodable` conformances, recording
/// every problem (with its location) instead of stopping at the first.
///
/// When a field is wrong, the problem is recorded and a placeholder value takes its place,
/// so the rest of the manifest is still checked in the same run. Fields are marked as
/// used while the model decodes them; keys nobody asked for are unknown fields.
enum NodeDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode, at path: PathLink?, report: DecodingReport) -> T? {
        decode(T.self, from: node, at: PathRef(path), report: report)
    }

    static func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode, at ref: PathRef, report: DecodingReport) -> T? {
        do {
            if let v = try primitive(T.self, from: node, at: ref) { return v }
        } catch let p as StructuralProblem {
            report.add(p)
            return nil
        } catch { return nil }
        let path = ref.link
        if let enumType = T.self as? any ManifestEnum.Type {
            return decodeEnum(enumType, from: node, at: path, report: report) as? T
        }
        if let collection = T.self as? any DirectlyDecodedCollection.Type {
            return collection.decodeDirectly(from: node, at: path, report: report) as? T
        }
        let usage = KeyUsage()
        let decoder = NodeDecoder(node: node, path: path, report: report, usage: usage)
        do {
            let value = try T(from: decoder)
            if usage.keyed, let pairs = node.pairs { reportUnknownKeys(pairs, usage: usage, type: T.self, at: path, report: report) }
            return value
        } catch let p as StructuralProblem {
            report.add(p)
        } catch is AlreadyReported {
        } catch let e as DecodingError {
            report.add(path, node.start, describe(e))
        } catch {
            report.add(path, node.start, "\(error)")
        }
        return nil
    }

    /// A placeholder for a value that could not be decoded (already reported).
    static func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        if let v = phantomPrimitive(T.self) { return v }
        if let enumType = T.self as? any ManifestEnum.Type, let first = firstCase(enumType) as? T { return first }
        do {
            return try T(from: NodeDecoder(node: nil, path: nil, report: DecodingReport(), usage: KeyUsage()))
        } catch {
            throw AlreadyReported()
        }
    }

    private static func firstCase<E: ManifestEnum>(_ type: E.Type) -> E? { E.allCases.first }

    static func decodeEnum<E: ManifestEnum>(_ type: E.Type, from node: YAMLNode, at path: PathLink?, report: DecodingReport) -> E? {
        guard let s = node.scalar, !node.isNull else {
            report.add(path, node.start, "expected one of \(E.allRawValues.joined(separator: ", ")), got \(node.kindDescription)")
            return nil
        }
        if let v = E(rawValue: s) { return v }
        let values = E.allRawValues
        report.add(path, node.start, "\"\(s)\" is not one of \(values.joined(separator: ", "))\(Suggestions.hint(for: s, in: values))")
        return nil
    }

    static func reportUnknownKeys<T: Decodable>(_ pairs: [YAMLPair], usage: KeyUsage, type: T.Type, at path: PathLink?, report: DecodingReport) {
        reportUnknownKeys(pairs, wasTouched: usage.wasTouched, type: T.self, at: path, report: report)
    }

    static func reportUnknownKeys<T: Decodable>(_ pairs: [YAMLPair], wasTouched: (Int) -> Bool, type: T.Type, at path: PathLink?, report: DecodingReport) {
        var known: [String]?
        for (i, pair) in pairs.enumerated() where !wasTouched(i) {
            guard let key = pair.key.scalar else { continue }
            // A repeated key is reported by the composer as a duplicate, not as unknown.
            if pairs[..<i].contains(where: { $0.key.scalar == key }) { continue }
            // Only now, on the error path, ask the schema which fields exist.
            if known == nil { known = SchemaRecorder.schema(for: T.self).propertyOrder ?? [] }
            report.add(PathLink.key(path, key), pair.key.start,
                       "unknown field \"\(key)\"\(Suggestions.hint(for: key, in: known ?? []))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): c.debugDescription
        case .keyNotFound(let k, _): "missing required field \"\(k.stringValue)\""
        @unknown default: "\(error)"
        }
    }

    // MARK: Scalars

    /// Strings, integers, booleans and numbers, without a dynamic cast: `T` is known to be
    /// exactly that type when the metatypes compare equal.
    static func primitive<T>(_ type: T.Type, from node: YAMLNode, at ref: PathRef) throws -> T? {
        if T.self == String.self { return unsafeBitCast(try string(node, ref), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try int(node, ref), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(node, ref), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try double(node, ref), to: T.self) }
        return nil
    }

    static func primitive<T>(_ type: T.Type, from node: YAMLNode, at path: PathLink?) throws -> T? {
        try primitive(T.self, from: node, at: PathRef(path))
    }

    static func phantomPrimitive<T>(_ type: T.Type) -> T? {
        if T.self == String.self { return "" as? T }
        if T.self == Int.self { return 0 as? T }
        if T.self == Bool.self { return false as? T }
        if T.self == Double.self { return 0.0 as? T }
        return nil
    }

    static func string(_ node: YAMLNode, _ path: PathRef) throws -> String {
        guard case .scalar(let s, let style) = node.content, !node.isNull else { throw mismatch("string", node, path) }
        if style == .plain, node.tag == nil, PlainScalar.isBool(s) || PlainScalar.isFloat(s) {
            throw StructuralProblem(link: path.link, mark: node.start,
                                    message: "expected string, got \(node.kindDescription); quote it (\"\(s)\") to keep it as text")
        }
        return s
    }

    static func int(_ node: YAMLNode, _ path: PathRef) throws -> Int {
        guard case .scalar(let s, .plain) = node.content, PlainScalar.isInt(s) else { throw mismatch("integer", node, path) }
        guard let v = Int(s.hasPrefix("+") ? String(s.dropFirst()) : s) else {
            throw StructuralProblem(link: path.link, mark: node.start, message: "integer \(s) is out of range")
        }
        return v
    }

    static func double(_ node: YAMLNode, _ path: PathRef) throws -> Double {
        guard case .scalar(let s, .plain) = node.content, PlainScalar.isFloat(s), let v = Double(s) else {
            throw mismatch("number", node, path)
        }
        return v
    }

    static func bool(_ node: YAMLNode, _ path: PathRef) throws -> Bool {
        guard case .scalar(let s, .plain) = node.content, let v = PlainScalar.bool(s) else {
            if case .scalar(let s, _) = node.content, ["yes", "no", "on", "off", "y", "n"].contains(s.lowercased()) {
                throw StructuralProblem(link: path.link, mark: node.start,
                                        message: "expected boolean (true or false), got \"\(s)\"")
            }
            throw mismatch("boolean (true or false)", node, path)
        }
        return v
    }

    static func mismatch(_ expected: String, _ node: YAMLNode, _ path: PathRef) -> StructuralProblem {
        StructuralProblem(link: path.link, expected: expected, got: node)
    }

    static func mismatch(_ expected: String, _ node: YAMLNode, _ path: PathLink?) -> StructuralProblem {
        StructuralProblem(link: path, expected: expected, got: node)
    }
}

/// Which pairs of a mapping the model asked for, by position (no strings kept on the hot path).
final class KeyUsage {
    var keyed = false
    private var small: UInt64 = 0
    private var large: Set<Int> = []

    func touch(_ index: Int) {
        if index < 64 { small |= 1 << UInt64(index) } else { large.insert(index) }
    }

    func wasTouched(_ index: Int) -> Bool { index < 64 ? small & (1 << UInt64(index)) != 0 : large.contains(index) }
}

/// A `Decoder` over one node; `node == nil` is the placeholder ("phantom") decoder that yields empty values.
struct NodeDecoder: Decoder {
    let node: YAMLNode?
    let path: PathLink?
    let report: DecodingReport
    let usage: KeyUsage

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        usage.keyed = true
        guard let node else { return KeyedDecodingContainer(NodeKeyedContainer<Key>(pairs: [], parent: nil, path: path, report: report, usage: usage)) }
        guard let pairs = node.pairs else {
            if node.isNull { return KeyedDecodingContainer(NodeKeyedContainer<Key>(pairs: [], parent: node, path: path, report: report, usage: usage)) }
            throw NodeDecoding.mismatch("mapping", node, path)
        }
        return KeyedDecodingContainer(NodeKeyedContainer<Key>(pairs: pairs, parent: node, path: path, report: report, usage: usage))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let node else { return NodeUnkeyedContainer(items: [], path: path, report: report) }
        guard let items = node.items else {
            if node.isNull { return NodeUnkeyedContainer(items: [], path: path, report: report) }
            throw NodeDecoding.mismatch("list", node, path)
        }
        return NodeUnkeyedContainer(items: items, path: path, report: report)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        NodeSingleValueContainer(node: node, path: path, report: report)
    }
}

struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let pairs: [YAMLPair]
    /// nil in the phantom decoder: missing keys are then not problems.
    let parent: YAMLNode?
    let path: PathLink?
    let report: DecodingReport
    let usage: KeyUsage

    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { pairs.compactMap { $0.key.scalar.flatMap(Key.init(stringValue:)) } }

    private func find(_ key: Key) -> YAMLNode? {
        let name = key.stringValue
        let length = name.utf8.count
        for (i, pair) in pairs.enumerated() {
            guard case .scalar(let k, _) = pair.key.content, k.utf8.count == length, k == name else { continue }
            usage.touch(i)
            return pair.value
        }
        return nil
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { find(key)?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let child = find(key), !child.isNull || T.self == JSONValue.self else {
            let childPath = PathLink.key(path, key.stringValue)
            if let parent {
                let present = pairs.first(where: { $0.key.scalar == key.stringValue })
                report.add(childPath, present?.value.start ?? parent.start,
                           present == nil ? "required field \"\(key.stringValue)\" is missing" : "required field \"\(key.stringValue)\" must not be null")
            }
            return try NodeDecoding.placeholder(T.self)
        }
        if let v = NodeDecoding.decode(T.self, from: child, at: PathRef(parent: path, .key(key.stringValue)), report: report) { return v }
        return try NodeDecoding.placeholder(T.self)
    }

    /// Optional fields that fail to decode become nil, so later rules do not see a placeholder.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let child = find(key), !child.isNull else { return nil }
        return NodeDecoding.decode(T.self, from: child, at: PathRef(parent: path, .key(key.stringValue)), report: report)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Bool.self, generic: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(String.self, generic: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Double.self, generic: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try decode(Double.self, generic: key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Int.self, generic: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { Int8(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { Int16(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { Int32(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { Int64(try decode(Int.self, generic: key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { UInt(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { UInt8(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { UInt16(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { UInt32(clamping: try decode(Int.self, generic: key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { UInt64(clamping: try decode(Int.self, generic: key)) }

    private func decode<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T { try decode(type, forKey: key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(Bool.self, generic: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(String.self, generic: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeIfPresent(Double.self, generic: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(Int.self, generic: key) }

    private func decodeIfPresent<T: Decodable>(_ type: T.Type, generic key: Key) throws -> T? { try decodeIfPresent(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try superDecoder(forKey: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try superDecoder(forKey: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { NodeDecoder(node: parent, path: path, report: report, usage: usage) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        NodeDecoder(node: find(key), path: PathLink.key(path, key.stringValue), report: report, usage: KeyUsage())
    }
}

struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let items: [YAMLNode]
    let path: PathLink?
    let report: DecodingReport
    var currentIndex = 0

    init(items: [YAMLNode], path: PathLink?, report: DecodingReport) {
        self.items = items; self.path = path; self.report = report
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return true }
        if items[currentIndex].isNull { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else { throw AlreadyReported() }
        let i = currentIndex
        currentIndex += 1
        if let v = NodeDecoding.decode(T.self, from: items[i], at: PathRef(parent: path, .index(i)), report: report) { return v }
        return try NodeDecoding.placeholder(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try superDecoder().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try superDecoder().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder {
        guard !isAtEnd else { throw AlreadyReported() }
        let i = currentIndex
        currentIndex += 1
        return NodeDecoder(node: items[i], path: PathLink.index(path, i), report: report, usage: KeyUsage())
    }
}

struct NodeSingleValueContainer: SingleValueDecodingContainer {
    let node: YAMLNode?
    let path: PathLink?
    let report: DecodingReport

    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { node?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let node else { return try NodeDecoding.placeholder(T.self) }
        if let v = try NodeDecoding.primitive(T.self, from: node, at: path) { return v }
        if let v = NodeDecoding.decode(T.self, from: node, at: path, report: report) { return v }
        throw AlreadyReported()
    }

    func decode(_ type: Bool.Type) throws -> Bool { try node.map { try NodeDecoding.bool($0, PathRef(path)) } ?? false }
    func decode(_ type: String.Type) throws -> String { try node.map { try NodeDecoding.string($0, PathRef(path)) } ?? "" }
    func decode(_ type: Double.Type) throws -> Double { try node.map { try NodeDecoding.double($0, PathRef(path)) } ?? 0 }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try node.map { try NodeDecoding.int($0, PathRef(path)) } ?? 0 }
    func decode(_ type: Int8.Type) throws -> Int8 { Int8(clamping: try decode(Int.self)) }
    func decode(_ type: Int16.Type) throws -> Int16 { Int16(clamping: try decode(Int.self)) }
    func decode(_ type: Int32.Type) throws -> Int32 { Int32(clamping: try decode(Int.self)) }
    func decode(_ type: Int64.Type) throws -> Int64 { Int64(try decode(Int.self)) }
    func decode(_ type: UInt.Type) throws -> UInt { UInt(clamping: try decode(Int.self)) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { UInt8(clamping: try decode(Int.self)) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { UInt16(clamping: try decode(Int.self)) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { UInt32(clamping: try decode(Int.self)) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { UInt64(clamping: try decode(Int.self)) }
}

/// Maps and lists decode straight from the node's pairs and items: the standard
/// library's `Dictionary` and `Array` conformances go through type-erased container
/// boxes that cost more than the rest of a manifest together.
protocol DirectlyDecodedCollection {
    static func decodeDirectly(from node: YAMLNode, at path: PathLink?, report: DecodingReport) -> Self?
}

extension Dictionary: DirectlyDecodedCollection where Key == String, Value: Decodable {
    static func decodeDirectly(from node: YAMLNode, at path: PathLink?, report: DecodingReport) -> Self? {
        CollectionReading.map(node, at: path, report: report) { NodeDecoding.decode(Value.self, from: $0, at: $1, report: report) }
    }
}

extension Array: DirectlyDecodedCollection where Element: Decodable {
    static func decodeDirectly(from node: YAMLNode, at path: PathLink?, report: DecodingReport) -> Self? {
        CollectionReading.list(node, at: path, report: report) { NodeDecoding.decode(Element.self, from: $0, at: $1, report: report) }
    }
}

/// The shared rules for reading maps and lists, whichever path decodes their values.
enum CollectionReading {
    /// A mapping with free keys; null is empty, null values are problems (except free JSON).
    static func map<V>(_ node: YAMLNode, at path: PathLink?, report: DecodingReport,
                       value: (YAMLNode, PathRef) -> V?) -> [String: V]? {
        guard let pairs = node.pairs else {
            if node.isNull { return [:] }
            report.add(StructuralProblem(link: path, expected: "mapping", got: node))
            return nil
        }
        var out = [String: V](minimumCapacity: pairs.count)
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }  // reported by the composer
            if pair.value.isNull, V.self != JSONValue.self {
                report.add(PathLink.key(path, key), pair.value.start, "value of \"\(key)\" must not be null")
                continue
            }
            if let v = value(pair.value, PathRef(parent: path, .key(key))) { out[key] = v }
        }
        return out
    }

    /// A sequence; null is empty, items that fail are left out (their problem is reported).
    static func list<E>(_ node: YAMLNode, at path: PathLink?, report: DecodingReport,
                        item: (YAMLNode, PathRef) -> E?) -> [E]? {
        guard let items = node.items else {
            if node.isNull { return [] }
            report.add(StructuralProblem(link: path, expected: "list", got: node))
            return nil
        }
        var out: [E] = []
        out.reserveCapacity(items.count)
        for (i, node) in items.enumerated() {
            if let v = item(node, PathRef(parent: path, .index(i))) { out.append(v) }
        }
        return out
    }
}
