import ArgumentParser

/// Terraform's durations: `0s`, `30s`, `5m`, `1h30m`, or plain seconds.
public struct Duration: ExpressibleByArgument, CustomStringConvertible, Sendable {
    public var seconds: Double

    public init?(argument: String) {
        if let n = Double(argument) { seconds = n; return }
        var total = 0.0, number = ""
        for c in argument {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let n = Double(number) else { return nil }
            switch c {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            default: return nil
            }
            number = ""
        }
        guard number.isEmpty else { return nil }
        seconds = total
    }

    public init(seconds: Double) { self.seconds = seconds }

    /// The way it is written on the command line: `0s`, `1s`, `0.5s`, `10m`, `1h30m`, `90s` → `1m30s`.
    public var description: String {
        guard seconds.isFinite, seconds >= 0 else { return "\(seconds)s" }
        let whole = seconds.rounded(.down)
        guard whole == seconds, whole < 1e12 else { return "\(Duration.trimmed(seconds))s" }
        var left = Int(whole), out = ""
        if left >= 3600 { out += "\(left / 3600)h"; left %= 3600 }
        if left >= 60 { out += "\(left / 60)m"; left %= 60 }
        if left > 0 || out.isEmpty { out += "\(left)s" }
        return out
    }

    /// Help shows `(default: 10m)`, not `Duration(seconds: 600.0)`.
    public var defaultValueDescription: String { description }

    static func trimmed(_ v: Double) -> String {
        var s = String(v)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }
}
