import BCAPI
import BCJSON

/// The calls the planner reads live objects with. A plan compares each object path by path
/// with the manifests' API paths, so it keeps the object as the engine wrote it (JSON), not a
/// type's reading of it (which fills in defaults the engine never sent). The answers are
/// parsed by `JSONValue.parse`: its nesting bound is what lets a plan name an object too deep
/// to read instead of failing on it.
extension BatchComputeClient {
    /// Every object of a list route carrying `labels`, each as JSON, a page of `pageSize` at a time.
    public func allObjects(_ route: Route, labels: [String: String], pageSize: Int = 1000) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var marker = ""
        repeat {
            let query = Self.selector(labels) + PageQuery(marker: marker, maxItemCount: pageSize).items
            let response = try await exchange(route, [], query: query, body: nil)
            guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
            let page = try JSONValue.parse(response.body)
            items += page[Page<JSONValue>.itemsKey]?.arrayValue ?? []
            marker = page[Page<JSONValue>.nextMarkerKey]?.stringValue ?? ""
        } while !marker.isEmpty
        return items
    }

    /// One object of a get route as JSON; nil when it is gone (404).
    public func object(_ route: Route, _ id: String) async throws -> JSONValue? {
        let response = try await exchange(route, [id], query: [], body: nil)
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return try JSONValue.parse(response.body)
    }

    /// The workspace's inventory as the engine wrote it (the planner's `InventoryReader` reads
    /// the bytes), or nil from an endpoint that answers anything but 200: one without bcops'
    /// extensions, whose objects the planner then lists in full. `since`, an earlier answer's
    /// cursor, asks only for what changed since (`InventoryAnswer`).
    public func inventoryIfServed(workspace: String, since: String? = nil) async throws -> [UInt8]? {
        var query = [(QueryName.workspace, workspace)]
        if let since { query.append((QueryName.since, since)) }
        let response = try await exchange(Routes.inventory, [], query: query, body: nil)
        return response.status == 200 ? response.body : nil
    }
}
