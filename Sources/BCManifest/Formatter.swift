import BCModel

/// `bcctl fmt`: the canonical text of a manifest file.
///
/// Canonical means keys in schema order, block style with 2-space indentation, sequences
/// indented under their key, and at most one blank line between entries. Everything else is
/// kept as written: scalars are copied from the source (so quoting and escapes never change),
/// single-line flow collections are copied whole, and comments move with the entry they belong
/// to (see `CommentPlacement`). Every result is checked before it is returned: it must parse to
/// the same data and hold the same comments, or the file is reported as skipped and left alone.
public struct ManifestFormatter: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The canonical text (equal to the input when the file is already formatted).
        case formatted(String)
        /// The file is left as it is, for this reason.
        case skipped(String)
        case syntaxError(YAMLProblem)
    }

    public static let anchorsReason = "uses anchors/aliases, which fmt does not rewrite"

    public init() {}

    public func format(_ text: String) -> Outcome { format(bytes: Array(text.utf8)) }

    public func format(bytes: [UInt8]) -> Outcome { format(bytes: bytes, verify: true) }

    /// `verify: false` returns the rewrite even when the check fails (for tests and debugging).
    func format(bytes: [UInt8], verify: Bool) -> Outcome {
        if bytes.count > SourceFile.maxFileBytes { return .skipped("file is larger than \(SourceFile.maxFileBytes) bytes") }
        if let p = SourceFile.encodingProblem(bytes) { return .syntaxError(p) }
        // A UTF-8 byte-order mark is set aside and put back, so character offsets never count it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            return switch format(bytes: Array(bytes.dropFirst(3)), verify: verify) {
            case .formatted(let text): .formatted("\u{FEFF}" + text)
            case let other: other
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let documents: [YAMLDocument]
        switch Self.parse(bytes) {
        case .failure(let p): return .syntaxError(p)
        case .success(let docs): documents = docs
        }
        if documents.isEmpty { return .formatted(text) }
        if documents.contains(where: \.hasAnchors) { return .skipped(Self.anchorsReason) }
        let source = SourceText(text)
        if source.hasUnusualLineBreaks { return .skipped("uses line breaks other than LF and CRLF") }

        var analyses: [DocumentAnalysis] = []
        for d in documents {
            let a = DocumentAnalysis(d.root, source: source)
            if let reason = a.unsupported { return .skipped(reason) }
            analyses.append(a)
        }
        let scalars = ScalarRanges(analyses.flatMap(\.ranges), in: source)
        // A `%` starting a line outside any scalar is a directive; fmt would drop it.
        let directive = (1...source.lineCount).contains { l in
            source.lineStart(l) < source.count && source.chars[source.lineStart(l)] == "%" && !scalars.isInsideScalar(line: l)
        }
        if directive { return .skipped("uses YAML directives (%YAML, %TAG), which fmt does not rewrite") }
        let comments = CommentScanner.scan(source, outside: scalars)

        var out = YAMLEmitter()
        var next = 0  // comments are in source order; each document takes those before the next one
        for (i, d) in documents.enumerated() {
            let regionEnd = i + 1 < documents.count ? documents[i + 1].start.index : Int.max
            let from = next
            while next < comments.count, comments[next].index < regionEnd { next += 1 }
            let mine = Array(comments[from..<next])
            let writer = DocumentWriter(source: source, analysis: analyses[i], scalars: scalars,
                                        placement: CommentPlacement(mine, entries: analyses[i].entries, document: d))
            writer.write(d, index: i, into: &out)
        }
        let result = out.render(lineBreak: source.usesCRLF ? "\r\n" : "\n")
        if verify, let problem = Self.check(result, against: documents, comments: comments) {
            return .skipped("fmt could not rewrite this file safely (\(problem)); it is left unchanged")
        }
        return .formatted(result)
    }

    static func parse(_ bytes: [UInt8]) -> Result<[YAMLDocument], YAMLProblem> {
        let composer = YAMLComposer(bytes: bytes)
        var docs: [YAMLDocument] = []
        do {
            while let d = try composer.nextDocument() { docs.append(d) }
        } catch { return .failure(error) }
        return .success(docs)
    }

    /// Why `output` is not a faithful rewrite of the input, or nil when it is.
    static func check(_ output: String, against documents: [YAMLDocument], comments: [YAMLComment]) -> String? {
        let bytes = Array(output.utf8)
        guard case .success(let again) = parse(bytes) else { return "the result does not parse" }
        guard again.count == documents.count else { return "the number of documents changed" }
        for (a, b) in zip(documents, again) where !sameData(a.root, b.root) { return "the data would change" }
        let source = SourceText(output)
        let ranges = ScalarRanges(again.flatMap { DocumentAnalysis($0.root, source: source).ranges }, in: source)
        let after = CommentScanner.scan(source, outside: ranges).map(\.text)
        if after.sorted() != comments.map(\.text).sorted() { return "comments would be lost or duplicated" }
        return nil
    }

    /// Same data: scalar values, styles and tags equal, sequences in order, mappings with the
    /// same pairs in any order. Flow versus block style does not count.
    public static func sameData(_ a: YAMLNode, _ b: YAMLNode) -> Bool {
        guard a.tag == b.tag else { return false }
        switch (a.content, b.content) {
        case (.scalar(let x, let sx), .scalar(let y, let sy)):
            return x == y && sx == sy
        case (.sequence(let xs), .sequence(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { sameData($0, $1) }
        case (.mapping(let xs), .mapping(let ys)):
            guard xs.count == ys.count else { return false }
            func sorted(_ p: [YAMLPair]) -> [YAMLPair] {
                p.enumerated().sorted { (fingerprint($0.element.key), $0.offset) < (fingerprint($1.element.key), $1.offset) }.map(\.element)
            }
            return zip(sorted(xs), sorted(ys)).allSatisfy { sameData($0.key, $1.key) && sameData($0.value, $1.value) }
        default:
            return false
        }
    }

    private static func fingerprint(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let s, _): return "s:" + s
        case .sequence(let items): return "[" + items.map(fingerprint).joined(separator: ",") + "]"
        case .mapping(let pairs): return "{" + pairs.map { fingerprint($0.key) + ":" + fingerprint($0.value) }.joined(separator: ",") + "}"
        }
    }
}

