/// One meaningful line of Blender's stdout (3.4.1, flushed per line also when piped), so a
/// node's log can be shown as progress without keeping it all. Parsed by scanning bytes: a log
/// has thousands of `Fra:` lines per frame, and the patterns are fixed prefixes.
public enum BlenderLogLine: Sendable, Equatable {
    /// `Fra:N Mem:…`, with Cycles' `| Sample n/m` or Eevee's `| Rendering n / m samples`.
    /// Workbench prints no such lines at all.
    case progress(frame: Int, sample: Int?, samples: Int?)
    /// `Saved: '<path>'`: a frame is done. Every engine prints it.
    case saved(path: String)
    /// ` Time: [hh:]mm:ss.ss (Saving: [hh:]mm:ss.ss)` after each saved frame: the frame's time.
    case frameTime(seconds: Double)
    /// `Error: <message>` (missing .blend, unwritable output, unknown engine…), the message only.
    case error(String)
    /// `Blender quit`: the run ended.
    case quit

    /// The line's meaning, or nil for any other line. A trailing `\r` is ignored.
    public static func parse(_ line: Substring) -> BlenderLogLine? {
        var s = line.utf8
        if s.last == UInt8(ascii: "\r") { s = s.dropLast() }
        if let rest = s.after("Fra:") {                                   // ^Fra:(\d+) Mem:
            guard let (frame, afterFrame) = rest.number(), let tail = afterFrame.after(" Mem:") else { return nil }
            var sample: Int?, samples: Int?
            if let (n, m) = tail.firstMatch({ $0.after("| Sample ")?.fraction("/") })  // \| Sample (\d+)/(\d+)
                ?? tail.firstMatch({ $0.after("| Rendering ")?.fraction(" / ", then: " samples") }) {
                sample = n; samples = m
            }
            return .progress(frame: frame, sample: sample, samples: samples)
        }
        if let rest = s.after("Saved: '") {                               // ^Saved: '(.+)'
            guard let close = rest.lastIndex(of: UInt8(ascii: "'")), close != rest.startIndex else { return nil }
            return .saved(path: String(Substring(rest[..<close])))
        }
        if let rest = s.after(" Time: ") {
            guard let (seconds, afterTime) = rest.timecode(), let saving = afterTime.after(" (Saving: "),
                  let (_, afterSaving) = saving.timecode(), afterSaving.after(")") != nil else { return nil }
            return .frameTime(seconds: seconds)
        }
        if let rest = s.after("Error: ") { return .error(String(Substring(rest))) }
        if s.after("Blender quit") != nil { return .quit }
        return nil
    }
}

extension Substring.UTF8View {
    /// What follows `prefix`, if the bytes start with it.
    fileprivate func after(_ prefix: String) -> Substring.UTF8View? {
        starts(with: prefix.utf8) ? self[index(startIndex, offsetBy: prefix.utf8.count)...] : nil
    }

    /// `\d+` at the start (at most 18 digits, so it cannot overflow) and what follows it.
    fileprivate func number() -> (Int, Substring.UTF8View)? {
        let digits = prefix { $0 >= 48 && $0 <= 57 }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        return (digits.reduce(0) { $0 * 10 + Int($1 - 48) }, self[digits.endIndex...])
    }

    /// `(\d+)<separator>(\d+)<suffix>` at the start: Cycles' `1/8`, Eevee's `1 / 4 samples`.
    fileprivate func fraction(_ separator: String, then suffix: String = "") -> (Int, Int)? {
        guard let (n, a) = number(), let b = a.after(separator), let (m, c) = b.number(), c.after(suffix) != nil else { return nil }
        return (n, m)
    }

    /// The first `|` from which `match` succeeds (as an unanchored regex tries each position).
    fileprivate func firstMatch<T>(_ match: (Substring.UTF8View) -> T?) -> T? {
        var i = startIndex
        while let bar = self[i...].firstIndex(of: UInt8(ascii: "|")) {
            if let found = match(self[bar...]) { return found }
            i = index(after: bar)
        }
        return nil
    }

