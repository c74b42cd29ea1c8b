import ArgumentParser

/// Terraform's durations: `0s`, `30s`, `5m`, `1h30m`, or plain seconds.
public struct Duration: ExpressibleByArgument, Sendable {
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
}
