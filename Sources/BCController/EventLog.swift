import BCAPI
import Foundation

/// The controller's structured log: one line per reconciliation, apply, stall and webhook
/// delivery, in logfmt (`time=… level=info event=reconcile workspace=default …`) or as one
/// JSON object per line (`--log-format json`). Every line starts with `time`, `level` and
/// `event`; the other keys follow in a fixed order per event.
///
/// Never logged: webhook secrets and signatures, the API token, request headers, git
/// credentials. Values pass through `EventLog.scrubbed`, which drops the user info of any
/// URL (`https://user:token@host/…` → `https://host/…`), so a git error quoting the remote
/// does not leak a token either.
public struct EventLog: Sendable {
    public enum Format: String, Sendable, CaseIterable { case logfmt, json }
    public enum Level: String, Sendable { case info, warn, error }

    /// A field's value: strings are quoted when they must be (logfmt) or always (JSON).
    public enum Value: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case string(String), int(Int), double(Double), bool(Bool)
        public init(stringLiteral value: String) { self = .string(value) }
        public init(integerLiteral value: Int) { self = .int(value) }
    }

    public let format: Format
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where each line goes (with its newline); standard output by default.
    public init(format: Format = .logfmt, write: @escaping @Sendable (String) -> Void = EventLog.standardOutput) {
        self.format = format
        self.write = write
    }

    /// Logs nothing (the controller embedded in tests).
    public static let disabled = EventLog(write: { _ in })

    private static let outputLock = NSLock()

    /// Standard output, one whole line per write, flushed (the journal reads it line by line).
    @Sendable public static func standardOutput(_ line: String) {
        // print's buffer, flushed: the startup lines (print) and these stay in order.
        outputLock.withLock {
            print(line, terminator: "")
            fflush(nil)
        }
    }

    /// Writes one event; fields whose value is nil are left out.
    public func emit(_ level: Level, _ event: String, _ fields: [(String, Value?)], at time: Date = Date()) {
        write(line(level, event, fields, at: time) + "\n")
    }

    /// The line, without its newline.
    public func line(_ level: Level, _ event: String, _ fields: [(String, Value?)], at time: Date = Date()) -> String {
        let all: [(String, Value)] = [("time", .string(WireTime.format(time))), ("level", .string(level.rawValue)), ("event", .string(event))]
            + fields.compactMap { key, value in value.map { (key, EventLog.scrubbed($0)) } }
        switch format {
        case .logfmt:
            return all.map { "\($0.0)=\(EventLog.logfmt($0.1))" }.joined(separator: " ")
        case .json:
            return "{" + all.map { "\(EventLog.jsonString($0.0)):\(EventLog.json($0.1))" }.joined(separator: ",") + "}"
        }
    }

    // MARK: Values

    static func scrubbed(_ value: Value) -> Value {
        if case .string(let s) = value { return .string(scrubbed(s)) }
        return value
    }

    /// The text with the user info of every URL in it removed.
    public static func scrubbed(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        var out = "", rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the first '/', whitespace, quote or the end; user info ends at its last '@'.
            let authorityEnd = rest.firstIndex { $0 == "/" || $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == ">" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        }
        return out + rest
    }

    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "0" }
        return String(format: "%.3f", d)
    }

    static func logfmt(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s):
            let plain = !s.isEmpty && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7F }
            // Quoted as a JSON string: logfmt readers (and people) read those escapes.
            return plain ? s : jsonString(s)
        }
    }

    static func json(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return jsonString(s)
        }
    }

    static func jsonString(_ s: String) -> String {
        var out: [UInt8] = []
        JSONEscaping.appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
