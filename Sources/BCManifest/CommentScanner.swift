/// The source as Unicode scalars, indexed the way libyaml counts (`SourceMark.index` is a
/// character offset, not a byte offset), with line starts for reasoning about lines.
struct SourceText {
    let chars: [Unicode.Scalar]
    /// Index of the first character of each line: line n (1-based) starts at `lineStarts[n - 1]`.
    let lineStarts: [Int]

    init(_ text: String) {
        chars = Array(text.unicodeScalars)
        var starts = [0]
        for (i, c) in chars.enumerated() where c == "\n" { starts.append(i + 1) }
        lineStarts = starts
    }

    var count: Int { chars.count }
    var lineCount: Int { lineStarts.count }

    /// Whether lines end in CRLF (judged by the first line break), so output keeps the convention.
    var usesCRLF: Bool {
        guard lineStarts.count > 1 else { return false }
        let nl = lineStarts[1] - 1
        return nl > 0 && chars[nl - 1] == "\r"
    }

    /// Line breaks other than LF and CRLF: libyaml counts them as lines and this type does not.
    var hasUnusualLineBreaks: Bool {
        for (i, c) in chars.enumerated() {
            switch c {
            case "\r": if i + 1 >= chars.count || chars[i + 1] != "\n" { return true }
            case "\u{85}", "\u{2028}", "\u{2029}": return true
            default: continue
            }
        }
        return false
    }

    /// 1-based line holding `index`.
    func line(of index: Int) -> Int {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// 0-based column of `index` on its line.
    func column(of index: Int) -> Int { index - lineStarts[line(of: index) - 1] }

    func lineStart(_ line: Int) -> Int { line <= lineStarts.count ? lineStarts[line - 1] : chars.count }

    /// End of the line's text, before its `\n` or `\r\n`.
    func lineEnd(_ line: Int) -> Int {
        var end = line < lineStarts.count ? lineStarts[line] - 1 : chars.count
        if end > lineStart(line), chars[end - 1] == "\r" { end -= 1 }
        return end
    }

    func text(_ from: Int, _ to: Int) -> String {
        guard to > from else { return "" }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: chars[from..<to])
        return String(s)
    }

    /// Whether a line holds nothing but spaces and tabs.
    func isBlank(line: Int) -> Bool {
        guard line >= 1, line <= lineCount else { return false }
        return chars[lineStart(line)..<lineEnd(line)].allSatisfy { $0 == " " || $0 == "\t" }
    }
}

/// One comment of the source: `#` to the end of the line.
struct YAMLComment: Sendable, Equatable {
    /// Position of the `#`.
    var index: Int
    var line: Int
    /// From `#` to the end of the line, trailing spaces removed.
    var text: String
    /// Alone on its line (only indentation before it), as opposed to after code.
    var ownLine: Bool
    /// The source had a blank line right above it.
    var blankBefore: Bool
}

/// Scalar text in the source. libyaml reports no comments, so comments are found by scanning the
/// text, and a `#` inside a quoted or block scalar is text, not a comment; likewise a blank line
/// inside a scalar is part of its value, not a separator fmt may collapse.
struct ScalarRanges {
    /// Sorted, non-overlapping (scalars are leaves).
    let ranges: [Range<Int>]
    private let protectedLines: Set<Int>

    init(_ ranges: [Range<Int>], in source: SourceText) {
        self.ranges = ranges.filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        var lines = Set<Int>()
        for r in self.ranges {
            var l = source.line(of: r.lowerBound)
            while l <= source.lineCount, source.lineStart(l) < r.upperBound {
                if source.lineStart(l) >= r.lowerBound { lines.insert(l) }
                l += 1
            }
        }
        protectedLines = lines
    }

    /// A blank line between entries (not a blank line that belongs to a scalar's value).
    func isSeparator(line: Int, in source: SourceText) -> Bool {
        source.isBlank(line: line) && !protectedLines.contains(line)
    }

    /// Whether the line right above `line` is a separating blank line.
    func blankBefore(line: Int, in source: SourceText) -> Bool {
        line > 1 && isSeparator(line: line - 1, in: source)
    }

    /// Whether a line starts inside a scalar (so a `%` or `---` there is text).
    func isInsideScalar(line: Int) -> Bool { protectedLines.contains(line) }
}

