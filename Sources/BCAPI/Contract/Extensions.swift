/// What bcops' own `/bcops/…` routes carry, beside the BatchCompute API: the workspace's
/// lineage and serial, leased locks, plan approvals, the event feed and the inventory.

/// A workspace's identity and state serial: a saved plan is refused once the serial moved.
public struct WorkspaceState: Codable, Sendable, Equatable {
    public var workspace: String
    public var lineage: String
    public var serial: Int
    public init(workspace: String, lineage: String, serial: Int) {
        self.workspace = workspace; self.lineage = lineage; self.serial = serial
    }
    enum CodingKeys: String, CodingKey { case workspace = "Workspace", lineage = "Lineage", serial = "Serial" }
}

/// A leased workspace lock. A lease that is not renewed expires, so a killed holder never
/// locks a workspace for good.
public struct Lease: Codable, Sendable, Equatable {
    public var id: String
    public var workspace: String
    public var owner: String
    public var operation: String
    public var info: String
    public var creationTime: String
    public var expireTime: String

    public init(id: String, workspace: String, owner: String, operation: String, info: String, creationTime: String, expireTime: String) {
        self.id = id; self.workspace = workspace; self.owner = owner; self.operation = operation; self.info = info
        self.creationTime = creationTime; self.expireTime = expireTime
    }
    enum CodingKeys: String, CodingKey {
        case id = "Id", workspace = "Workspace", owner = "Owner", operation = "Operation", info = "Info"
        case creationTime = "CreationTime", expireTime = "ExpireTime"
    }
}

/// `POST /bcops/locks`: who asks, for what, and for how long (1 to 3600 s).
public struct LeaseRequest: Codable, Sendable, Equatable {
    public var workspace: String
    public var owner: String
    public var operation: String
    public var info: String
    public var ttlSeconds: Int

    public init(workspace: String, owner: String, operation: String = "", info: String = "", ttlSeconds: Int = 60) {
        self.workspace = workspace; self.owner = owner; self.operation = operation; self.info = info; self.ttlSeconds = ttlSeconds
    }
    enum CodingKeys: String, CodingKey, CaseIterable {
        case workspace = "Workspace", owner = "Owner", operation = "Operation", info = "Info", ttlSeconds = "TTLSeconds"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workspace = try c.decode(String.self, forKey: .workspace)
        owner = try c.decode(String.self, forKey: .owner)
        operation = try c.field(.operation, or: "")
        info = try c.field(.info, or: "")
        ttlSeconds = try c.field(.ttlSeconds, or: 60)
    }
}

/// `PUT /bcops/locks/{id}`: extend a lease (by 60 s when `TTLSeconds` is left out, as the
/// engine has always done).
public struct LeaseRenewal: Codable, Sendable, Equatable {
    public var ttlSeconds: Int
    public init(ttlSeconds: Int) { self.ttlSeconds = ttlSeconds }
    enum CodingKeys: String, CodingKey { case ttlSeconds = "TTLSeconds" }
    public init(from decoder: Decoder) throws {
        ttlSeconds = try decoder.container(keyedBy: CodingKeys.self).field(.ttlSeconds, or: 60)
    }
}

/// The 409 answer when somebody else holds the lock: their lease, with an error code and message.
public struct LeaseHeld: Codable, Sendable, Equatable {
    public var lease: Lease
    public var code: String
    public var message: String
    public init(lease: Lease, code: String = "LockHeld", message: String) { self.lease = lease; self.code = code; self.message = message }
    enum Keys: String, CodingKey { case code = "Code", message = "Message" }
    public init(from decoder: Decoder) throws {
        lease = try Lease(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        code = try c.field(.code, or: "LockHeld")
        message = try c.field(.message, or: "")
    }
    public func encode(to encoder: Encoder) throws {
        try lease.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
    }
}

/// A reviewed plan: the controller applies a revision only when its plan's digest was approved.
public struct Approval: Codable, Sendable, Equatable {
    public var workspace: String
    public var revision: String
    public var digest: String
    public var approvedBy: String
    public var creationTime: String

    public init(workspace: String, revision: String, digest: String, approvedBy: String = "", creationTime: String = "") {
        self.workspace = workspace; self.revision = revision; self.digest = digest; self.approvedBy = approvedBy
        self.creationTime = creationTime
    }
    enum CodingKeys: String, CodingKey, CaseIterable {
        case workspace = "Workspace", revision = "Revision", digest = "Digest", approvedBy = "ApprovedBy", creationTime = "CreationTime"
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        workspace = try c.decode(String.self, forKey: .workspace)
        revision = try c.decode(String.self, forKey: .revision)
        digest = try c.decode(String.self, forKey: .digest)
        approvedBy = try c.field(.approvedBy, or: "")
        creationTime = try c.field(.creationTime, or: "")
    }
    /// Without `CreationTime` until the engine set it: a reviewer's request may not carry it.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workspace, forKey: .workspace)
        try c.encode(revision, forKey: .revision)
        try c.encode(digest, forKey: .digest)
        try c.encode(approvedBy, forKey: .approvedBy)
        if !creationTime.isEmpty { try c.encode(creationTime, forKey: .creationTime) }
    }
}

