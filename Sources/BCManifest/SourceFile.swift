/// Checks on a file's bytes before YAML sees them, each with a message people can act on.
public enum SourceFile {
    /// Largest manifest file accepted.
    public static let maxFileBytes = 16 << 20
    /// Largest single document accepted (a manifest is small; megabytes mean a mistake or an attack).
    public static let maxDocumentBytes = 1 << 20

    /// The first problem that makes the bytes unusable as a UTF-8 YAML stream, if any.
    public static func encodingProblem(_ bytes: [UInt8]) -> YAMLProblem? {
        if isPlainASCII(bytes) { return nil }
        return detailedEncodingProblem(bytes)
    }

    /// True when every byte is 0x01…0x7F: eight bytes per step, no positions kept.
    static func isPlainASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
            for i in 0..<words {
                let v = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
                // Any byte with the high bit set, or any zero byte, sends us to the detailed pass.
                if v & high != 0 || (v &- ones) & ~v & high != 0 { return false }
            }
            for i in (words * 8)..<raw.count where raw[i] == 0 || raw[i] >= 0x80 { return false }
            return true
        }
    }

    static func detailedEncodingProblem(_ bytes: [UInt8]) -> YAMLProblem? {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return YAMLProblem("file is UTF-16; save it as UTF-8", at: SourceMark(line: 1, column: 1))
        }
        var line = 1, column = 1
        var i = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00: return YAMLProblem("file contains a NUL byte; is it binary?", at: SourceMark(line: line, column: column))
            case 0x0A: line += 1; column = 1; i += 1; continue
            case 0x01...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return invalid(byte: b, line: line, column: column)
            }
            if i + length > bytes.count { return invalid(byte: b, line: line, column: column) }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return invalid(byte: b, line: line, column: column) }
            if length == 3 {
                let cp = (UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6)
                if cp < 0x800 || (0xD800...0xDFFF).contains(cp) { return invalid(byte: b, line: line, column: column) }
            } else if length == 4 {
                let cp = (UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                if cp < 0x10000 || cp > 0x10FFFF { return invalid(byte: b, line: line, column: column) }
            }
            i += length
            column += 1
        }
        return nil
    }

    private static func invalid(byte: UInt8, line: Int, column: Int) -> YAMLProblem {
        let hex = String(byte, radix: 16, uppercase: true)
        return YAMLProblem("file is not valid UTF-8 (byte 0x\(hex.count == 1 ? "0" + hex : hex)); save it as UTF-8", at: SourceMark(line: line, column: column))
    }

    /// True when the text holds nothing but blank lines, comments and document markers.
    public static func isBlank(_ bytes: [UInt8]) -> Bool {
        var atLineStart = true, inComment = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0A { atLineStart = true; inComment = false; i += 1; continue }
            if inComment || b == 0x20 || b == 0x09 || b == 0x0D || (i == 0 && b == 0xEF) { i += (i == 0 && b == 0xEF) ? 3 : 1; continue }
            if b == UInt8(ascii: "#") { inComment = true; i += 1; continue }
            if atLineStart, i + 2 < bytes.count || i + 2 == bytes.count - 0,
               bytes[i...].starts(with: [0x2D, 0x2D, 0x2D]) || bytes[i...].starts(with: [0x2E, 0x2E, 0x2E]) {
                i += 3; atLineStart = false; continue
            }
            return false
        }
        return true
    }
}