/// Finds comments: a `#` at the start of a line or after whitespace, outside every scalar.
enum CommentScanner {
    static func scan(_ source: SourceText, outside scalars: ScalarRanges) -> [YAMLComment] {
        let chars = source.chars, ranges = scalars.ranges
        var comments: [YAMLComment] = []
        var k = 0, i = 0
        while i < chars.count {
            while k < ranges.count, ranges[k].upperBound <= i { k += 1 }
            if k < ranges.count, ranges[k].lowerBound <= i { i = ranges[k].upperBound; continue }
            if chars[i] == "#", i == 0 || isSpace(chars[i - 1]) || chars[i - 1] == "\n" {
                let line = source.line(of: i)
                var end = source.lineEnd(line)
                while end > i, isSpace(chars[end - 1]) { end -= 1 }
                let before = chars[source.lineStart(line)..<i]
                comments.append(YAMLComment(index: i, line: line, text: source.text(i, end),
                                            ownLine: before.allSatisfy(isSpace),
                                            blankBefore: scalars.blankBefore(line: line, in: source)))
                i = source.lineEnd(line)
                continue
            }
            i += 1
        }
        return comments
    }

    /// Space, tab, or a byte-order mark (which libyaml skips at the start of a line).
    static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\u{FEFF}" || c == "\r" }
}

/// A mapping pair or sequence item that fmt writes on a line of its own: the unit comments tie to.
struct EntryKey: Hashable, Sendable {
    /// Where the entry starts: a pair's key, an item's value.
    var start: Int
    /// Nesting depth; an item and the first pair of its mapping share a start but not a depth.
    var depth: Int
}

struct Entry {
    var key: EntryKey
    var line: Int
    /// Just past the entry's last character of content (not libyaml's block end, which lies
    /// after any comments that follow).
    var contentEnd: Int
    var contentEndLine: Int
    /// First in its collection in source order: a blank line above it is not kept.
    var firstInCollection: Bool
}

/// Where each comment of one document goes, decided by position alone:
/// - an own-line comment belongs to the next entry and moves with it;
/// - a comment after code belongs to the deepest entry starting on its line, or else to the
///   entry whose value ends on that line (a multi-line scalar, a closing bracket);
/// - comments before the first entry are the document's header, after the last its footer.
struct CommentPlacement {
    /// Above the document's `---`.
    var top: [YAMLComment] = []
    /// On the `---` line.
    var marker: [YAMLComment] = []
    var header: [YAMLComment] = []
    var footer: [YAMLComment] = []
    var leading: [EntryKey: [YAMLComment]] = [:]
    var firstLine: [EntryKey: [YAMLComment]] = [:]
    /// After the entry's last line.
    var end: [EntryKey: [YAMLComment]] = [:]

    /// `entries` are in source order (pre-order: a parent before its children).
    init(_ comments: [YAMLComment], entries: [Entry], document: YAMLDocument) {
        for c in comments {
            if !c.ownLine, place(trailing: c, entries: entries, document: document) { continue }
            place(ownLine: c, entries: entries, document: document)
        }
    }

    private mutating func place(ownLine c: YAMLComment, entries: [Entry], document: YAMLDocument) {
        if document.explicitStart, c.index < document.start.index { top.append(c); return }
        // The next entry, outermost on a tie (an item before the first pair of its mapping).
        let next = entries.first { $0.key.start >= c.index }
        // The deepest entry whose content surrounds the comment.
        let around = entries.last { $0.key.start < c.index && c.index < $0.contentEnd }
        if let around {
            if let next, next.key.start < around.contentEnd { leading[next.key, default: []].append(c) }
            else { end[around.key, default: []].append(c) }
        } else if let first = entries.first, c.index > first.key.start {
            if let next { leading[next.key, default: []].append(c) } else { footer.append(c) }
        } else {
            header.append(c)
        }
    }

    private mutating func place(trailing c: YAMLComment, entries: [Entry], document: YAMLDocument) -> Bool {
        let onLine = entries.filter { $0.line == c.line && $0.key.start < c.index }
        if let deepest = onLine.max(by: { ($0.key.depth, $0.key.start) < ($1.key.depth, $1.key.start) }) {
            firstLine[deepest.key, default: []].append(c)
            return true
        }
        let endingHere = entries.filter { $0.contentEndLine == c.line && $0.contentEnd <= c.index }
        if let deepest = endingHere.max(by: { $0.key.depth < $1.key.depth }) {
            end[deepest.key, default: []].append(c)
            return true
        }
        if document.explicitStart, c.line == document.start.line, c.index > document.start.index {
            marker.append(c)
            return true
        }
        return false
    }
}