    /// `(?:(\d+):)?(\d+):(\d+\.\d+)` as seconds (Blender adds hours past one hour) and the rest.
    fileprivate func timecode() -> (Double, Substring.UTF8View)? {
        guard let (first, a) = number(), let b = a.after(":"), let (second, c) = b.number() else { return nil }
        var (hours, minutes, wholeSeconds, rest) = (0, first, second, c)
        if let d = c.after(":"), let (third, e) = d.number() { (hours, minutes, wholeSeconds, rest) = (first, second, third, e) }
        guard let dot = rest.after("."), let (_, end) = dot.number(),
              let fraction = Double("0" + String(Substring(rest[rest.startIndex ..< end.startIndex]))) else { return nil }
        return (Double(hours * 3600 + minutes * 60 + wholeSeconds) + fraction, end)
    }
}

/// What one node's Blender log says so far, folded line by line from chunks as they arrive.
///
/// Finished frames are counted from `Saved:` lines, which every engine prints. Which frame was
/// saved is taken from the most recent `Fra:` line, not from the file name (`-o` may put the
/// number anywhere, or nowhere); Workbench prints no `Fra:` lines, so its frames are counted
/// but not named.
public struct RenderProgress: Sendable, Equatable {
    /// How many `Saved:` lines were seen: frames finished.
    public private(set) var framesSaved = 0
    /// The frames finished, where a `Fra:` line named them.
    public private(set) var savedFrames: [Int] = []
    /// The last file written.
    public private(set) var lastSavedPath: String?
    /// The frame being rendered (from `Fra:` lines); nil between frames and for Workbench.
    public private(set) var currentFrame: Int?
    /// The current frame's sample and sample count (Cycles, Eevee), when printed.
    public private(set) var sample: Int?
    public private(set) var samples: Int?
    /// The time of the last finished frame, from its ` Time:` line.
    public private(set) var lastFrameSeconds: Double?
    /// The last non-blank line, whatever it says.
    public private(set) var lastLine: String?
    /// The message of the last `Error:` line.
    public private(set) var lastError: String?
    /// Whether `Blender quit` was seen.
    public private(set) var quit = false
    /// An unfinished line from the end of the last chunk.
    private var tail = ""

    public init() {}

    /// Folds a chunk of output; a line cut at the chunk's end waits for the rest in the next.
    public mutating func consume(_ chunk: Substring) {
        var rest = chunk
        while let newline = rest.utf8.firstIndex(of: UInt8(ascii: "\n")) {
            if tail.isEmpty {
                apply(rest[..<newline])
            } else {
                tail += rest[..<newline]
                apply(Substring(tail))
                tail = ""
            }
            rest = rest[rest.utf8.index(after: newline)...]
        }
        tail += rest
    }

    /// Folds the unfinished last line, at the end of the output.
    public mutating func finish() {
        if !tail.isEmpty { apply(Substring(tail)); tail = "" }
    }

    private mutating func apply(_ line: Substring) {
        if line.contains(where: { !$0.isWhitespace }) { lastLine = String(line.utf8.last == 13 ? line.dropLast() : line) }
        switch BlenderLogLine.parse(line) {
        case .progress(let frame, let n, let m):
            if frame != currentFrame { (sample, samples) = (nil, nil) }
            currentFrame = frame
            if let n, let m { (sample, samples) = (n, m) }
        case .saved(let path):
            framesSaved += 1
            if let currentFrame { savedFrames.append(currentFrame) }
            lastSavedPath = path
            (currentFrame, sample, samples) = (nil, nil, nil)
        case .frameTime(let seconds): lastFrameSeconds = seconds
        case .error(let message): lastError = message
        case .quit: quit = true
        case nil: break
        }
    }
}

/// Lines `bcctl render node` itself writes into a node's log.
public enum RenderNodeLog {
    /// Its closing line: `bcops render node: renderer CPU time 1.23 s`, read back by `render status`.
    public static let cpuTimePrefix = "bcops render node: renderer CPU time "
}
