import Foundation

/// Times as BatchCompute writes them: `2019-01-01T00:00:00.123456Z`. The SDK parses every
/// key ending in `Time` with `%Y-%m-%dT%H:%M:%S.%fZ`, so the fractional part is mandatory.
public enum WireTime {
    public static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        let seconds = floor(t)
        let micros = Int(((t - seconds) * 1_000_000).rounded()) % 1_000_000
        var tm = tm()
        var s = time_t(seconds)
        gmtime_r(&s, &tm)
        // Padded by hand: String(format:) on Linux initialises Foundation's locale machinery,
        // which cost a plan tens of milliseconds for one timestamp.
        func pad(_ n: Int, _ width: Int) -> String {
            let digits = String(n)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return pad(Int(tm.tm_year) + 1900, 4) + "-" + pad(Int(tm.tm_mon) + 1, 2) + "-" + pad(Int(tm.tm_mday), 2) + "T"
            + pad(Int(tm.tm_hour), 2) + ":" + pad(Int(tm.tm_min), 2) + ":" + pad(Int(tm.tm_sec), 2) + "." + pad(micros, 6) + "Z"
    }

    /// Parses the wire form (fraction optional when reading), or nil.
    public static func parse(_ text: String) -> Date? {
        let body = text.hasSuffix("Z") ? String(text.dropLast()) : text
        let parts = body.split(separator: ".", maxSplits: 1)
        guard let date = parts.first else { return nil }  // "" (a time not reached yet)
        let fields = date.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int32($0) }
        guard fields.count == 6 else { return nil }
        var tm = tm()
        tm.tm_year = fields[0] - 1900; tm.tm_mon = fields[1] - 1; tm.tm_mday = fields[2]
        tm.tm_hour = fields[3]; tm.tm_min = fields[4]; tm.tm_sec = fields[5]
        var seconds = Double(timegm(&tm))
        if parts.count == 2, let fraction = Double("0." + parts[1]) { seconds += fraction }
        return Date(timeIntervalSince1970: seconds)
    }

    /// The RFC 1123 form of the `Date` header.
    public static func httpDate(_ date: Date) -> String {
        var tm = tm()
        var s = time_t(date.timeIntervalSince1970)
        gmtime_r(&s, &tm)
        var buffer = [Int8](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &tm)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
