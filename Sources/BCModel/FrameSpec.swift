/// The frames grammar of render jobs: `1-250`, `1,3,5-10` (as the Blender App's framer.py
/// accepts) and `1-100x2` (every second frame, as OpenCue and Flamenco users write it).
public struct FrameSpec: Hashable, Sendable, CustomStringConvertible {
    public struct Segment: Hashable, Sendable {
        public var start: Int
        public var end: Int
        public var step: Int
        public var count: Int { (end - start) / step + 1 }
    }

    public let text: String
    public let segments: [Segment]

    /// The most frames one job may name; larger lists are almost always a typo.
    public static let maxFrames = 1_000_000

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case whitespace
        case badItem(String, reason: String)
        case tooMany(Int)

        public var description: String {
            switch self {
            case .empty: "must not be empty"
            case .whitespace: "must not contain spaces (write 1,3,5-10)"
            case .badItem(let item, let reason): "\"\(item)\": \(reason)"
            case .tooMany(let n): "add up to \(n) frames; the limit is \(FrameSpec.maxFrames)"
            }
        }
    }

    public init(parsing text: String) throws(ParseError) {
        if text.isEmpty { throw .empty }
        if text.hasWhitespace { throw .whitespace }
        var segments: [Segment] = []
        var total = 0
        for item in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            if item.isEmpty { throw .badItem(text, reason: "empty item between commas") }
            let segment = try FrameSpec.parseItem(Substring(item))
            total += segment.count
            if total > FrameSpec.maxFrames { throw .tooMany(total) }
            segments.append(segment)
        }
        self.text = text
        self.segments = segments
    }

    private static func parseItem(_ item: Substring) throws(ParseError) -> Segment {
        let bytes = item.utf8
        var body = bytes[...]
        var step = 1
        if let x = bytes.firstIndex(of: UInt8(ascii: "x")), bytes.index(after: x) != bytes.endIndex {
            let stepText = bytes[bytes.index(after: x)...]
            guard let s = number(stepText) else { throw .badItem(String(item), reason: "step \"\(Substring(stepText))\" is not a whole number") }
            guard s >= 1 else { throw .badItem(String(item), reason: "step must be at least 1") }
            step = s
            body = bytes[..<x]
        }
        let ends = body.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        switch ends.count {
        case 1:
            guard let f = number(ends[0]) else { throw .badItem(String(item), reason: "\"\(Substring(ends[0]))\" is not a frame number") }
            if step != 1 { throw .badItem(String(item), reason: "a step needs a range such as 1-100x2") }
            return Segment(start: f, end: f, step: 1)
        case 2:
            guard let a = number(ends[0]) else { throw .badItem(String(item), reason: "\"\(Substring(ends[0]))\" is not a frame number") }
            guard let b = number(ends[1]) else { throw .badItem(String(item), reason: "\"\(Substring(ends[1]))\" is not a frame number") }
            guard a <= b else { throw .badItem(String(item), reason: "range runs backwards (\(a) > \(b))") }
            return Segment(start: a, end: b, step: step)
        default:
            throw .badItem(String(item), reason: "expected a frame (7), a range (1-250) or a stepped range (1-100x2)")
        }
    }

    private static func number(_ s: Substring.UTF8View.SubSequence) -> Int? {
        guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return s.reduce(0) { $0 * 10 + Int($1 - 48) }
    }
    /// True for the plain `a-b` form that framer.py splits as a contiguous range.
    public var isContiguousRange: Bool { segments.count == 1 && segments[0].step == 1 && text.containsBytes("-") }

    public var count: Int { segments.reduce(0) { $0 + $1.count } }

    /// Every frame in order, duplicates kept (framer.py concatenates list items as written).
    public var frames: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for s in segments { out.append(contentsOf: stride(from: s.start, through: s.end, by: s.step)) }
        return out
    }

    public var description: String { text }
}
