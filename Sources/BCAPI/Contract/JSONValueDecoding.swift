import Foundation

extension JSONValue {
    /// The tree as a contract type, for the few reads of a tree that is already in memory (a
    /// body the planner assembled, field by field): through Foundation's decoder over the
    /// canonical bytes. Not for answers: those are decoded from their bytes by the client.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(canonicalBytes))
    }
}