extension ManifestFormatter {
    /// The manifest files a path names: the file itself, or the `*.yaml`/`*.yml` files below a
    /// directory (hidden entries skipped), in sorted order; or why there are none.
    public static func files(at path: String) -> Result<[String], PathProblem> {
        switch ManifestLoader.expand(path) {
        case .success(let files): .success(files)
        case .failure(let message): .failure(PathProblem(message: message))
        }
    }

    public struct PathProblem: Error, Sendable { public var message: String }
}

/// Schema order of mapping keys: the kind's schema for known objects, source order for free maps.
enum KeyOrder {
    static let schemas: [Kind: SchemaNode] = Dictionary(uniqueKeysWithValues: Kind.allCases.map {
        ($0, SchemaNode.object(SchemaRecorder.manifestSchema(for: $0)))
    })
    static let envelope = ["apiVersion", "kind", "metadata", "spec"]

    /// The schema of a document: known when `kind` names a kind.
    static func schema(ofRoot root: YAMLNode) -> SchemaNode? {
        root["kind"]?.scalar.flatMap(Kind.init(rawValue:)).flatMap { schemas[$0] }
    }

    /// Known keys in schema order, then unknown keys in source order. A sort, so stable.
    static func ordered(_ pairs: [YAMLPair], schema: SchemaNode?, isRoot: Bool) -> [YAMLPair] {
        guard let order = schema?.propertyOrder ?? (isRoot ? envelope : nil) else { return pairs }
        var rank: [String: Int] = [:]
        for (i, name) in order.enumerated() where rank[name] == nil { rank[name] = i }
        func r(_ p: YAMLPair) -> Int { p.key.scalar.flatMap { rank[$0] } ?? Int.max }
        return pairs.enumerated().sorted { (r($0.element), $0.offset) < (r($1.element), $1.offset) }.map(\.element)
    }
}

/// What fmt needs to know about one document before writing it: its entries (for tying
/// comments), where its scalars lie (to find comments), and the layout of its block scalars.
struct DocumentAnalysis {
    private(set) var entries: [Entry] = []
    private(set) var ranges: [Range<Int>] = []
    private(set) var blocks: [Int: BlockScalarLayout] = [:]
    /// Set when the document uses something fmt does not rewrite.
    private(set) var unsupported: String?
    private let source: SourceText

    init(_ root: YAMLNode, source: SourceText) {
        self.source = source
        _ = walk(root, depth: 0, base: nil)
    }

    /// Whether a collection is written in block style (block in the source, or flow over several lines).
    static func isExpanded(_ node: YAMLNode) -> Bool {
        switch node.content {
        case .scalar: false
        default: !node.isFlow || node.start.line != node.end.line
        }
    }