/// One entry of the engine's event feed (`GET /bcops/events?Since=`), oldest first.
public struct EngineEvent: Codable, Sendable, Equatable {
    public var seq: Int64
    public var time: String
    public var kind: String
    public var resource: String
    public var detail: String
    public init(seq: Int64, time: String, kind: String, resource: String, detail: String) {
        self.seq = seq; self.time = time; self.kind = kind; self.resource = resource; self.detail = detail
    }
    enum CodingKeys: String, CodingKey { case seq = "Seq", time = "Time", kind = "Kind", resource = "Resource", detail = "Detail" }
}

/// One live object as the inventory lists it (`GET /bcops/inventory?Workspace=`): enough to
/// plan without reading each object. Read by the planner's own fast reader (InventoryReader);
/// this type is its contract.
public struct InventoryItem: Codable, Sendable, Equatable {
    public enum Collection: String, Codable, Sendable, CaseIterable { case jobs, clusters, apps }
    public var collection: Collection
    public var id: String
    public var revision: Int
    /// A job's `RunState`, `Active` for a cluster, empty for an app.
    public var state: String
    public var message: String
    public var labels: [String: String]
    /// When a job ended (wire time), for the plan's `already succeeded (ended …)`; absent otherwise.
    public var endTime: String?
    public init(collection: Collection, id: String, revision: Int, state: String, message: String, labels: [String: String], endTime: String? = nil) {
        self.collection = collection; self.id = id; self.revision = revision; self.state = state; self.message = message; self.labels = labels
        self.endTime = endTime
    }
    enum CodingKeys: String, CodingKey {
        case collection = "Collection", id = "Id", revision = "Revision", state = "State", message = "Message", labels = "Labels"
        case endTime = "EndTime"
    }
}

/// The inventory's answer (`GET /bcops/inventory?Workspace=[&Since=]`). Without `Since`, every
/// object the workspace owns (`Complete`). With the `Cursor` of an earlier answer, only what
/// changed since: the objects that changed and are still the workspace's (`Items`), and those
/// deleted or relabelled away (`Removed`). The engine answers in full instead (`Complete`)
/// when it cannot say what changed since that cursor: another store, or changes it no longer
/// remembers. A controller that keeps its last inventory so reads, at each commit, what moved
/// rather than all 10,000 objects.
public struct InventoryAnswer: Codable, Sendable, Equatable {
    public var items: [InventoryItem]
    public var removed: [InventoryRemoval]
    /// Opaque: where the next `Since` starts.
    public var cursor: String
    public var complete: Bool
    public init(items: [InventoryItem], removed: [InventoryRemoval] = [], cursor: String, complete: Bool) {
        self.items = items; self.removed = removed; self.cursor = cursor; self.complete = complete
    }
    enum CodingKeys: String, CodingKey {
        case items = "Items", removed = "Removed", cursor = "Cursor", complete = "Complete"
    }
}

/// An object the workspace no longer owns since the cursor: deleted, or relabelled to another
/// workspace.
public struct InventoryRemoval: Codable, Sendable, Equatable {
    public var collection: InventoryItem.Collection
    public var id: String
    public init(collection: InventoryItem.Collection, id: String) { self.collection = collection; self.id = id }
    enum CodingKeys: String, CodingKey { case collection = "Collection", id = "Id" }
}

/// A page of an instance's log (`GET /bcops/logs/{job}/{task}/{n}?Stream=&Offset=`): the bytes
/// are the body; these headers say where to read on and whether the log has ended.
public enum LogHeaders {
    public static let offset = "x-bcops-offset"
    public static let complete = "x-bcops-complete"
}

/// The answer of `create_job(app_job, sync=True)`: the job's end, and the app's outputs
/// when it finished.
public struct SynchronousJobResult: Codable, Sendable, Equatable {
    public var id: String
    public var requestId: String
    public var startTime: String
    public var endTime: String
    public var outputs: [String: JSONValue]
    public var error: InstanceStatus.Failure
    public init(id: String, requestId: String, startTime: String, endTime: String, outputs: [String: JSONValue], error: InstanceStatus.Failure) {
        self.id = id; self.requestId = requestId; self.startTime = startTime; self.endTime = endTime; self.outputs = outputs; self.error = error
    }
    enum CodingKeys: String, CodingKey {
        case id = "Id", requestId = "RequestId", startTime = "StartTime", endTime = "EndTime", outputs = "Outputs", error = "Error"
    }
}

extension LeaseRequest: ClosedRequestBody {
    public static var fields: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }
}

extension Approval: ClosedRequestBody {
    /// What a reviewer sends; `CreationTime` is the engine's to set.
    public static var fields: Set<String> { Set(CodingKeys.allCases.filter { $0 != .creationTime }.map(\.rawValue)) }
}
