#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Long text (a failure reason) shown whole: wrapped at word boundaries to the terminal's
/// width, each line indented.
enum TextWrap {
    /// Standard output's width on a terminal (`COLUMNS` when the terminal does not say), else 80.
    static var terminalWidth: Int {
        guard isatty(1) == 1 else { return 80 }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfoLite.environment["COLUMNS"] ?? "") ?? 80
    }

    /// `text`'s lines, each wrapped to `width` columns including `indent`; a word longer than
    /// a line is cut, never dropped. Line breaks in the text are kept.
    static func wrap(_ text: String, width: Int, indent: String) -> [String] {
        let room = max(20, width - indent.count)
        var out: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = Substring(word)
                while word.count > room {
                    if !line.isEmpty { out.append(line); line = "" }
                    out.append(String(word.prefix(room)))
                    word = word.dropFirst(room)
                }
                if line.isEmpty { line = String(word) }
                else if line.count + 1 + word.count <= room { line += " " + word }
                else { out.append(line); line = String(word) }
            }
            if !line.isEmpty || paragraph.isEmpty { out.append(line) }
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out.map { $0.isEmpty ? "" : indent + $0 }
    }
}
