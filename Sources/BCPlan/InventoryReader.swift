import BCClient
import BCModel

/// Reads `/bcops/inventory`'s answer (`InventoryAnswer`: `{"Items":[{Collection, Id, Revision,
/// State, Message, Labels}], "Removed":[…], "Cursor":…, "Complete":…}`) straight into live
/// objects (bodies of Revision, State and Message), without a `JSONValue` tree of it first: the
/// inventory of 10,000 objects is read while the manifests load, on the same two cores, and
/// the tree (two dictionaries per object, one of them copied again into the labels) cost as
/// much as the objects themselves. The keys are the contract's (`InventoryItem.Key`): this
/// reader is fast, not a second spelling of the wire.
///
/// Anything it does not expect (a value of another type, a malformed document, nesting past
/// `JSONLimits.maxDepth`) makes it answer nil, and the caller reads the answer the general
/// way: same result, slower, and the general reading names what is wrong (`JSONNestingError`).
struct InventoryReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func read(_ body: [UInt8], workspace: String) -> InventoryReading? {
        body.withUnsafeBufferPointer { buffer in
            var reader = InventoryReader(buffer)
            return reader.document(workspace: workspace)
        }
    }

    // MARK: The document

    private mutating func document(workspace: String) -> InventoryReading? {
        var reading = InventoryReading()
        var sawItems = false, sawRemoved = false, sawCursor = false, sawComplete = false
        guard take("{") else { return nil }
        if !take("}") {
            repeat {
                guard let key = string(), take(":") else { return nil }
                if key == InventoryItem.Key.items {
                    // A second Items would replace the first in the general reading.
                    guard !sawItems, take("[") else { return nil }
                    sawItems = true
                    if !take("]") {
                        repeat { guard item(into: &reading, workspace: workspace) else { return nil } } while take(",")
                        guard take("]") else { return nil }
                    }
                } else if key == InventoryItem.Key.removed {
                    guard !sawRemoved, take("[") else { return nil }
                    sawRemoved = true
                    if !take("]") {
                        repeat { guard removal(into: &reading) else { return nil } } while take(",")
                        guard take("]") else { return nil }
                    }
                } else if key == InventoryItem.Key.cursor {
                    guard !sawCursor, let cursor = string() else { return nil }
                    sawCursor = true
                    reading.cursor = cursor
                } else if key == InventoryItem.Key.complete {
                    guard !sawComplete, let complete = boolean() else { return nil }
                    sawComplete = true
                    reading.complete = complete
                } else {
                    guard skipValue() else { return nil }
                }
            } while take(",")
            guard take("}") else { return nil }
        }
        skipSpace()
        guard sawItems, i == bytes.count else { return nil }
        return reading
    }

    /// An object: each key is handed to `field` with the reader at its value, which `field`
    /// consumes (false: the document is not what this reader expects).
    private mutating func object(_ field: (inout InventoryReader, String) -> Bool) -> Bool {
        guard take("{") else { return false }
        if take("}") { return true }
        repeat {
            guard let key = string(), take(":"), field(&self, key) else { return false }
        } while take(",")
        return take("}")
    }

    /// One removed object (`InventoryRemoval`).
    private mutating func removal(into reading: inout InventoryReading) -> Bool {
        var collection: String?, id: String?
        guard object({ r, key in
            switch key {
            case InventoryItem.Key.collection: collection = r.string(); return collection != nil
            case InventoryItem.Key.id: id = r.string(); return id != nil
            default: return r.skipValue()
            }
        }) else { return false }
        if let collection = collection.flatMap(InventoryItem.Collection.init(rawValue:)), let id {
            reading.removed.append(LiveObjectKey(collection: LiveCollection(collection), id: id))
        }
        return true
    }

    /// One item, as `LiveState.add` would take it from the general reading.
    private mutating func item(into reading: inout InventoryReading, workspace: String) -> Bool {
        var collection: String?, id: String?, revision: Int?, status: String?, message: String?, endTime: String?
        var labels: [String: String]?
        guard object({ r, key in
            switch key {
            case InventoryItem.Key.collection: collection = r.string(); return collection != nil
            case InventoryItem.Key.id: id = r.string(); return id != nil
            case InventoryItem.Key.revision: revision = r.integer(); return revision != nil
            case InventoryItem.Key.state: status = r.string(); return status != nil
            case InventoryItem.Key.message: message = r.string(); return message != nil
            case InventoryItem.Key.labels: labels = r.stringObject(); return labels != nil
            case InventoryItem.Key.endTime: endTime = r.string(); return endTime != nil
            default: return r.skipValue()
            }
        }) else { return false }
        guard let collection = collection.flatMap(InventoryItem.Collection.init(rawValue:)) else { return true }
        if let id { reading.changed.append(LiveObjectKey(collection: LiveCollection(collection), id: id)) }
        // The body keeps what plans read of a brief object (its labels are `labels`).
        var body: [String: JSONValue] = [:]
        body.reserveCapacity(3)
        if let revision { body[LiveKey.revision] = .integer(revision) }
        if let status { body[LiveKey.state] = .string(status) }
        if let message { body[LiveKey.message] = .string(message) }
        if let endTime { body[LiveKey.endTime] = .string(endTime) }
        reading.state.add(labels: labels ?? [:], id: id, collection: LiveCollection(collection), workspace: workspace, body: .object(body), brief: true)
        return true
    }

    // MARK: Values

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    /// Consumes `c` (after any space) if it is next.
    private mutating func take(_ c: Unicode.Scalar) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: c) else { return false }
        i += 1
        return true
    }

    /// An object whose values are all strings.
    private mutating func stringObject() -> [String: String]? {
        var out: [String: String] = [:]
        out.reserveCapacity(8)
        guard take("{") else { return nil }
        if take("}") { return out }
        repeat {
            guard let key = labelKey(), take(":"), let value = string() else { return nil }
            out[key] = value
        } while take(",")
        return take("}") ? out : nil
    }

    /// bcops' own label keys, every object has them: the constants, not a new string each.
    private static let knownKeys = [OwnershipLabels.workspace, OwnershipLabels.address, OwnershipLabels.spec, OwnershipLabels.revision,
                                    OwnershipLabels.fields, OwnershipLabels.rerun]

    private mutating func labelKey() -> String? {
        skipSpace()
        let start = i + 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            for key in Self.knownKeys {
                let end = start + key.utf8.count
                if end < bytes.count, bytes[end] == UInt8(ascii: "\""), UnsafeBufferPointer(rebasing: bytes[start..<end]).elementsEqual(key.utf8) {
                    i = end + 1
                    return key
                }
            }
        }
        return string()
    }

    private mutating func boolean() -> Bool? {
        skipSpace()
        for (word, value) in [("true", true), ("false", false)] where bytes.count - i >= word.utf8.count {
            if UnsafeBufferPointer(rebasing: bytes[i..<i + word.utf8.count]).elementsEqual(word.utf8) {
                i += word.utf8.count
                return value
            }
        }
        return nil
    }

    private mutating func integer() -> Int? {
        skipSpace()
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let digits = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
        guard i > digits, i - digits <= 18 else { return nil }
        // A fraction or an exponent: a number the general reading handles.
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { return nil }
        // JSON has no leading zeros.
        if bytes[digits] == 0x30, i - digits > 1 { return nil }
        var n = 0
        for k in digits..<i { n = n * 10 + Int(bytes[k] - 0x30) }
        return bytes[start] == UInt8(ascii: "-") ? -n : n
    }

    private mutating func string() -> String? {
        guard take("\"") else { return nil }
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                defer { i += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") { return escapedString(from: start) }
            if c < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// The rest of a string with escapes, from its first byte at `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var unit = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(unit) {
                        // A surrogate pair: the low half must follow.
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(unit) {
                        return nil
                    }
                    guard let scalar = Unicode.Scalar(unit) else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
            default:
                if c < 0x20 { return nil }
                out.append(c)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            switch c {
            case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(c - 0x41 + 10)
            case 0x61...0x66: v = v << 4 | UInt32(c - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }

    /// Skips any value (of a key the inventory reading does not use). Nesting is bounded as
    /// the general reading bounds it; past that, nil, and the general reading reports it.
    private mutating func skipValue(depth: Int = 1) -> Bool {
        guard depth <= JSONLimits.maxDepth else { return false }
        skipSpace()
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"):
            i += 1
            if take("}") { return true }
            repeat {
                guard string() != nil, take(":"), skipValue(depth: depth + 1) else { return false }
            } while take(",")
            return take("}")
        case UInt8(ascii: "["):
            i += 1
            if take("]") { return true }
            repeat { guard skipValue(depth: depth + 1) else { return false } } while take(",")
            return take("]")
        default:
            // A number or a literal: up to the next delimiter, checked by the general reading
            // if it is not one of these.
            let start = i
            while i < bytes.count, !",]} \n\r\t".utf8.contains(bytes[i]) { i += 1 }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<i])
            if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8) { return true }
            return !token.isEmpty && token.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || "+-.eE".utf8.contains($0) } && (token.first! == UInt8(ascii: "-") || (token.first! >= 0x30 && token.first! <= 0x39))
        }
    }
}
