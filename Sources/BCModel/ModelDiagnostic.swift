/// One problem found in a manifest by a model rule, located by field path.
///
/// The model never sees files; `BCManifest` turns the path into `file:line:col`.
public struct ModelDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String
    /// The problem is the key naming the field (a group or task name), not its value.
    public var atKey: Bool

    public init(_ path: FieldPath, _ message: String, atKey: Bool = false) {
        self.path = path
        self.message = message
        self.atKey = atKey
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Collects the problems of one manifest while rules run, so that every problem is
/// reported in one pass instead of stopping at the first.
public struct DiagnosticSink: Sendable {
    public private(set) var diagnostics: [ModelDiagnostic] = []
    public init() {}

    public mutating func error(_ path: FieldPath, _ message: String) {
        diagnostics.append(ModelDiagnostic(path, message))
    }

    /// A problem with a mapping key, such as an invalid group or task name.
    public mutating func errorAtKey(_ path: FieldPath, _ message: String) {
        diagnostics.append(ModelDiagnostic(path, message, atKey: true))
    }

    public mutating func append(contentsOf other: [ModelDiagnostic]) {
        diagnostics.append(contentsOf: other)
    }
}
