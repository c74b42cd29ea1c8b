import BCAPI
import Foundation

/// Request bodies as loosely typed JSON, checked field by field so that each wrong field
/// gets BatchCompute's `Invalid<Field>` answer instead of a generic failure.
struct JSONBody {
    let object: [String: Any]

    static func parse(_ data: Data) throws -> JSONBody {
        guard !data.isEmpty else { return JSONBody(object: [:]) }
        guard let any = try? JSONSerialization.jsonObject(with: data), let object = any as? [String: Any] else {
            throw APIError.invalidJSON
        }
        return JSONBody(object: object)
    }

    /// Rejects keys outside `known`, so a misspelt field is an error, not silently dropped.
    static func checkKnown(_ object: [String: Any], _ known: Set<String>, where context: String) throws {
        for key in object.keys.sorted() where !known.contains(key) {
            throw APIError(400, "InvalidHttpBody", "Unknown field \(context)\(key).")
        }
    }

    static func string(_ object: [String: Any], _ key: String, required: Bool = false) throws -> String? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let s = v as? String else { throw APIError.invalid(key, "expected a string") }
        return s
    }

    static func int(_ object: [String: Any], _ key: String, required: Bool = false) throws -> Int? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let n = v as? NSNumber, !isBool(n), n.doubleValue == n.doubleValue.rounded() else {
            throw APIError.invalid(key, "expected an integer")
        }
        return n.intValue
    }

    static func bool(_ object: [String: Any], _ key: String) throws -> Bool? {
        guard let v = object[key], !(v is NSNull) else { return nil }
        guard let n = v as? NSNumber, isBool(n) else { throw APIError.invalid(key, "expected true or false") }
        return n.boolValue
    }

    static func dict(_ object: [String: Any], _ key: String, required: Bool = false) throws -> [String: Any]? {
        guard let v = object[key], !(v is NSNull) else {
            if required { throw APIError.missing(key) }
            return nil
        }
        guard let d = v as? [String: Any] else { throw APIError.invalid(key, "expected an object") }
        return d
    }

    /// JSON booleans come back as NSNumber too; their ObjC type is `c` (char).
    /// bcops' `Labels` extension: string keys and string values.
    static func checkLabels(_ object: [String: Any]) throws {
        guard let labels = try dict(object, "Labels") else { return }
        for (k, v) in labels where k.isEmpty || !(v is String) {
            throw APIError.invalid("Labels", "label \(k) must have a string value")
        }
    }

    static func isBool(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c"
    }

    static func serialize(_ value: Any) -> Data {
        JSONWriter.data(value)
    }
}
