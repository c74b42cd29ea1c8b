import BCModel

/// Values read straight from YAML nodes.
///
/// This is the fast path of typed decoding. `NodeDecoder` (Codable) stays the reference:
/// both must produce the same values and the same diagnostics, which the differential
/// tests check on every example, the malformed corpus and fuzzed inputs. The per-type
/// conformances are generated from the model (`scripts/gen_node_readers.py`), so the
/// field list has one source: the model's stored properties.
protocol NodeReadable {
    /// The value to use when the real one could not be read (the problem is already reported).
    static var blank: Self { get }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> Self?
}

extension NodeDecoding {
    /// An empty instance of a model type, built once per type through its `Decodable` init.
    static func blank<T: Decodable>(_ type: T.Type) -> T {
        guard let value = try? placeholder(T.self) else { fatalError("\(T.self) has no placeholder") }
        return value
    }
}

/// Reads the fields of one mapping, remembering which keys were asked for so that the
/// rest can be reported as unknown fields.
struct ObjectReader {
    let node: YAMLNode
    let pairs: [YAMLPair]
    let path: PathLink?
    let report: DecodingReport
    private var touched: UInt64 = 0
    private var touchedBeyond64: Set<Int> = []

    /// Nil (with the problem reported) when the node is not a mapping; a null node reads as empty.
    init?(_ node: YAMLNode, at ref: PathRef, report: DecodingReport) {
        if let pairs = node.pairs {
            self.pairs = pairs
        } else if node.isNull {
            self.pairs = []
        } else {
            report.add(StructuralProblem(link: ref.link, expected: "mapping", got: node))
            return nil
        }
        self.node = node
        self.path = ref.link
        self.report = report
    }

    private mutating func find(_ key: String) -> (index: Int, value: YAMLNode)? {
        let length = key.utf8.count
        for (i, pair) in pairs.enumerated() {
            guard case .scalar(let k, _) = pair.key.content, k.utf8.count == length, k == key else { continue }
            if i < 64 { touched |= 1 << UInt64(i) } else { touchedBeyond64.insert(i) }
            return (i, pair.value)
        }
        return nil
    }

    mutating func optional<T: NodeReadable>(_ key: String) -> T? {
        guard let (_, value) = find(key), !value.isNull else { return nil }
        return T.read(value, at: PathRef(parent: path, .key(key)), report: report)
    }

    mutating func required<T: NodeReadable>(_ key: String) -> T {
        guard let (_, value) = find(key) else {
            report.add(PathLink.key(path, key), node.start, "required field \"\(key)\" is missing")
            return T.blank
        }
        if value.isNull, T.self != JSONValue.self {
            report.add(PathLink.key(path, key), value.start, "required field \"\(key)\" must not be null")
            return T.blank
        }
        return T.read(value, at: PathRef(parent: path, .key(key)), report: report) ?? T.blank
    }

    /// Reports the keys nobody asked for, with suggestions from `T`'s schema.
    func finish<T: Decodable>(_ type: T.Type) {
        let touched = self.touched, beyond = touchedBeyond64
        NodeDecoding.reportUnknownKeys(pairs, wasTouched: { $0 < 64 ? touched & (1 << UInt64($0)) != 0 : beyond.contains($0) },
                                       type: T.self, at: path, report: report)
    }
}

// MARK: Scalars, enums and collections

extension String: NodeReadable {
    static var blank: String { "" }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> String? {
        do { return try NodeDecoding.string(node, path) } catch { report.add(error); return nil }
    }
}

extension Int: NodeReadable {
    static var blank: Int { 0 }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> Int? {
        do { return try NodeDecoding.int(node, path) } catch { report.add(error); return nil }
    }
}

extension Double: NodeReadable {
    static var blank: Double { 0 }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> Double? {
        do { return try NodeDecoding.double(node, path) } catch { report.add(error); return nil }
    }
}

extension Bool: NodeReadable {
    static var blank: Bool { false }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> Bool? {
        do { return try NodeDecoding.bool(node, path) } catch { report.add(error); return nil }
    }
}

extension NodeReadable where Self: ManifestEnum {
    static var blank: Self { allCases.first! }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> Self? {
        NodeDecoding.decodeEnum(Self.self, from: node, at: path.link, report: report)
    }
}

extension Array: NodeReadable where Element: NodeReadable {
    static var blank: [Element] { [] }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> [Element]? {
        CollectionReading.list(node, at: path.link, report: report) { Element.read($0, at: $1, report: report) }
    }
}

extension Dictionary: NodeReadable where Key == String, Value: NodeReadable {
    static var blank: [String: Value] { [:] }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> [String: Value]? {
        CollectionReading.map(node, at: path.link, report: report) { Value.read($0, at: $1, report: report) }
    }
}

// MARK: Unions

extension EnvValue: NodeReadable {
    static var blank: EnvValue { .literal("") }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> EnvValue? {
        if node.pairs != nil || node.isNull {
            return SecretReference.read(node, at: path, report: report).map { .secret($0.secretFrom) }
        }
        return String.read(node, at: path, report: report).map(EnvValue.literal)
    }
}

extension JSONValue: NodeReadable {
    static var blank: JSONValue { .null }
    static func read(_ node: YAMLNode, at path: PathRef, report: DecodingReport) -> JSONValue? {
        switch node.content {
        case .scalar:
            if node.isNull { return .null }
            if let b = try? NodeDecoding.bool(node, path) { return .bool(b) }
            if let i = try? NodeDecoding.int(node, path) { return .integer(i) }
            if let d = try? NodeDecoding.double(node, path) { return .number(d) }
            return String.read(node, at: path, report: report).map(JSONValue.string)
        case .sequence(let items):
            let link = path.link
            var out: [JSONValue] = []
            for (i, item) in items.enumerated() {
                out.append(JSONValue.read(item, at: PathRef(parent: link, .index(i)), report: report) ?? .null)
            }
            return .array(out)
        case .mapping(let pairs):
            let link = path.link
            var out: [String: JSONValue] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar, out[key] == nil else { continue }
                out[key] = JSONValue.read(pair.value, at: PathRef(parent: link, .key(key)), report: report) ?? .null
            }
            return .object(out)
        }
    }
}
