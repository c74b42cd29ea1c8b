import BCModel

/// One problem in the input, rendered as `path:line:col: Kind/name: field.path: message`.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark?
    /// `Kind/name` when the problem belongs to a manifest whose kind and name are known.
    public var address: String?
    public var field: FieldPath?
    public var message: String

    public init(file: String, mark: SourceMark?, address: String? = nil, field: FieldPath? = nil, message: String) {
        self.file = file; self.mark = mark; self.address = address; self.field = field; self.message = message
    }

    public var description: String {
        var out = file
        if let mark { out += ":\(mark.line):\(mark.column)" }
        out += ": "
        if let address { out += "\(address): " }
        if let field, !field.isEmpty { out += "\(field): " }
        return out + message
    }

    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        let am = a.mark ?? SourceMark(line: 0, column: 0), bm = b.mark ?? SourceMark(line: 0, column: 0)
        if am != bm { return am < bm }
        return a.message < b.message
    }
}
