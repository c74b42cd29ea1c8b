import BCModel

/// A cheap, shared-prefix field path built while decoding; turned into a `FieldPath`
/// only when a problem is reported.
final class PathLink: @unchecked Sendable {
    let parent: PathLink?
    let component: FieldPath.Component

    init(_ parent: PathLink?, _ component: FieldPath.Component) { self.parent = parent; self.component = component }

    static func key(_ parent: PathLink?, _ key: String) -> PathLink { PathLink(parent, .key(key)) }
    static func index(_ parent: PathLink?, _ index: Int) -> PathLink { PathLink(parent, .index(index)) }

    static func fieldPath(_ link: PathLink?) -> FieldPath {
        var components: [FieldPath.Component] = []
        var l = link
        while let node = l { components.append(node.component); l = node.parent }
        return FieldPath(components.reversed())
    }
}

/// A field's path, allocated only when needed (an error, or a nested value that keeps it).
struct PathRef {
    let parent: PathLink?
    let component: FieldPath.Component?

    init(_ link: PathLink?) { parent = link; component = nil }
    init(parent: PathLink?, _ component: FieldPath.Component) { self.parent = parent; self.component = component }

    var link: PathLink? { component.map { PathLink(parent, $0) } ?? parent }
}

/// A structural problem met while decoding: wrong type, unknown or missing field.
///
/// Path and message are built only when read: decoders try alternatives with `try?`
/// (a value that may be a string or a mapping), and those failures must stay cheap.
struct StructuralProblem: Error {
    var link: PathLink?
    var mark: SourceMark
    private var text: String?
    private var expected: String?
    private var node: YAMLNode?

    init(link: PathLink?, mark: SourceMark, message: String) {
        self.link = link; self.mark = mark; self.text = message
    }

    init(link: PathLink?, expected: String, got node: YAMLNode) {
        self.link = link; self.mark = node.start; self.expected = expected; self.node = node
    }

    var path: FieldPath { PathLink.fieldPath(link) }
    var message: String { text ?? "expected \(expected ?? "?"), got \(node?.kindDescription ?? "?")" }
}

/// Thrown after a problem has been recorded, to unwind a value that cannot be built at all.
struct AlreadyReported: Error {}

/// Problems of one document, collected while its typed value is decoded.
final class DecodingReport {
    private(set) var problems: [StructuralProblem] = []

    func add(_ link: PathLink?, _ mark: SourceMark, _ message: String) {
        problems.append(StructuralProblem(link: link, mark: mark, message: message))
    }

    func add(_ problem: StructuralProblem) { problems.append(problem) }

    /// Records a thrown problem; anything else was already recorded where it was thrown.
    func add(_ error: any Error) {
        if let p = error as? StructuralProblem { problems.append(p) }
    }

    var isEmpty: Bool { problems.isEmpty }
}
