import BCModel

/// Writes JSON Schema (draft 2020-12) for each kind from the recorded model schema.
///
/// Named object types go to `$defs` and are referenced, so the files stay readable and
/// each type's description appears once.
public enum JSONSchemaWriter {
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    public static func fileName(for kind: Kind) -> String { kind.rawValue.lowercased() + ".json" }

    public static func document(for kind: Kind) -> JSONText {
        let manifest = SchemaRecorder.manifestSchema(for: kind)
        var defs: [(String, JSONText)] = []
        var seen: Set<String> = []
        let body = objectJSON(manifest, defs: &defs, seen: &seen, inline: true)
        guard case .object(var pairs) = body else { return body }
        pairs.insert(contentsOf: [
            ("$schema", .string(dialect)),
            ("$id", .string("https://bcops.io/schemas/v1/\(fileName(for: kind))")),
            ("title", .string("\(kind.rawValue) (\(Kind.apiVersion))")),
        ], at: 0)
        if !defs.isEmpty { pairs.append(("$defs", .object(defs.sorted { $0.0 < $1.0 }))) }
        return .object(pairs)
    }

    static func json(_ node: SchemaNode, defs: inout [(String, JSONText)], seen: inout Set<String>) -> JSONText {
        switch node {
        case .string(let values):
            if let values, values.count == 1 { return .object([("const", .string(values[0]))]) }
            if let values { return .object([("type", .string("string")), ("enum", .array(values.map(JSONText.string)))]) }
            return .object([("type", .string("string"))])
        case .integer: return .object([("type", .string("integer"))])
        case .number: return .object([("type", .string("number"))])
        case .boolean: return .object([("type", .string("boolean"))])
        case .anyValue: return .object([])
        case .array(let item): return .object([("type", .string("array")), ("items", json(item, defs: &defs, seen: &seen))])
        case .map(let value):
            return .object([("type", .string("object")), ("additionalProperties", json(value, defs: &defs, seen: &seen))])
        case .oneOf(let options): return .object([("oneOf", .array(options.map { json($0, defs: &defs, seen: &seen) }))])
        case .object(let o): return objectJSON(o, defs: &defs, seen: &seen, inline: false)
        }
    }

    static func objectJSON(_ o: ObjectSchema, defs: inout [(String, JSONText)], seen: inout Set<String>, inline: Bool) -> JSONText {
        if !inline {
            if !seen.contains(o.typeName) {
                seen.insert(o.typeName)
                let body = objectJSON(o, defs: &defs, seen: &seen, inline: true)
                defs.append((o.typeName, body))
            }
            return .object([("$ref", .string("#/$defs/\(o.typeName)"))])
        }
        var pairs: [(String, JSONText)] = [("type", .string("object"))]
        if let d = o.description { pairs.append(("description", .string(d))) }
        var props: [(String, JSONText)] = []
        for p in o.properties {
            var schema = json(p.schema, defs: &defs, seen: &seen)
            if let doc = p.doc, case .object(var fields) = schema {
                var extra: [(String, JSONText)] = [("description", .string(doc.description))]
                if let pattern = doc.pattern { extra.append(("pattern", .string(pattern))) }
                if let min = doc.minimum { extra.append(("minimum", number(min))) }
                if let max = doc.maximum { extra.append(("maximum", number(max))) }
                if !doc.examples.isEmpty { extra.append(("examples", .array(doc.examples.map(JSONText.string)))) }
                if fields.first?.0 == "$ref" {
                    // A $ref with siblings is valid in 2020-12; keep only the description there.
                    fields.append(extra[0])
                } else {
                    fields.append(contentsOf: extra.filter { key, _ in
                        // Numeric limits only make sense on numbers, patterns on strings.
                        switch key {
                        case "minimum", "maximum": p.schema.isNumeric
                        case "pattern", "examples": p.schema.isString
                        default: true
                        }
                    })
                }
                schema = .object(fields)
            }
            props.append((p.name, schema))
        }
        pairs.append(("properties", .object(props)))
        let required = o.properties.filter(\.required).map { JSONText.string($0.name) }
        if !required.isEmpty { pairs.append(("required", .array(required))) }
        if !o.exactlyOneOf.isEmpty {
            pairs.append(("oneOf", .array(o.exactlyOneOf.map { .object([("required", .array($0.map(JSONText.string)))]) })))
        }
        pairs.append(("additionalProperties", .bool(false)))
        return .object(pairs)
    }

    static func number(_ d: Double) -> JSONText { d == d.rounded() ? .int(Int(d)) : .double(d) }
}

extension SchemaNode {
    var isNumeric: Bool { if case .integer = self { true } else if case .number = self { true } else { false } }
    var isString: Bool { if case .string(nil) = self { true } else { false } }
}
