import BCClient
import BCModel

/// The keys a plan reads of every live object, whatever its collection and whether it was
/// read in full (a `JobStatus`, `ClusterStatus` or `AppStatus` as JSON) or briefly (an
/// `InventoryItem`'s parts): the contract spells them alike, and a test holds it to that.
enum LiveKey {
    static let revision = InventoryItem.Key.revision
    static let state = InventoryItem.Key.state
    static let message = InventoryItem.Key.message
    static let labels = InventoryItem.Key.labels
    static let id = InventoryItem.Key.id
    static let creationTime = JobStatus.Key.creationTime
    static let endTime = InventoryItem.Key.endTime
    /// An app's ID is its name.
    static let name = AppStatus.Key.name
}

extension LiveCollection {
    init(_ collection: InventoryItem.Collection) {
        switch collection {
        case .apps: self = .apps
        case .clusters: self = .clusters
        case .jobs: self = .jobs
        }
    }

    /// The route listing the collection's objects, and the one reading one of them.
    var listRoute: Route {
        switch self {
        case .apps: Routes.listApps
        case .clusters: Routes.listClusters
        case .jobs: Routes.listJobs
        }
    }

    var getRoute: Route {
        switch self {
        case .apps: Routes.getApp
        case .clusters: Routes.getCluster
        case .jobs: Routes.getJob
        }
    }
}

