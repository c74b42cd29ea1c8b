import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The body of a multi-object delete (`POST /bucket?delete`), read with an XML parser:
///
///     <Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>…</Delete>
///
/// A parser, not a search for `<Key>`, so that what clients may legally send reads as they
/// meant it: entities (`&amp;`, `&#x4e2d;`), CDATA sections, attributes, comments and
/// whitespace between elements. A document that is not well-formed, or that carries a DTD
/// (whose entities the parser would leave out of a key without a word, deleting another
/// object than the one named), is `MalformedXML`, as OSS answers.
///
/// One exception to well-formedness: oss2 writes a key's control characters raw (`a\u{0}b`),
/// which XML 1.0 forbids even as references. Such a key is the object store's to refuse, as
/// `InvalidObjectName` naming the key, and not the XML's: control characters are carried
/// through the parser as noncharacters (see `carryingControls`) and given back in the keys.
struct OSSDeleteRequest {
    var quiet = false
    var keys: [String] = []

    static func parse(_ body: Data) throws -> OSSDeleteRequest {
        guard !hasDoctype(body) else {
            throw OSSError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: "
                           + "a document type declaration (DTD) is not accepted.")
        }
        let reader = Reader()
        let parser = XMLParser(data: carryingControls(body))
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        // On Linux `parse()` can answer true for a document that is not well-formed and still
        // set `parserError`: both are checked.
        guard parser.parse(), parser.parserError == nil else {
            throw OSSError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
        }
        var request = reader.request
        request.keys = request.keys.map(restoringControls)
        return request
    }

    /// XML 1.0 admits no C0 control character but tab, line feed and carriage return (which
    /// the parser turns into line feeds: a key's CR reads as LF, refused all the same). The
    /// others stand in as U+FDD0 + byte on the way through: noncharacters, which XML admits
    /// and no client puts in an object name (one that did would be refused like a control).
    static let firstStandIn: UInt32 = 0xFDD0

    static func carryingControls(_ body: Data) -> Data {
        guard body.contains(where: isForbiddenControl) else { return body }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 16)
        for byte in body {
            if isForbiddenControl(byte) {
                out += Array(String(Unicode.Scalar(firstStandIn + UInt32(byte))!).utf8)
            } else {
                out.append(byte)
            }
        }
        return Data(out)
    }

    static func isForbiddenControl(_ byte: UInt8) -> Bool { byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D }

    static func restoringControls(_ key: String) -> String {
        guard key.unicodeScalars.contains(where: { (firstStandIn..<firstStandIn + 0x20).contains($0.value) }) else { return key }
        var out = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            let v = scalar.value
            out.append((firstStandIn..<firstStandIn + 0x20).contains(v) ? Unicode.Scalar(UInt8(v - firstStandIn)) : scalar)
        }
        return String(out)
    }

    /// Whether the prolog (before the first element) declares a document type. Only the
    /// prolog can: past it, `<!DOCTYPE` would be text, a comment or CDATA.
    static func hasDoctype(_ body: Data) -> Bool {
        let bytes = [UInt8](body)
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func at(_ s: String) -> Bool { bytes[i...].starts(with: Array(s.utf8)) }
        func skip(past end: String) {
            let e = Array(end.utf8)
            while i < bytes.count, !bytes[i...].starts(with: e) { i += 1 }
            i = min(bytes.count, i + e.count)
        }
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            case _ where at("<?"): skip(past: "?>")
            case _ where at("<!--"): skip(past: "-->")
            default: return at("<!DOCTYPE")
            }
        }
        return false
    }

    /// SAX events to the request: the text of `Delete/Quiet` and of every `Delete/Object/Key`.
    final class Reader: NSObject, XMLParserDelegate {
        var request = OSSDeleteRequest()
        var path: [String] = []
        var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            path.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            switch path {
            case ["Delete", "Quiet"]: request.quiet = text.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
            case ["Delete", "Object", "Key"]: request.keys.append(text)
            default: break
            }
            path.removeLast()
            text = ""
        }
    }
}
