import CLibYAML

/// A YAML syntax or structure problem with the place it was found.
public struct YAMLProblem: Error, Sendable, Equatable {
    public var message: String
    public var mark: SourceMark

    public init(_ message: String, at mark: SourceMark) { self.message = message; self.mark = mark }
}

/// One document of a stream, with non-fatal problems (duplicate keys, non-string keys) found while composing it.
public struct YAMLDocument: Sendable {
    public var root: YAMLNode
    public var start: SourceMark
    public var end: SourceMark
    public var problems: [YAMLProblem]
    /// Whether the document began with an explicit `---`.
    public var explicitStart: Bool
    /// Whether the document defines anchors or uses aliases (expanded in `root`).
    public var hasAnchors: Bool
}

/// Builds node trees with marks from libyaml's event API.
///
/// libyaml does the scanning and parsing; this class only assembles nodes, expands aliases
/// within a budget (so "billion laughs" inputs fail fast instead of exhausting memory),
/// bounds nesting depth, and notes duplicate keys. One instance reads one stream.
public final class YAMLComposer {
    /// Nodes that alias expansion may add to one document.
    public static let maxAliasExpansion = 100_000
    /// Deepest nesting of collections accepted.
    public static let maxDepth = 256

    private var parser = yaml_parser_t()
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private lazy var lines = LineIndex(Array(buffer))
    private var finished = false
    private var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    private var expanded = 0
    private var problems: [YAMLProblem] = []
    private var sawAnchor = false

    public init(bytes: [UInt8]) {
        buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(&parser)
        buffer.deallocate()
    }

    /// The next document, or nil at the end of the stream.
    public func nextDocument() throws(YAMLProblem) -> YAMLDocument? {
        if finished { return nil }
        var event = try next()
        if case .streamStart = event { event = try next() }
        if case .streamEnd = event { finished = true; return nil }
        guard case .documentStart(let start, let implicit) = event else {
            throw YAMLProblem("expected the start of a document", at: event.mark)
        }
        anchors = [:]
        expanded = 0
        problems = []
        sawAnchor = false
        let root = try compose(try next(), depth: 0).node
        let endEvent = try next()
        guard case .documentEnd(let end) = endEvent else {
            throw YAMLProblem("expected the end of the document", at: endEvent.mark)
        }
        return YAMLDocument(root: root, start: start, end: end, problems: problems, explicitStart: !implicit, hasAnchors: sawAnchor)
    }

    // MARK: Composition

    private func compose(_ event: Event, depth: Int) throws(YAMLProblem) -> (node: YAMLNode, weight: Int) {
        switch event {
        case .scalar(let value, let style, let tag, let anchor, let start, let end):
            let node = YAMLNode(.scalar(value, style), start: start, end: end, tag: tag)
            if let anchor { anchors[anchor] = (node, 1); sawAnchor = true }
            return (node, 1)
        case .alias(let name, let start):
            sawAnchor = true
            guard let target = anchors[name] else { throw YAMLProblem("unknown alias *\(name)", at: start) }
            expanded += target.weight
            if expanded > YAMLComposer.maxAliasExpansion {
                throw YAMLProblem("aliases expand to more than \(YAMLComposer.maxAliasExpansion) nodes (refusing a \"billion laughs\" expansion)", at: start)
            }
            return target
        case .sequenceStart(let tag, let anchor, let flow, let start):
            if depth >= YAMLComposer.maxDepth { throw YAMLProblem("nesting deeper than \(YAMLComposer.maxDepth) levels", at: start) }
            var items: [YAMLNode] = []
            var weight = 1
            while true {
                let e = try next()
                if case .sequenceEnd(let end) = e {
                    let node = YAMLNode(.sequence(items), start: start, end: end, tag: tag, isFlow: flow)
                    if let anchor { anchors[anchor] = (node, weight); sawAnchor = true }
                    return (node, weight)
                }
                let child = try compose(e, depth: depth + 1)
                items.append(child.node)
                weight += child.weight
            }
        case .mappingStart(let tag, let anchor, let flow, let start):
            if depth >= YAMLComposer.maxDepth { throw YAMLProblem("nesting deeper than \(YAMLComposer.maxDepth) levels", at: start) }
            var pairs: [YAMLPair] = []
            var weight = 1
            while true {
                let e = try next()
                if case .mappingEnd(let end) = e {
                    checkKeys(pairs)
                    let node = YAMLNode(.mapping(pairs), start: start, end: end, tag: tag, isFlow: flow)
                    if let anchor { anchors[anchor] = (node, weight); sawAnchor = true }
                    return (node, weight)
                }
                let key = try compose(e, depth: depth + 1)
                let value = try compose(try next(), depth: depth + 1)
                pairs.append(YAMLPair(key: key.node, value: value.node))
                weight += key.weight + value.weight
            }
        default:
            throw YAMLProblem("unexpected YAML event", at: event.mark)
        }
    }

