import Foundation

/// A `multipart/form-data` body (RFC 7578), as Cromwell's clients send a submission: each part
/// a named field, a file (`filename=`) or a plain value. Read whole: a submission is a WDL, some
/// JSON and perhaps a zip of imports, held in memory anyway to be checked and staged.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var filename: String?
        var bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    var parts: [Part]

    /// The first part of that name.
    subscript(name: String) -> Part? { parts.first { $0.name == name } }

    struct Malformed: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(Malformed) -> MultipartForm {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var at = find(delimiter, in: body, from: 0) else { throw Malformed(description: "no part starts with the boundary \(boundary)") }
        at += delimiter.count
        while true {
            // After a delimiter: "--" ends the body, else CRLF and a part.
            if body.count >= at + 2, body[at] == UInt8(ascii: "-"), body[at + 1] == UInt8(ascii: "-") { break }
            at = skipLineEnd(body, at)
            guard let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: at) else {
                throw Malformed(description: "a part's headers do not end")
            }
            let headers = String(decoding: body[at..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = find(Array("\r\n".utf8) + delimiter, in: body, from: contentStart) else {
                throw Malformed(description: "a part does not end with the boundary")
            }
            let (name, filename) = disposition(headers)
            guard let name else { throw Malformed(description: "a part has no Content-Disposition name") }
            parts.append(Part(name: name, filename: filename, bytes: Array(body[contentStart..<next])))
            at = next + 2 + delimiter.count
        }
        return MultipartForm(parts: parts)
    }

    static func skipLineEnd(_ body: [UInt8], _ at: Int) -> Int {
        var i = at
        while i < body.count, body[i] == UInt8(ascii: " ") || body[i] == UInt8(ascii: "\t") { i += 1 }
        if i + 1 < body.count, body[i] == 13, body[i + 1] == 10 { return i + 2 }
        if i < body.count, body[i] == 10 { return i + 1 }
        return i
    }

    /// `Content-Disposition: form-data; name="workflowSource"; filename="hello.wdl"`.
    static func disposition(_ headers: String) -> (name: String?, filename: String?) {
        for line in headers.split(separator: "\r\n") {
            let text = String(line)
            guard text.lowercased().hasPrefix("content-disposition:") else { continue }
            var name: String?, filename: String?
            for piece in text.split(separator: ";").dropFirst() {
                let p = piece.trimmingCharacters(in: .whitespaces)
                guard let eq = p.firstIndex(of: "=") else { continue }
                let key = p[..<eq].lowercased()
                var value = String(p[p.index(after: eq)...])
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                if key == "name" { name = value } else if key == "filename" { filename = value }
            }
            return (name, filename)
        }
        return (nil, nil)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        let first = needle[0], last = haystack.count - needle.count
        var i = start
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count, haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
