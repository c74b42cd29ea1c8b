/// Output lines of `bcctl fmt`, with the few rules that keep blank lines and comments safe:
/// at most one blank line in a row, none right after a line that opens a nested block (or `---`),
/// and a comment is never appended to a line that already has one or that is block-scalar text.
struct YAMLEmitter {
    struct Line {
        var text: String
        var hasComment = false
        /// Content of a block scalar: appending a comment here would change its value.
        var isScalarBody = false
        /// Ends a `|+`/`>+` scalar, which keeps trailing blank lines: a blank line here would join its value.
        var keepsBlankLines = false
    }

    private(set) var lines: [Line] = []
    private var suppressBlank = true

    mutating func blank() {
        guard !suppressBlank, let last = lines.last, !last.text.isEmpty, !last.keepsBlankLines else { return }
        lines.append(Line(text: ""))
    }

    /// A line of code; `opensBlock` when the lines that follow are nested under it.
    mutating func emit(_ text: String, opensBlock: Bool = false, scalarBody: Bool = false, keepsBlankLines: Bool = false) {
        lines.append(Line(text: text, isScalarBody: scalarBody, keepsBlankLines: keepsBlankLines))
        suppressBlank = opensBlock
    }

    mutating func comment(_ c: YAMLComment, indent: Int) {
        if c.blankBefore { blank() }
        lines.append(Line(text: String(repeating: " ", count: indent) + c.text, hasComment: true))
        suppressBlank = false
    }

    /// Own-line comments inserted above line `at` (used for comments that could not trail a line).
    mutating func insertComments(_ cs: [YAMLComment], indent: Int, at: Int) {
        let new = cs.map { Line(text: String(repeating: " ", count: indent) + $0.text, hasComment: true) }
        lines.insert(contentsOf: new, at: at)
    }

    /// Appends ` # text` to line `at`, if that is safe.
    mutating func append(_ c: YAMLComment, toLine at: Int) -> Bool {
        guard at < lines.count, !lines[at].hasComment, !lines[at].isScalarBody else { return false }
        lines[at].text += (lines[at].text.isEmpty ? "" : " ") + c.text
        lines[at].hasComment = true
        return true
    }

    /// After `---`, a blank line is not kept.
    mutating func documentMarker(_ text: String) {
        lines.append(Line(text: text, hasComment: text.contains("#")))
        suppressBlank = true
    }

    func render(lineBreak: String) -> String {
        guard !lines.isEmpty else { return "" }
        return lines.map(\.text).joined(separator: lineBreak) + lineBreak
    }
}

/// A literal or folded scalar as it appears in the source: its header (`|`, `>-`, `|2+`) and its
/// content lines with the source indentation removed, so they can be re-indented anywhere.
struct BlockScalarLayout {
    var header: String
    /// Explicit indentation indicator: content sits this far right of the parent's indentation.
    var explicitIndent: Int?
    /// Content lines without indentation; nil for an empty line.
    var lines: [String?]
    /// The text fmt must leave alone: the content lines (with trailing blank lines for `+`).
    var protected: Range<Int>
    /// Just past the last content character (or the header when there is no content).
    var contentEnd: Int

    /// `base` is libyaml's indentation of the parent block (key column for a mapping value,
    /// dash column for an item), needed to read an explicit indentation indicator; nil if unknown.
    init?(_ node: YAMLNode, base: Int?, source: SourceText) {
        let chars = source.chars
        var i = node.start.index
        if node.tag != nil {
            while i < node.end.index, !CommentScanner.isSpace(chars[i]) { i += 1 }
            while i < node.end.index, CommentScanner.isSpace(chars[i]) { i += 1 }
        }
        guard i < chars.count, chars[i] == "|" || chars[i] == ">" else { return nil }
        var header = ""
        while i < chars.count, "|>+-0123456789".unicodeScalars.contains(chars[i]) {
            header.unicodeScalars.append(chars[i]); i += 1
        }
        self.header = header
        explicitIndent = header.unicodeScalars.first { ("1"..."9").contains($0) }.map { Int($0.value) - 48 }
        let keep = header.contains("+")
        let headerLine = source.line(of: node.start.index)
        let contentStart = min(source.lineStart(headerLine + 1), max(node.end.index, i))

        // Raw lines from the line after the header up to libyaml's end mark; a whitespace-only
        // piece at the very end is the indentation of the next token's line, not content.
        var raw: [(text: [Unicode.Scalar], end: Int)] = []
        var l = headerLine + 1
        while l <= source.lineCount, source.lineStart(l) < node.end.index {
            let from = source.lineStart(l)
            let to = min(source.lineEnd(l), node.end.index)
            let text = Array(chars[from..<to])
            let terminated = source.lineEnd(l) < node.end.index
            if terminated || !text.allSatisfy({ $0 == " " || $0 == "\t" }) { raw.append((text, to)) }
            l += 1
        }

        func leadingSpaces(_ t: [Unicode.Scalar]) -> Int { t.prefix(while: { $0 == " " }).count }
        func isWhitespace(_ t: [Unicode.Scalar]) -> Bool { t.allSatisfy { $0 == " " } }
        let indent: Int
        if let m = explicitIndent {
            if let base { indent = base + m }
            else { indent = raw.filter { !isWhitespace($0.text) }.map { leadingSpaces($0.text) }.min() ?? m }
        } else {
            // libyaml: the first non-empty line decides, but leading empty lines may push it right.
            var widest = 0, found = 0
            for r in raw {
                if isWhitespace(r.text) { widest = max(widest, r.text.count) } else { found = leadingSpaces(r.text); break }
            }
            indent = max(found, widest, (base ?? -1) + 1, 1)
        }

        var lines: [String?] = []
        var ends: [Int] = []
        for r in raw {
            if isWhitespace(r.text) && r.text.count <= indent {
                lines.append(nil)
            } else {
                guard leadingSpaces(r.text) >= indent else { return nil }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: r.text[indent...])
                lines.append(String(s))
            }
            ends.append(r.end)
        }
        if !keep {
            while let last = lines.last, last == nil { lines.removeLast(); ends.removeLast() }
        }
        self.lines = lines
        let bodyEnd = keep ? max(contentStart, node.end.index) : (ends.last ?? contentStart)
        protected = contentStart..<max(contentStart, bodyEnd)
        contentEnd = ends.last ?? i
    }
}

enum ScalarText {
    /// A plain or quoted scalar spanning lines: the first line as written, the others with their
    /// leading whitespace replaced by `indent` spaces. Line folding ignores that whitespace, so
    /// the value is unchanged; quoting, escapes and style stay exactly as written.
    static func reindented(_ node: YAMLNode, indent: Int, source: SourceText) -> [String] {
        let first = source.line(of: node.start.index), last = source.line(of: max(node.start.index, node.end.index - 1))
        var out: [String] = []
        let plain: Bool = if case .scalar(_, .plain) = node.content { true } else { false }
        for l in first...last {
            let from = l == first ? node.start.index : source.lineStart(l)
            let to = l == last ? node.end.index : source.lineEnd(l)
            var piece = Array(source.chars[from..<max(from, to)])
            if l != first { piece = Array(piece.drop(while: { $0 == " " || $0 == "\t" })) }
            if plain || piece.allSatisfy({ $0 == " " || $0 == "\t" }) {
                while let c = piece.last, c == " " || c == "\t" { piece.removeLast() }
            }
            var s = String.UnicodeScalarView()
            s.append(contentsOf: piece)
            let text = String(s)
            out.append(l == first || text.isEmpty ? text : String(repeating: " ", count: indent) + text)
        }
        return out
    }
}
