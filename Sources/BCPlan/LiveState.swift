import BCClient
import BCModel

/// One live object this workspace owns, as the API lists it.
public struct LiveResource: Sendable {
    public var address: ResourceAddress
    public var collection: LiveCollection
    /// The ID calls use: a cluster's or job's ID, an app's name.
    public var id: String
    public var body: JSONValue { didSet { revision = body["Revision"]?.intValue } }
    public var labels: [String: String] { didSet { (specHash, appliedRevision) = Self.applied(labels) } }
    /// Known only from the inventory (labels, state, revision): the body holds no values.
    public var brief = false

    // What every plan asks of every object, kept beside the body and labels they come from
    // (and updated with them): a no-op plan of 10,000 objects otherwise spends its refresh
    // looking them up in 10,000 dictionaries, out of cache.
    public private(set) var revision: Int?
    public private(set) var specHash: String?
    /// The revision bcops left the object at when it last applied it.
    public private(set) var appliedRevision: Int?

    public init(address: ResourceAddress, collection: LiveCollection, id: String, body: JSONValue, labels: [String: String], brief: Bool = false) {
        self.address = address
        self.collection = collection
        self.id = id
        self.body = body
        self.labels = labels
        self.brief = brief
        revision = body["Revision"]?.intValue
        (specHash, appliedRevision) = Self.applied(labels)
    }

    static func applied(_ labels: [String: String]) -> (spec: String?, revision: Int?) {
        (labels[OwnershipLabels.spec], labels[OwnershipLabels.revision].flatMap(Int.init))
    }

    public var appliedFields: [String: String] { OwnershipLabels.decodeFields(labels[OwnershipLabels.fields]) }
    public var rerunToken: String? { labels[OwnershipLabels.rerun] }
    public var state: String { body["State"]?.stringValue ?? "" }
    public var creationTime: String { body["CreationTime"]?.stringValue ?? "" }

    /// The value at an API path; nil when the object does not show it.
    public func value(at path: [String]) -> JSONValue? {
        var v: JSONValue? = body
        for key in path { v = v?[key] }
        return v
    }
}

/// Everything the workspace owns, by address. Run kinds may have several attempts, oldest first.
public struct LiveState: Sendable {
    public var objects: [ResourceAddress: [LiveResource]] = [:]

    public init(objects: [ResourceAddress: [LiveResource]] = [:]) { self.objects = objects }

    /// The current object (the latest attempt of a run).
    public func current(_ address: ResourceAddress) -> LiveResource? { objects[address]?.last }

    public var count: Int { objects.values.reduce(0) { $0 + $1.count } }

    /// One bulk list per collection, filtered by the workspace label: every object in full.
    public static func refreshFull(client: BatchComputeClient, workspace: String, only: Set<LiveCollection> = Set(LiveCollection.allCases)) async throws -> LiveState {
        let label = [("Label", "\(OwnershipLabels.workspace)=\(workspace)")]
        var state = LiveState()
        try await withThrowingTaskGroup(of: (LiveCollection, [JSONValue]).self) { group in
            for collection in only {
                group.addTask {
                    do { return (collection, try await client.listAll("/\(collection.rawValue)", query: label)) } catch let e as JSONNestingError {
                        throw unreadable("the list of \(collection.rawValue) of workspace \(workspace) cannot be read: \(e)")
                    }
                }
            }
            for try await (collection, items) in group {
                for item in items { state.add(item, collection: collection, workspace: workspace, brief: false) }
            }
        }
        state.sortAttempts()
        return state
    }

    // MARK: Objects a plan cannot read

    /// The error of a live object, or a list of them, that a plan cannot read: a
    /// `BatchComputeError`, so that bcplan and bcapply report it as they report the API's
    /// errors (and give the workspace lock back), and the controller as a failed reconcile.
    static func unreadable(_ message: String) -> BatchComputeError {
        BatchComputeError(status: 0, code: "UnreadableLiveObject", message: message, requestId: "")
    }

    static func unreadable(_ address: ResourceAddress, id: String, _ reason: String) -> BatchComputeError {
        unreadable("\(address): live object \(id) cannot be read: \(reason); fix or delete the object, then plan again")
    }

    /// Why a plan cannot read `o` (read in full: its fields label nests too deep), or nil.
    static func unreadable(_ o: LiveResource) -> BatchComputeError? {
        guard let fields = o.labels[OwnershipLabels.fields] else { return nil }
        do { try OwnershipLabels.checkFields(fields) } catch {
            return unreadable(o.address, id: o.id, "\(error) in its \(OwnershipLabels.fields) label")
        }
        return nil
    }

    /// Throws (`unreadable`) for the current object of a manifest that a plan would read and
    /// cannot. Objects read briefly carry no fields label (the inventory leaves it out), and
    /// objects without a manifest are not read, only deleted: a damaged object can still be
    /// deleted, forgotten or imported again.
    func checkReadable(_ desired: [DesiredResource]) throws {
        try desired.withUnsafeBufferPointer { desired in
            for i in desired.indices {
                guard let o = objects[desired[i].address]?.last, !o.brief else { continue }
                if let e = Self.unreadable(o) { throw e }
            }
        }
    }

