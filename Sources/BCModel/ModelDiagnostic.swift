/// One problem found in a manifest by a model rule, located by field path.
///
/// The model never sees files; `BCManifest` turns the path into `file:line:col`.
public struct ModelDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var path: FieldPath
    public var message: String

    public init(_ path: FieldPath, _ message: String) {
        self.path = path
        self.message = message
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

    public mutating func append(contentsOf other: [ModelDiagnostic]) {
        diagnostics.append(contentsOf: other)
    }
}
