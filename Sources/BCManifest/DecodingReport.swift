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

/// A structural problem met while decoding: wrong type, unknown or missing field.
struct StructuralProblem: Error {
    var path: FieldPath
    var mark: SourceMark
    var message: String
}

/// Thrown after a problem has been recorded, to unwind a value that cannot be built at all.
struct AlreadyReported: Error {}

/// Problems of one document, collected while its typed value is decoded.
final class DecodingReport {
    private(set) var problems: [StructuralProblem] = []

    func add(_ link: PathLink?, _ mark: SourceMark, _ message: String) {
        problems.append(StructuralProblem(path: PathLink.fieldPath(link), mark: mark, message: message))
    }

    func add(_ problem: StructuralProblem) { problems.append(problem) }

    var isEmpty: Bool { problems.isEmpty }
}
