/// A request body whose fields are all known: the engine refuses one outside `fields`
/// (`InvalidHttpBody`, "Unknown field X."), so a misspelt field is an error instead of being
/// silently dropped. The set lives beside the type's coding keys, so the two cannot drift.
public protocol ClosedRequestBody: Decodable {
    static var fields: Set<String> { get }
}
