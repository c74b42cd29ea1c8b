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

    /// Parses a `Date` header, or nil. Accepts the three forms HTTP/1.1 says a recipient must
    /// (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT` (what the SDK, `bcs`, oss2 and bcops
    /// send), `Sunday, 06-Nov-94 08:49:37 GMT` and asctime's `Sun Nov  6 08:49:37 1994`. Parsed
    /// by hand, without the C locale's month names; an impossible date (`31 Feb`) is nil.
    public static func parseHTTPDate(_ text: String) -> Date? {
        let tokens = text.split(separator: " ")
        let day: Substring, month: Substring, time: Substring
        var year: Substring
        switch tokens.count {
        case 6 where tokens[0].hasSuffix(",") && tokens[5] == "GMT":  // IMF-fixdate
            guard weekday(tokens[0].dropLast(), long: false) else { return nil }
            (day, month, year, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
        case 4 where tokens[0].hasSuffix(",") && tokens[3] == "GMT":  // RFC 850
            let parts = tokens[1].split(separator: "-", omittingEmptySubsequences: false)
            guard weekday(tokens[0].dropLast(), long: true), parts.count == 3, parts[2].count == 2 else { return nil }
            (day, month, year, time) = (parts[0], parts[1], parts[2], tokens[2])
        case 5:  // asctime
            guard weekday(tokens[0], long: false) else { return nil }
            (month, day, time, year) = (tokens[1], tokens[2], tokens[3], tokens[4])
        default:
            return nil
        }
        let clock = time.split(separator: ":", omittingEmptySubsequences: false)
        guard let m = months.firstIndex(where: { $0 == month }), (1...2).contains(day.count), year.count == 2 || year.count == 4,
              clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let d = digits(day), var y = digits(year), let hh = digits(clock[0]), let mm = digits(clock[1]), let ss = digits(clock[2]),
              (1...31).contains(d), hh <= 23, mm <= 59, ss <= 60
        else { return nil }
        if year.count == 2 { y += y < 70 ? 2000 : 1900 }
        var parts = tm()
        parts.tm_year = y - 1900; parts.tm_mon = Int32(m); parts.tm_mday = d
        parts.tm_hour = hh; parts.tm_min = mm; parts.tm_sec = ss
        var seconds = timegm(&parts)
        var check = tm()
        gmtime_r(&seconds, &check)
        guard check.tm_mday == d, check.tm_mon == Int32(m) else { return nil }  // 31 Feb rolled over
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// A run of ASCII digits as a number ("+1", " 1" and non-ASCII digits are not).
    private static func digits(_ s: Substring) -> Int32? {
        guard !s.isEmpty, s.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int32(s)
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    private static func weekday(_ name: Substring, long: Bool) -> Bool {
        (long ? longDays : days).contains { $0 == name }
    }
}
