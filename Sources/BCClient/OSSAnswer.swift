import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// OSS's XML answers, read with an XML parser: a bucket listing (`ListBucketResult`) and an
/// error (`Error`). A parser, not substring searches, so an element is found by where it sits
/// (a `Prefix` inside `CommonPrefixes` is not the request's `Prefix`), entities and CDATA are
/// decoded as XML says, and a key that spells `<Key>` inside its text cannot be misread.
enum OSSAnswer {
    /// One page of `GET /bucket?prefix=…`.
    struct Listing: Equatable {
        /// The objects' keys (`Contents/Key`), in the order listed.
        var keys: [String] = []
        /// With a delimiter: the deeper keys folded into their prefixes (`CommonPrefixes/Prefix`).
        var commonPrefixes: [String] = []
        var isTruncated = false
        /// Where the next page starts, when truncated.
        var nextMarker: String?
    }

    /// An error answer's `Code` and `Message`, nil where absent.
    struct Failure: Equatable {
        var code: String?
        var message: String?
    }

    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    static func listing(_ xml: [UInt8]) throws -> Listing {
        let (root, elements) = try parse(xml)
        guard root == "ListBucketResult" else {
            throw Unreadable(description: "OSS answered a listing with <\(root ?? "")> instead of <ListBucketResult>")
        }
        var listing = Listing()
        for (path, text) in elements {
            switch path {
            case ["ListBucketResult", "Contents", "Key"]: listing.keys.append(text)
            case ["ListBucketResult", "CommonPrefixes", "Prefix"]: listing.commonPrefixes.append(text)
            case ["ListBucketResult", "IsTruncated"]: listing.isTruncated = text == "true"
            case ["ListBucketResult", "NextMarker"]: listing.nextMarker = text
            default: break
            }
        }
        return listing
    }

    /// The `Code` and `Message` of an `<Error>`; both nil when the body is not one (a proxy's
    /// HTML page, an empty body), so the caller says what it got instead.
    static func failure(_ xml: [UInt8]) -> Failure {
        guard let (root, elements) = try? parse(xml), root == "Error" else { return Failure() }
        var failure = Failure()
        for (path, text) in elements {
            if path == ["Error", "Code"] { failure.code = text }
            if path == ["Error", "Message"] { failure.message = text }
        }
        return failure
    }

    /// The root element's name, and every element that holds text only: its path from the
    /// root and its text, in document order.
    static func parse(_ xml: [UInt8]) throws -> (root: String?, elements: [(path: [String], text: String)]) {
        let reader = Reader()
        let parser = XMLParser(data: Data(xml))
        parser.delegate = reader
        guard parser.parse() else {
            throw Unreadable(description: "OSS answered XML that does not parse: \(parser.parserError.map { "\($0)" } ?? "unknown error")")
        }
        // The parser accepts a document cut short; an answer whose elements never close was cut.
        guard reader.path.isEmpty else {
            throw Unreadable(description: "OSS's answer ends inside <\(reader.path.joined(separator: "><"))>")
        }
        return (reader.root, reader.elements)
    }

    /// Collects leaf elements' text as the parser walks the document.
    private final class Reader: NSObject, XMLParserDelegate {
        var path: [String] = []
        var text = ""
        var hasChildren: [Bool] = []
        var elements: [(path: [String], text: String)] = []
        var root: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if path.isEmpty { root = root ?? name }
            if !hasChildren.isEmpty { hasChildren[hasChildren.count - 1] = true }
            path.append(name)
            hasChildren.append(false)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, foundCDATA block: Data) { text += String(decoding: block, as: UTF8.self) }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if hasChildren.last == false { elements.append((path, text)) }
            path.removeLast()
            hasChildren.removeLast()
            text = ""
        }
    }
}
