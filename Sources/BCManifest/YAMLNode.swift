/// A position in a source file, 1-based, as editors show it.
public struct SourceMark: Hashable, Sendable, Comparable, CustomStringConvertible {
    // 32-bit storage keeps nodes small: every node carries two marks.
    private var storedLine: Int32
    private var storedColumn: Int32
    private var storedIndex: Int32

    public var line: Int { get { Int(storedLine) } set { storedLine = Int32(clamping: newValue) } }
    public var column: Int { get { Int(storedColumn) } set { storedColumn = Int32(clamping: newValue) } }
    /// 0-based character offset from libyaml (not bytes).
    public var index: Int { get { Int(storedIndex) } set { storedIndex = Int32(clamping: newValue) } }

    public init(line: Int, column: Int, index: Int = 0) {
        storedLine = Int32(clamping: line); storedColumn = Int32(clamping: column); storedIndex = Int32(clamping: index)
    }

    init(line: Int32, column: Int32, index: Int32) {
        storedLine = line; storedColumn = column; storedIndex = index
    }

    public static func < (a: SourceMark, b: SourceMark) -> Bool { (a.storedLine, a.storedColumn) < (b.storedLine, b.storedColumn) }
    public var description: String { "\(line):\(column)" }
}

public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One node of a YAML document with the marks needed to report and reformat it.
///
/// Aliases are expanded at composition time (sharing storage), after a check that the
/// expansion stays within a budget, so nothing downstream has to know about anchors.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var start: SourceMark
    public var end: SourceMark
    public var tag: String?
    public var isFlow: Bool

    public init(_ content: Content, start: SourceMark, end: SourceMark, tag: String? = nil, isFlow: Bool = false) {
        self.content = content; self.start = start; self.end = end; self.tag = tag; self.isFlow = isFlow
    }

    public var scalar: String? { if case .scalar(let s, _) = content { s } else { nil } }
    public var pairs: [YAMLPair]? { if case .mapping(let p) = content { p } else { nil } }
    public var items: [YAMLNode]? { if case .sequence(let i) = content { i } else { nil } }

    /// YAML 1.2 core-schema null: `~`, `null`, or an empty plain scalar.
    public var isNull: Bool {
        guard case .scalar(let s, .plain) = content, tag == nil || tag == "tag:yaml.org,2002:null" else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// The value of `key` in a mapping (first occurrence).
    public subscript(key: String) -> YAMLNode? {
        pairs?.first(where: { $0.key.scalar == key })?.value
    }

    /// What kind of value this is, for "expected X, got Y" messages.
    public var kindDescription: String {
        switch content {
        case .mapping: return "mapping"
        case .sequence: return "list"
        case .scalar(let s, let style):
            if isNull { return "null" }
            let shown = s.count > 40 ? String(s.prefix(37)) + "..." : s
            if style != .plain { return "string \"\(shown)\"" }
            if PlainScalar.isBool(s) { return "boolean \(s)" }
            if PlainScalar.isInt(s) { return "integer \(s)" }
            if PlainScalar.isFloat(s) { return "number \(s)" }
            return "string \"\(shown)\""
        }
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}

/// YAML 1.2 core-schema recognition of plain scalars.
enum PlainScalar {
    static func isBool(_ s: String) -> Bool { bool(s) != nil }

    static func bool(_ s: String) -> Bool? {
        // Cheap rejection first: every plain string field goes through here.
        guard let first = s.utf8.first, first == UInt8(ascii: "t") || first == UInt8(ascii: "T")
                || first == UInt8(ascii: "f") || first == UInt8(ascii: "F"), s.utf8.count <= 5 else { return nil }
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func isInt(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if let f = u.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") { u = u.dropFirst() }
        return !u.isEmpty && u.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func isFloat(_ s: String) -> Bool {
        if isInt(s) { return true }
        var sawDigit = false, sawDot = false, sawExp = false
        var prev: UInt8 = 0
        for (i, c) in s.utf8.enumerated() {
            switch c {
            case 48...57: sawDigit = true
            case UInt8(ascii: "."): if sawDot || sawExp { return false }; sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): if sawExp || !sawDigit { return false }; sawExp = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                if !(i == 0 || prev == UInt8(ascii: "e") || prev == UInt8(ascii: "E")) { return false }
            default: return false
            }
            prev = c
        }
        return sawDigit && prev != UInt8(ascii: "e") && prev != UInt8(ascii: "E")
    }
}