    mutating func add(_ item: JSONValue, collection: LiveCollection, workspace: String, brief: Bool) {
        add(labels: (item["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            id: (collection == .apps && !brief ? item["Name"] : item["Id"])?.stringValue,
            collection: collection, workspace: workspace, body: item, brief: brief)
    }

    /// Adds an object if the workspace owns it (by its labels).
    mutating func add(labels: [String: String], id: String?, collection: LiveCollection, workspace: String, body: JSONValue, brief: Bool) {
        guard labels[OwnershipLabels.workspace] == workspace,
              let address = labels[OwnershipLabels.address].flatMap(ResourceAddress.init),
              let id else { return }
        objects[address, default: []].append(LiveResource(address: address, collection: collection, id: id, body: body, labels: labels, brief: brief))
    }

    mutating func sortAttempts() {
        for key in objects.keys { objects[key]!.sort { $0.creationTime < $1.creationTime } }
    }

    /// The workspace's inventory (bcops' extension): every owned object, briefly (a brief
    /// object's body holds its Revision, State and Message; its labels are `labels`). nil
    /// from an endpoint without the extension.
    public static func inventory(client: BatchComputeClient, workspace: String) async throws -> LiveState? {
        let response = try await client.send(.GET, "/bcops/inventory", query: [("Workspace", workspace)])
        guard response.status == 200 else { return nil }
        do { return try inventory(response.body, workspace: workspace) } catch let e as JSONNestingError {
            throw unreadable("the inventory of workspace \(workspace) cannot be read: \(e)")
        }
    }

    /// An inventory answer read: directly (`InventoryReader`), or through a `JSONValue` tree
    /// when it is not what that reader expects.
    static func inventory(_ body: [UInt8], workspace: String) throws -> LiveState? {
        if let state = InventoryReader.read(body, workspace: workspace) { return state }
        return try inventoryTree(body, workspace: workspace)
    }

    /// The general reading of an inventory answer.
    static func inventoryTree(_ body: [UInt8], workspace: String) throws -> LiveState? {
        guard let items = try JSONValue.parse(body)["Items"]?.arrayValue else { return nil }
        var state = LiveState()
        for item in items {
            guard let collection = item["Collection"]?.stringValue.flatMap(LiveCollection.init(rawValue:)) else { continue }
            state.add(item, collection: collection, workspace: workspace, brief: true)
        }
        return state
    }

    /// The workspace's inventory in one call (bcops' extension), then in full only the objects
    /// `needsFull` picks: those that may have changed. Against an endpoint without the
    /// extension, every object is listed in full.
    public static func refresh(client: BatchComputeClient, workspace: String, inventory: LiveState? = nil,
                               needsFull: (LiveResource) -> Bool = { _ in true }) async throws -> LiveState {
        let fetched: LiveState?
        if let inventory { fetched = inventory } else { fetched = try await Self.inventory(client: client, workspace: workspace) }
        guard let state = fetched else { return try await refreshFull(client: client, workspace: workspace) }
        var full: [LiveResource] = []
        for objects in state.objects.values {
            // Only the latest attempt of a run matters to a plan.
            if let o = objects.last, needsFull(o) { full.append(o) }
        }
        return try await refresh(client: client, workspace: workspace, inventory: state, full: full)
    }

    /// The inventory with `full`, objects of it, read in full.
    static func refresh(client: BatchComputeClient, workspace: String, inventory: LiveState, full: [LiveResource]) async throws -> LiveState {
        var state = inventory
        // Inventory order is creation order: attempts of a run are already oldest first.
        var wanted: [LiveCollection: [LiveResource]] = [:]
        for o in full { wanted[o.collection, default: []].append(o) }
        let many = Set(wanted.filter { $0.value.count > 100 }.keys)
        if !many.isEmpty {
            let full = try await refreshFull(client: client, workspace: workspace, only: many)
            for (address, objects) in state.objects where many.contains(objects[0].collection) { state.objects[address] = full.objects[address] }
            for (address, objects) in full.objects where state.objects[address] == nil { state.objects[address] = objects }
        }
        let few = wanted.filter { !many.contains($0.key) }.flatMap(\.value)
        try await withThrowingTaskGroup(of: LiveResource?.self) { group in
            var next = few.makeIterator()
            func start(_ group: inout ThrowingTaskGroup<LiveResource?, Error>) {
                guard let o = next.next() else { return }
                group.addTask {
                    let r = try await client.send(.GET, "/\(o.collection.rawValue)/\(o.id)")
                    if r.status == 404 { return nil }
                    guard (200..<300).contains(r.status) else { throw BatchComputeClient.error(from: r) }
                    let body: JSONValue
                    do { body = try JSONValue.parse(r.body) } catch let e as JSONNestingError { throw unreadable(o.address, id: o.id, "\(e)") }
                    let labels = (body["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                    return LiveResource(address: o.address, collection: o.collection, id: o.id, body: body, labels: labels)
                }
            }
            for _ in 0..<16 { start(&group) }
            while let full = try await group.next() {
                if let full, let i = state.objects[full.address]?.firstIndex(where: { $0.id == full.id }) { state.objects[full.address]![i] = full }
                start(&group)
            }
        }
        return state
    }
}