    /// Records the node and returns where its content ends.
    private mutating func walk(_ node: YAMLNode, depth: Int, base: Int?) -> Int {
        switch node.content {
        case .scalar(_, let style):
            if style == .literal || style == .folded {
                guard let layout = BlockScalarLayout(node, base: base, source: source) else {
                    unsupported = "has a block scalar whose indentation fmt cannot read"
                    return node.end.index
                }
                blocks[node.start.index] = layout
                ranges.append(layout.protected)
                return layout.contentEnd
            }
            ranges.append(node.start.index..<node.end.index)
            return node.end.index
        case .sequence(let items):
            guard Self.isExpanded(node) else { ranges.append(node.start.index..<node.end.index); return node.end.index }
            var end = node.end.index
            for (i, item) in items.enumerated() {
                let slot = open(start: item.start.index, depth: depth, first: i == 0)
                end = walk(item, depth: depth + 1, base: dashColumn(before: item.start.index))
                close(slot, end: end)
            }
            return node.isFlow ? node.end.index : end  // a flow collection ends at its bracket
        case .mapping(let pairs):
            guard Self.isExpanded(node) else { ranges.append(node.start.index..<node.end.index); return node.end.index }
            var end = node.end.index
            for (i, pair) in pairs.enumerated() {
                guard case .scalar(_, let style) = pair.key.content, style != .literal, style != .folded,
                      pair.key.start.line == pair.key.end.line else {
                    unsupported = "has a mapping key that is not a one-line scalar (\(pair.key.start))"
                    return end
                }
                let slot = open(start: pair.key.start.index, depth: depth, first: i == 0)
                ranges.append(pair.key.start.index..<pair.key.end.index)
                end = max(pair.key.end.index, walk(pair.value, depth: depth + 1, base: source.column(of: pair.key.start.index)))
                close(slot, end: end)
            }
            return node.isFlow ? node.end.index : end
        }
    }

    private mutating func open(start: Int, depth: Int, first: Bool) -> Int {
        entries.append(Entry(key: EntryKey(start: start, depth: depth), line: source.line(of: start),
                             contentEnd: start, contentEndLine: 0, firstInCollection: first))
        return entries.count - 1
    }

    private mutating func close(_ slot: Int, end: Int) {
        entries[slot].contentEnd = end
        entries[slot].contentEndLine = source.line(of: max(entries[slot].key.start, end - 1))
    }

    /// Column of the `-` in front of an item on the same line, if there is one.
    private func dashColumn(before index: Int) -> Int? {
        var j = index - 1
        while j >= 0, source.chars[j] == " " || source.chars[j] == "\t" { j -= 1 }
        return j >= 0 && source.chars[j] == "-" ? source.column(of: j) : nil
    }
}

/// Writes one document in canonical form.
struct DocumentWriter {
    let source: SourceText
    let analysis: DocumentAnalysis
    let scalars: ScalarRanges
    let placement: CommentPlacement
    private let entries: [EntryKey: Entry]

