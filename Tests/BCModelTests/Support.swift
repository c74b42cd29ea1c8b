import Testing
@testable import BCModel

/// Runs a rule into a fresh sink and returns its problems as `path: message` lines.
func problems(_ rule: (inout DiagnosticSink) -> Void) -> [String] {
    var sink = DiagnosticSink()
    rule(&sink)
    return sink.diagnostics.map(\.description)
}

/// The problems `validate` finds in a spec, as `path: message` lines, sorted for stable comparison
/// (specs keep groups and tasks in dictionaries).
func problems(of spec: some ResourceSpec, context: ValidationContext = .init()) -> [String] {
    var sink = DiagnosticSink()
    spec.validate(in: context, into: &sink)
    return sink.diagnostics.map(\.description).sorted()
}