/// One live object this workspace owns, as the API lists it.
public struct LiveResource: Sendable {
    public var address: ResourceAddress
    public var collection: LiveCollection
    /// The ID calls use: a cluster's or job's ID, an app's name.
    public var id: String
    public var body: JSONValue { didSet { revision = body[LiveKey.revision]?.intValue } }
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
        revision = body[LiveKey.revision]?.intValue
        (specHash, appliedRevision) = Self.applied(labels)
    }

    static func applied(_ labels: [String: String]) -> (spec: String?, revision: Int?) {
        (labels[OwnershipLabels.spec], labels[OwnershipLabels.revision].flatMap(Int.init))
    }

    public var appliedFields: [String: String] { OwnershipLabels.decodeFields(labels[OwnershipLabels.fields]) }
    public var rerunToken: String? { labels[OwnershipLabels.rerun] }
    /// A run's state; nil for clusters and apps (and a state this version does not know).
    public var runState: RunState? { body[LiveKey.state]?.stringValue.flatMap(RunState.init(rawValue:)) }
    /// Why a run ended as it did (empty when it succeeded, or has not ended).
    public var message: String { body[LiveKey.message]?.stringValue ?? "" }
    public var creationTime: String { body[LiveKey.creationTime]?.stringValue ?? "" }

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
    /// How far running WorkflowRuns are, from their runners' metadata (`WorkflowProgress`).
    public var runProgress: [ResourceAddress: WorkflowProgress] = [:]

    public init(objects: [ResourceAddress: [LiveResource]] = [:]) { self.objects = objects }

    /// The current object (the latest attempt of a run).
    public func current(_ address: ResourceAddress) -> LiveResource? { objects[address]?.last }

    public var count: Int { objects.values.reduce(0) { $0 + $1.count } }

    /// One bulk list per collection, filtered by the workspace label: every object in full.
    public static func refreshFull(client: BatchComputeClient, workspace: String, only: Set<LiveCollection> = Set(LiveCollection.allCases)) async throws -> LiveState {
        let label = [OwnershipLabels.workspace: workspace]
        var state = LiveState()
        try await withThrowingTaskGroup(of: (LiveCollection, [JSONValue]).self) { group in
            for collection in only {
                group.addTask {
                    do { return (collection, try await client.allObjects(collection.listRoute, labels: label)) } catch let e as JSONNestingError {
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
    /// `APIError`, so that bcplan and bcapply report it as they report the API's
    /// errors (and give the workspace lock back), and the controller as a failed reconcile.
    static func unreadable(_ message: String) -> APIError {
        APIError(status: 0, code: "UnreadableLiveObject", message: message, requestId: "")
    }

    static func unreadable(_ address: ResourceAddress, id: String, _ reason: String) -> APIError {
        unreadable("\(address): live object \(id) cannot be read: \(reason); fix or delete the object, then plan again")
    }

    /// Why a plan cannot read `o` (read in full: its fields label nests too deep), or nil.
    static func unreadable(_ o: LiveResource) -> APIError? {
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
        add(labels: Self.labels(of: item),
            id: (collection == .apps && !brief ? item[LiveKey.name] : item[LiveKey.id])?.stringValue,
            collection: collection, workspace: workspace, body: item, brief: brief)
    }

    /// Adds an object if the workspace owns it (by its labels).
    mutating func add(labels: [String: String], id: String?, collection: LiveCollection, workspace: String, body: JSONValue, brief: Bool) {
        guard labels[OwnershipLabels.workspace] == workspace,
              let address = labels[OwnershipLabels.address].flatMap(ResourceAddress.init),
              let id else { return }
        objects[address, default: []].append(LiveResource(address: address, collection: collection, id: id, body: body, labels: labels, brief: brief))
    }

    /// An object's labels: those whose values are strings (bcops writes no others).
    static func labels(of item: JSONValue) -> [String: String] {
        (item[LiveKey.labels]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    mutating func sortAttempts() {
        for key in objects.keys { objects[key]!.sort { $0.creationTime < $1.creationTime } }
    }

    /// The workspace's inventory (bcops' extension): every owned object, briefly (a brief
    /// object's body holds its Revision, State and Message; its labels are `labels`). nil
    /// from an endpoint without the extension.
    public static func inventory(client: BatchComputeClient, workspace: String) async throws -> LiveState? {
        try await inventoryReading(client: client, workspace: workspace, since: nil)?.state
    }

    /// The inventory's answer read, in full or (`since`, an earlier answer's cursor) what
    /// changed since. nil from an endpoint without the extension.
    static func inventoryReading(client: BatchComputeClient, workspace: String, since: String?) async throws -> InventoryReading? {
        guard let body = try await client.inventoryIfServed(workspace: workspace, since: since) else { return nil }
        do { return try inventory(body, workspace: workspace) } catch let e as JSONNestingError {
            throw unreadable("the inventory of workspace \(workspace) cannot be read: \(e)")
        }
    }

    /// An inventory answer read: directly (`InventoryReader`), or through a `JSONValue` tree
    /// when it is not what that reader expects.
    static func inventory(_ body: [UInt8], workspace: String) throws -> InventoryReading? {
        if let reading = InventoryReader.read(body, workspace: workspace) { return reading }
        return try inventoryTree(body, workspace: workspace)
    }

    /// The general reading of an inventory answer.
    static func inventoryTree(_ body: [UInt8], workspace: String) throws -> InventoryReading? {
        let answer = try JSONValue.parse(body)
        guard let items = answer[InventoryItem.Key.items]?.arrayValue else { return nil }
        var reading = InventoryReading()
        for item in items {
            guard let collection = item[InventoryItem.Key.collection]?.stringValue.flatMap(InventoryItem.Collection.init(rawValue:)) else { continue }
            if let id = item[InventoryItem.Key.id]?.stringValue { reading.changed.append(LiveObjectKey(collection: LiveCollection(collection), id: id)) }
            reading.state.add(item, collection: LiveCollection(collection), workspace: workspace, brief: true)
        }
        for gone in answer[InventoryItem.Key.removed]?.arrayValue ?? [] {
            guard let collection = gone[InventoryItem.Key.collection]?.stringValue.flatMap(InventoryItem.Collection.init(rawValue:)),
                  let id = gone[InventoryItem.Key.id]?.stringValue else { continue }
            reading.removed.append(LiveObjectKey(collection: LiveCollection(collection), id: id))
        }
        reading.cursor = answer[InventoryItem.Key.cursor]?.stringValue
        if case .bool(let complete)? = answer[InventoryItem.Key.complete] { reading.complete = complete }
        return reading
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
                    let read: JSONValue?
                    do { read = try await client.object(o.collection.getRoute, o.id) } catch let e as JSONNestingError { throw unreadable(o.address, id: o.id, "\(e)") }
                    guard let body = read else { return nil }
                    return LiveResource(address: o.address, collection: o.collection, id: o.id, body: body, labels: labels(of: body))
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
