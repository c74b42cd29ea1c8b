/// The five characters markup gives a meaning to, escaped: for OSS's XML answers and the
/// dashboard's HTML alike (element content and quoted attribute values). The apostrophe is the
/// caller's: `&apos;` is XML's own name for it, and HTML 4 readers only know `&#39;`.
public enum MarkupEscaping {
    public static func escape(_ s: some StringProtocol, apostrophe: String = "&#39;") -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += apostrophe
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