    init(source: SourceText, analysis: DocumentAnalysis, scalars: ScalarRanges, placement: CommentPlacement) {
        self.source = source; self.analysis = analysis; self.scalars = scalars; self.placement = placement
        entries = Dictionary(analysis.entries.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func write(_ document: YAMLDocument, index: Int, into out: inout YAMLEmitter) {
        for c in placement.top { out.comment(c, indent: 0) }
        if document.explicitStart || index > 0 {
            out.documentMarker((["---"] + placement.marker.map(\.text)).joined(separator: " "))
        }
        for c in placement.header { out.comment(c, indent: 0) }
        let root = document.root
        // A blank line between the header comments and the first key is kept.
        if let first = analysis.entries.first, scalars.blankBefore(line: first.line, in: source) { out.blank() }
        if DocumentAnalysis.isExpanded(root) {
            if let tag = tagText(root) { out.emit(tag, opensBlock: true) }
            writeBody(root, depth: 0, indent: 0, schema: KeyOrder.schema(ofRoot: root), firstPrefix: nil, isRoot: true, into: &out)
        } else if root.end.index > root.start.index {
            // A scalar or one-line flow document: copied as written.
            let first = source.line(of: root.start.index), last = source.line(of: root.end.index - 1)
            for l in first...last {
                out.emit(source.text(l == first ? root.start.index : source.lineStart(l), l == last ? root.end.index : source.lineEnd(l)))
            }
        }
        for c in placement.footer { out.comment(c, indent: 0) }
    }

    /// The entries of a block collection at column `indent`. `firstPrefix` replaces the first
    /// entry's indentation when the collection starts on its parent item's dash line (`- `).
    private func writeBody(_ node: YAMLNode, depth: Int, indent: Int, schema: SchemaNode?,
                           firstPrefix: String?, isRoot: Bool = false, into out: inout YAMLEmitter) {
        switch node.content {
        case .mapping(let pairs):
            for (i, pair) in KeyOrder.ordered(pairs, schema: schema, isRoot: isRoot).enumerated() {
                let keyText = source.text(pair.key.start.index, pair.key.end.index)
                writeEntry(head: keyText + ":", value: pair.value, key: EntryKey(start: pair.key.start.index, depth: depth),
                           indent: indent, schema: pair.key.scalar.flatMap { schema?.child($0) },
                           firstPrefix: i == 0 ? firstPrefix : nil, into: &out)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                writeEntry(head: "-", value: item, key: EntryKey(start: item.start.index, depth: depth),
                           indent: indent, schema: schema?.itemSchema, firstPrefix: i == 0 ? firstPrefix : nil, into: &out)
            }
        case .scalar:
            break
        }
    }

    /// One pair (`head` is `key:`) or item (`head` is `-`) at column `indent`, with its comments.
    private func writeEntry(head: String, value: YAMLNode, key: EntryKey, indent: Int, schema: SchemaNode?,
                            firstPrefix: String?, into out: inout YAMLEmitter) {
        let entry = entries[key]
        // On a dash line, the entry's own comments go above that line, at the dash's column.
        let commentIndent = firstPrefix == nil ? indent : max(0, indent - 2)
        // Each comment keeps the blank line above it; the entry's own goes between them and it.
        for c in placement.leading[key] ?? [] { out.comment(c, indent: commentIndent) }
        if firstPrefix == nil, let entry, !entry.firstInCollection, scalars.blankBefore(line: entry.line, in: source) { out.blank() }

        let firstLineIndex = out.lines.count
        let prefix = (firstPrefix ?? String(repeating: " ", count: indent)) + head
        var firstLineComments = placement.firstLine[key] ?? []
        var endComments = placement.end[key] ?? []
        let child = indent + 2

        switch value.content {
        case .scalar(_, let style) where style == .literal || style == .folded:
            guard let layout = analysis.blocks[value.start.index] else {
                // Not analysed (cannot happen for a block value); copied, and the final check judges it.
                out.emit(prefix + " " + source.text(value.start.index, value.end.index))
                break
            }
            let tag = tagText(value).map { $0 + " " } ?? ""
            let keep = layout.header.contains("+")
            out.emit(prefix + " " + tag + layout.header, keepsBlankLines: keep)
            let bodyIndent = String(repeating: " ", count: indent + (layout.explicitIndent ?? 2))
            for line in layout.lines { out.emit(line.map { bodyIndent + $0 } ?? "", scalarBody: true, keepsBlankLines: keep) }
        case .scalar where value.end.index <= value.start.index:
            out.emit(prefix)
        case .scalar where value.start.line != value.end.line:
            // A comment after the first line would land inside the scalar; it goes after the last.
            endComments = firstLineComments + endComments
            firstLineComments = []
            let lines = ScalarText.reindented(value, indent: child, source: source)
            out.emit(prefix + " " + lines[0])
            for l in lines.dropFirst() { out.emit(l) }
        case .scalar:
            out.emit(prefix + " " + source.text(value.start.index, value.end.index))
        case .mapping, .sequence:
            if !DocumentAnalysis.isExpanded(value) {
                out.emit(prefix + " " + source.text(value.start.index, value.end.index))
            } else if value.pairs?.isEmpty ?? value.items?.isEmpty ?? false {
                out.emit(prefix + (value.pairs != nil ? " {}" : " []"))
            } else if head == "-", value.tag == nil, firstLineComments.isEmpty {
                // A collection in an item starts on the dash line: `- name: x`, `- - a`.
                writeBody(value, depth: key.depth + 1, indent: child, schema: schema,
                          firstPrefix: (firstPrefix ?? String(repeating: " ", count: indent)) + "- ", into: &out)
            } else {
                out.emit(prefix + (tagText(value).map { " " + $0 } ?? ""), opensBlock: true)
                writeBody(value, depth: key.depth + 1, indent: child, schema: schema, firstPrefix: nil, into: &out)
            }
        }

        for c in firstLineComments where !out.append(c, toLine: firstLineIndex) { endComments.append(c) }
        if endComments.count == 1, out.append(endComments[0], toLine: out.lines.count - 1) { return }
        // Comments that cannot trail a line safely go above the entry, where they stay on later runs.
        if !endComments.isEmpty { out.insertComments(endComments, indent: commentIndent, at: firstLineIndex) }
    }

    /// A collection's tag as written (`!!map`), or nil.
    private func tagText(_ node: YAMLNode) -> String? {
        guard node.tag != nil else { return nil }
        var j = node.start.index
        while j < source.count, !CommentScanner.isSpace(source.chars[j]), source.chars[j] != "\n" { j += 1 }
        return source.text(node.start.index, j)
    }
}
