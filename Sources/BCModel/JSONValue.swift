import BCJSON

/// Manifests may hold free-form JSON (workflow inputs and options): any value is allowed there.
extension JSONValue: CustomSchema {
    public static var schemaShape: SchemaShape { .anyValue }
}
