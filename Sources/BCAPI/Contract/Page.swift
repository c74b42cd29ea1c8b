/// One page of a list call. `NextMarker` is empty on the last page; pass it back as `Marker`
/// for the next one.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextMarker: String
    /// bcops' extension (`ListJobs` with `WithCount=True`): how many items match the filter,
    /// over all pages. Absent from every other answer, so the SDK's pages are as they were.
    public var totalCount: Int?

    public init(items: [Item], nextMarker: String = "", totalCount: Int? = nil) {
        self.items = items
        self.nextMarker = nextMarker
        self.totalCount = totalCount
    }

    enum CodingKeys: String, CodingKey {
        case items = "Items"
        case nextMarker = "NextMarker"
        case totalCount = "TotalCount"
    }
}

/// The query every list call takes: where to start and how many (the engine allows 1 to 1000,
/// 50 when absent).
public struct PageQuery: Sendable, Equatable {
    public var marker: String
    public var maxItemCount: Int

    public init(marker: String = "", maxItemCount: Int = 50) {
        self.marker = marker
        self.maxItemCount = maxItemCount
    }

    public var items: [(String, String)] { [(QueryName.marker, marker), (QueryName.maxItemCount, String(maxItemCount))] }
}

/// The answer of a create call: the new resource's id (jobs, clusters, images, VMs).
public struct Created: Codable, Sendable, Equatable {
    public var id: String
    public init(id: String) { self.id = id }
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

/// The answer of a create-app call, which names the app instead of numbering it.
public struct CreatedApp: Codable, Sendable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
    enum CodingKeys: String, CodingKey { case name = "Name" }
}

/// The empty object a delete, stop, start or update answers with.
public struct Empty: Codable, Sendable, Equatable {
    public init() {}
}