    private func checkKeys(_ pairs: [YAMLPair]) {
        if pairs.count < 2 {
            if let k = pairs.first?.key, k.scalar == nil { problems.append(YAMLProblem("mapping keys must be plain strings", at: k.start)) }
            return
        }
        if pairs.count <= 24 {
            // Quadratic but allocation-free: manifests' mappings are small.
            for i in pairs.indices {
                guard let key = pairs[i].key.scalar else {
                    problems.append(YAMLProblem("mapping keys must be plain strings", at: pairs[i].key.start))
                    continue
                }
                let length = key.utf8.count
                for j in 0..<i {
                    if let other = pairs[j].key.scalar, other.utf8.count == length, other == key {
                        let first = pairs[j].key.start
                        problems.append(YAMLProblem("duplicate key \"\(key)\" (first defined at line \(first.line), column \(first.column))", at: pairs[i].key.start))
                        break
                    }
                }
            }
            return
        }
        var seen: [String: SourceMark] = [:]
        seen.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let key = pair.key.scalar else {
                problems.append(YAMLProblem("mapping keys must be plain strings", at: pair.key.start))
                continue
            }
            if let first = seen[key] {
                problems.append(YAMLProblem("duplicate key \"\(key)\" (first defined at line \(first.line), column \(first.column))", at: pair.key.start))
            } else {
                seen[key] = pair.key.start
            }
        }
    }

    // MARK: Events

    private enum Event {
        case streamStart, streamEnd(SourceMark)
        case documentStart(SourceMark, implicit: Bool), documentEnd(SourceMark)
        case scalar(String, ScalarStyle, tag: String?, anchor: String?, SourceMark, SourceMark)
        case alias(String, SourceMark)
        case sequenceStart(tag: String?, anchor: String?, flow: Bool, SourceMark)
        case sequenceEnd(SourceMark)
        case mappingStart(tag: String?, anchor: String?, flow: Bool, SourceMark)
        case mappingEnd(SourceMark)

        var mark: SourceMark {
            switch self {
            case .streamStart: SourceMark(line: 1, column: 1)
            case .streamEnd(let m), .documentStart(let m, _), .documentEnd(let m), .scalar(_, _, _, _, let m, _),
                 .alias(_, let m), .sequenceStart(_, _, _, let m), .sequenceEnd(let m), .mappingStart(_, _, _, let m), .mappingEnd(let m): m
            }
        }
    }

    private func next() throws(YAMLProblem) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw parserProblem() }
        defer { yaml_event_delete(&event) }
        let start = mark(event.start_mark), end = mark(event.end_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd(start)
        case YAML_DOCUMENT_START_EVENT: return .documentStart(start, implicit: event.data.document_start.implicit != 0)
        case YAML_DOCUMENT_END_EVENT: return .documentEnd(end)
        case YAML_ALIAS_EVENT: return .alias(cString(event.data.alias.anchor) ?? "", start)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = s.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: s.length), as: UTF8.self) } ?? ""
            let style: ScalarStyle = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            return .scalar(value, style, tag: cString(s.tag), anchor: cString(s.anchor), start, end)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(tag: cString(s.tag), anchor: cString(s.anchor), flow: s.style == YAML_FLOW_SEQUENCE_STYLE, start)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd(end)
        case YAML_MAPPING_START_EVENT:
            let s = event.data.mapping_start
            return .mappingStart(tag: cString(s.tag), anchor: cString(s.anchor), flow: s.style == YAML_FLOW_MAPPING_STYLE, start)
        case YAML_MAPPING_END_EVENT: return .mappingEnd(end)
        default: throw YAMLProblem("unexpected YAML event", at: start)
        }
    }

    private func cString(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    private func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int32(truncatingIfNeeded: m.line &+ 1), column: Int32(truncatingIfNeeded: m.column &+ 1),
                   index: Int32(truncatingIfNeeded: m.index))
    }

    /// libyaml's error, reworded where its wording is known to puzzle people (tabs).
    private func parserProblem() -> YAMLProblem {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        var at = mark(parser.problem_mark)
        if let lineText = lines.line(at.line), problem.contains("cannot start any token") || problem.contains("tab") {
            if let tabColumn = lineText.firstIndex(of: UInt8(ascii: "\t")).map({ lineText.distance(from: lineText.startIndex, to: $0) + 1 }),
               lineText.prefix(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }).contains(UInt8(ascii: "\t")) || tabColumn == at.column {
                at.column = tabColumn
                return YAMLProblem("tab character used for indentation; YAML allows only spaces", at: at)
            }
        }
        var message = problem
        if let context {
            // Where the unclosed construct began is what people need to find (libyaml's context mark).
            let started = mark(parser.context_mark)
            if started != at, started.line >= 1 {
                message += " (\(context) started at line \(started.line), column \(started.column))"
            } else {
                message += " (\(context))"
            }
        }
        return YAMLProblem(message, at: at)
    }
}

/// Byte offsets of line starts, for looking at the text around a mark.
struct LineIndex: Sendable {
    let bytes: [UInt8]
    let starts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var s = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { s.append(i + 1) }
        starts = s
    }

    /// The bytes of a 1-based line, without its newline.
    func line(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 1, n <= starts.count else { return nil }
        let from = starts[n - 1]
        var to = n < starts.count ? starts[n] - 1 : bytes.count
        if to > from, bytes[to - 1] == UInt8(ascii: "\r") { to -= 1 }
        return bytes[from..<max(from, to)]
    }
}
