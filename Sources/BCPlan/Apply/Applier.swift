import BCClient
import BCModel
import Foundation

/// Limits and guards of an apply.
public struct ApplyOptions: Sendable {
    /// Operations in flight at once (Terraform's -parallelism, default 10).
    public var parallelism = 10
    /// Per-collection limits beside `parallelism`: clusters are heavier to create than apps.
    public var collectionLimits: [LiveCollection: Int] = [.apps: 10, .clusters: 4, .jobs: 10]
    public var maxDeletes: Int?
    public var allowMassDelete = false

    public init(parallelism: Int = 10, maxDeletes: Int? = nil, allowMassDelete: Bool = false) {
        self.parallelism = max(1, parallelism)
        self.maxDeletes = maxDeletes
        self.allowMassDelete = allowMassDelete
    }
}

/// What the applier reports while it works, for progress lines and logs.
public enum ApplyEvent: Sendable {
    case started(ResourceAddress, PlanAction)
    case still(ResourceAddress, PlanAction, seconds: Int)
    case finished(ResourceAddress, PlanAction, seconds: Double, id: String?)
    case failed(ResourceAddress, PlanAction, message: String)
    case skipped(ResourceAddress, because: ResourceAddress)
}

public struct ApplyResult: Sendable {
    public var done: [(address: ResourceAddress, action: PlanAction, id: String?)] = []
    public var failed: [(address: ResourceAddress, message: String)] = []
    public var remaining: [ResourceAddress] = []

    public var succeeded: Bool { failed.isEmpty && remaining.isEmpty }

    public var counts: ChangeCounts { ChangeCounts(done.map(\.action)) }

    /// Terraform's closing sentence, and the runs submitted when there were any.
    public var summary: String {
        let c = counts
        let head = succeeded ? "Apply complete!" : "Apply incomplete."
        return "\(head) Resources: \(c.add) added, \(c.change) changed, \(c.destroy) destroyed." + (c.run > 0 ? " Runs: \(c.run) submitted." : "")
    }
}

public enum ApplyRefusal: Error, CustomStringConvertible, Sendable {
    case massDelete(deletes: Int, owned: Int, limit: String)

    public var description: String {
        switch self {
        case .massDelete(let deletes, let owned, let limit):
            "refusing to delete \(deletes) of the \(owned) objects this workspace owns (\(limit)); check the manifests were all found, or pass -allow-mass-delete"
        }
    }
}

/// Carries out a plan: dependency order (a run after the clusters it uses; deletes after
/// what depends on them), at most `parallelism` operations at once, each journaled with an
/// idempotency token before it is sent.
public struct Applier: Sendable {
    let client: BatchComputeClient
    let hasher: FieldHasher
    let readSecret: SecretReader
    let options: ApplyOptions
    let journal: ApplyJournal?

    public init(client: BatchComputeClient, hasher: FieldHasher, readSecret: @escaping SecretReader = SecretSources.read,
                options: ApplyOptions = .init(), journal: ApplyJournal? = nil) {
        self.client = client
        self.hasher = hasher
        self.readSecret = readSecret
        self.options = options
        self.journal = journal
    }

    /// Refuses to delete more than half the owned objects (or more than -max-deletes) at once.
    public func checkDeletes(_ plan: Plan, owned: Int) throws {
        guard !options.allowMassDelete, !plan.destroy else { return }
        let deletes = plan.changes.filter { $0.action == .delete }.count
        guard deletes > 1 else { return }
        if let max = options.maxDeletes, deletes > max {
            throw ApplyRefusal.massDelete(deletes: deletes, owned: owned, limit: "-max-deletes \(max)")
        }
        if options.maxDeletes == nil, deletes * 2 > owned {
            throw ApplyRefusal.massDelete(deletes: deletes, owned: owned, limit: "more than 50%")
        }
    }

    /// The operations and what each waits for; deletes wait by rank instead (`ApplySchedule`):
    /// what is deleted has no manifest any more, so runs go first, then apps, then clusters.
    static func graph(_ plan: Plan) -> (waits: [ResourceAddress: Set<ResourceAddress>], deleteRanks: [ResourceAddress: Int]) {
        let desired = Dictionary(plan.desired.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let actionable = plan.actionable
        let acting = Set(actionable.map(\.address))
        var waits: [ResourceAddress: Set<ResourceAddress>] = [:]
        var ranks: [ResourceAddress: Int] = [:]
        for c in actionable {
            if c.action == .delete {
                waits[c.address] = []
                ranks[c.address] = c.address.kind.isRun ? 0 : (LiveCollection.of(c.address.kind) == .apps ? 1 : 2)
            } else {
                waits[c.address] = Set(desired[c.address]?.dependencies ?? []).intersection(acting)
                ranks[c.address] = nil
            }
        }
        return (waits, ranks)
    }

    public func apply(_ plan: Plan, progress: @escaping @Sendable (ApplyEvent) -> Void) async -> ApplyResult {
        let changes = Dictionary(plan.actionable.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let desired = Dictionary(plan.desired.map { ($0.address, $0.resource) }, uniquingKeysWith: { a, _ in a })
        let graph = Self.graph(plan)
        var schedule = ApplySchedule(graph.waits, ranks: graph.deleteRanks, parallelism: options.parallelism, limits: options.collectionLimits)
        var ids: [ResourceAddress: String] = [:]
        for c in plan.changes where c.action != .delete && c.action != .replace { if let id = c.liveId { ids[c.address] = id } }
        var result = ApplyResult()
        // "Still creating… [10s elapsed]" for every operation, from one ticker.
        let still = StillRunning()
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                for (address, action, seconds) in still.due(Date()) { progress(.still(address, action, seconds: seconds)) }
            }
        }
        defer { ticker.cancel() }
        await withTaskGroup(of: (ResourceAddress, Result<String?, Error>, Double).self) { group in
            while true {
                // Start whatever is ready, within the limits, in address order.
                while let address = schedule.start() {
                    let change = changes[address]!
                    let d = desired[address]
                    let known = Self.referenced(by: d, in: ids)
                    progress(.started(address, change.action))
                    group.addTask {
                        let started = Date()
                        still.begin(address, change.action, at: started)
                        defer { still.end(address) }
                        do {
                            let id = try await perform(change, desired: d, plan: plan, ids: known)
                            return (address, .success(id), Date().timeIntervalSince(started))
                        } catch {
                            return (address, .failure(error), Date().timeIntervalSince(started))
                        }
                    }
                }
                guard let (address, outcome, seconds) = await group.next() else { break }
                schedule.ended(address)
                let action = changes[address]!.action
                switch outcome {
                case .success(let id):
                    if let id { ids[address] = id }
                    result.done.append((address, action, id))
                    progress(.finished(address, action, seconds: seconds, id: id))
                    schedule.succeeded(address)
                case .failure(let error):
                    result.failed.append((address, "\(error)"))
                    progress(.failed(address, action, message: "\(error)"))
                    // Whatever waits for it cannot go ahead.
                    for (key, because) in schedule.failed(address) {
                        result.remaining.append(key)
                        progress(.skipped(key, because: because))
                    }
                }
            }
        }
        result.remaining += schedule.waits.keys.sorted()
        // Housekeeping: bring stale ownership labels up to date (not counted as changes).
        let stale = plan.changes.filter { $0.action == .noop && $0.relabel == true && !$0.address.kind.isRun }
        let known = ids
        await withTaskGroup(of: Void.self) { group in
            var next = stale.makeIterator()
            func start(_ group: inout TaskGroup<Void>) {
                guard let c = next.next(), let d = desired[c.address], let id = c.liveId else { return }
                // A relabel that fails changes nothing the plan promised (the object matches its
                // manifest): the next plan reads the object in full again and offers it again.
                group.addTask { try? await relabel(d, id: id, change: c, plan: plan, ids: known) }
            }
            for _ in 0..<options.parallelism { start(&group) }
            while await group.next() != nil { start(&group) }
        }
        return result
    }

    /// The IDs an operation's fields refer to: all it reads of `ids`. A task used to take the
    /// whole map, so the next ID recorded copied it while tasks held it (O(N) per operation).
    static func referenced(by d: DesiredResource?, in ids: [ResourceAddress: String]) -> [ResourceAddress: String] {
        var out: [ResourceAddress: String] = [:]
        for f in d?.fields ?? [] { if case .reference(let target) = f.value, let id = ids[target] { out[target] = id } }
        return out
    }

    /// Rewrites an unchanged object's ownership labels (its values stay as they are).
    func relabel(_ d: DesiredResource, id: String, change: ResourceChange, plan: Plan, ids: [ResourceAddress: String]) async throws {
        switch d.collection {
        case .clusters:
            // A labels-only modification keeps the cluster's revision.
            let (_, labels) = try body(d, plan: plan, ids: ids, revision: change.liveRevision)
            try await journaled(d.address, .noop, Self.call(Routes.modifyCluster, id) + " (labels)") {
                try await client.modifyCluster(id, JSONValue(encoding: ClusterModification(labels: labels)))
            }
        case .apps:
            // An app modification is a new revision.
            let (body, _) = try body(d, plan: plan, ids: ids, revision: change.liveRevision.map { $0 + 1 })
            try await journaled(d.address, .noop, Self.call(Routes.modifyApp, id) + " (labels)") { try await client.modifyApp(id, body) }
        case .jobs:
            break
        }
    }

    // MARK: Operations

    func token(_ plan: Plan, _ address: ResourceAddress, _ labels: [String: String], attempt: String) -> String {
        let material = "\(plan.lineage)|\(plan.serial)|\(address)|\(labels[OwnershipLabels.fields] ?? "")|\(attempt)"
        return "bcops-" + hasher.hash(.string(material))
    }

    func resolve(_ f: DesiredField, ids: [ResourceAddress: String]) throws -> JSONValue {
        switch f.value {
        case .value(let v): return v
        case .secret(let source):
            guard let s = readSecret(source) else {
                throw BodyBuilder.Unresolved(description: "\(f.path): cannot read \(SecretSources.describe(source))")
            }
            return .string(s)
        case .reference(let target):
            guard let id = ids[target] else { throw BodyBuilder.Unresolved(description: "\(f.path): \(target) has no ID (it was not created)") }
            return .string(id)
        }
    }

    func fieldHash(_ f: DesiredField, _ v: JSONValue, isRun: Bool) -> String {
        switch f.value {
        case .secret: hasher.secretHash(v.stringValue ?? "")
        case .reference(let target) where isRun: hasher.hash(.string("ref:\(target)"))
        default: hasher.hash(v)
        }
    }

    /// - Parameter revision: the object's revision once this call is done (1 for a new one).
    func body(_ d: DesiredResource, plan: Plan, ids: [ResourceAddress: String], revision: Int?) throws -> (JSONValue, [String: String]) {
        // The same spec hash a plan computes (Planner.specHash), so the next plan recognises it.
        let spec = hasher.specHash(d.fields, secret: { readSecret($0).map(hasher.secretHash) }, reference: { target in
            d.isRun ? "ref:\(target)" : ids[target].map { "id:\($0)" }
        })
        return try BodyBuilder.body(d, workspace: plan.workspace, revision: d.isRun ? nil : revision, resolve: { try resolve($0, ids: ids) },
                                    hash: { fieldHash($0, $1, isRun: d.isRun) }, spec: spec)
    }

    /// Runs one change; returns the object's ID.
    func perform(_ c: ResourceChange, desired d: DesiredResource?, plan: Plan, ids: [ResourceAddress: String]) async throws -> String? {
        switch c.action {
        case .noop: return c.liveId
        case .delete:
            for id in (c.liveId ?? "").split(separator: ",").map(String.init) { try await delete(c.address, id: id) }
            return nil
        case .create, .run:
            return try await create(d!, plan: plan, ids: ids, attempt: c.liveId ?? "first")
        case .update:
            try await update(d!, id: c.liveId!, change: c, plan: plan, ids: ids)
            return c.liveId
        case .replace:
            if let old = c.liveId { try await delete(c.address, id: old) }
            return try await create(d!, plan: plan, ids: ids, attempt: "replaces \(c.liveId ?? "")")
        }
    }

    func journaled<T: Sendable>(_ address: ResourceAddress, _ action: PlanAction, _ call: String, token: String? = nil,
                                _ body: () async throws -> T) async throws -> T {
        journal?.record("intent", address, action: action, call: call, token: token)
        do {
            let value = try await body()
            journal?.record("done", address, action: action, call: call, token: token)
            return value
        } catch {
            journal?.record("failed", address, action: action, call: call, token: token, detail: "\(error)")
            throw error
        }
    }

    /// How the journal names a call: `PUT /clusters/cls-…`, the route with its parameter.
    static func call(_ route: Route, _ parameter: String? = nil) -> String {
        "\(route.method.rawValue) \(parameter.map { route.path($0) } ?? route.path())"
    }

    func delete(_ address: ResourceAddress, id: String) async throws {
        switch LiveCollection.of(address.kind) {
        case .jobs:
            try await journaled(address, .delete, Self.call(Routes.deleteJob, id)) {
                // A job that still runs is stopped first. One that already ended answers a
                // state conflict, one already gone not found: either way the delete goes on.
                do { try await client.stopJob(id) } catch let e as APIError where e.status == 409 || e.status == 404 {}
                try await Self.gone { try await client.deleteJob(id) }
            }
        case .clusters:
            try await journaled(address, .delete, Self.call(Routes.deleteCluster, id)) { try await Self.gone { try await client.deleteCluster(id) } }
        case .apps:
            try await journaled(address, .delete, Self.call(Routes.deleteApp, id)) { try await Self.gone { try await client.deleteApp(id) } }
        }
    }

    /// A delete whose object is already gone is done.
    static func gone(_ delete: () async throws -> Void) async throws {
        do { try await delete() } catch let e as APIError where e.status == 404 {}
    }

    func create(_ d: DesiredResource, plan: Plan, ids: [ResourceAddress: String], attempt: String) async throws -> String {
        let (body, labels) = try body(d, plan: plan, ids: ids, revision: 1)
        let token = token(plan, d.address, labels, attempt: attempt)
        switch d.collection {
        case .jobs:
            try await stage(d)
            return try await journaled(d.address, d.isRun ? .run : .create, Self.call(Routes.createJob), token: token) {
                try await client.createJob(body, idempotentToken: token).id
            }
        case .clusters:
            if let attach = d.fixed[SGEClusterLowering.attachKey]?.stringValue {
                return try await adopt(d, id: attach, body: body, labels: labels, plan: plan)
            }
            return try await journaled(d.address, d.isRun ? .run : .create, Self.call(Routes.createCluster), token: token) {
                try await client.createCluster(body, idempotentToken: token).id
            }
        case .apps:
            return try await journaled(d.address, d.isRun ? .run : .create, Self.call(Routes.createApp), token: token) {
                do {
                    return try await client.createApp(body, idempotentToken: token).name
                } catch let e as APIError where e.status == 409 || e.code == APIError.Code.alreadyExisting {
                    // An app of this name exists: ours from an interrupted apply is adopted; anyone else's is not touched.
                    let existing = try await client.app(d.name)
                    guard existing.labels[OwnershipLabels.address] == d.address.description,
                          existing.labels[OwnershipLabels.workspace] == plan.workspace else {
                        throw APIError(status: 409, code: "AlreadyExists",
                                                message: "App \(d.name) exists and is not managed by workspace \(plan.workspace); adopt it with: bcctl import \(d.address) \(d.name)",
                                                requestId: "")
                    }
                    try await client.modifyApp(d.name, body)
                    return d.name
                }
            }
        }
    }

    /// `attach: cls-…`: takes the existing cluster over (its ownership labels, as `bcctl
    /// import` does) and sets its worker groups' counts and types, as `bcc attach` then
    /// `bcc resize` would. Its groups must be the manifest's: they cannot change on a live
    /// SGE cluster, so a mismatch is an error that names both sets.
    func adopt(_ d: DesiredResource, id: String, body: JSONValue, labels: [String: String], plan: Plan) async throws -> String {
        try await journaled(d.address, .create, Self.call(Routes.modifyCluster, id) + " (attach)") {
            let live = try await client.cluster(id)
            let wanted = try body.decoded(as: ClusterDescription.self).groups ?? [:]
            let master = live.sgeMasterGroup ?? SGEClusterLowering.masterGroup
            let workers = wanted.filter { $0.key != SGEClusterLowering.masterGroup }
            let liveWorkers = Set(live.groups.keys).subtracting([master])
            guard liveWorkers == Set(workers.keys) else {
                throw Ownership.Refused(description: "spec.attach: \(id) has the worker groups \(liveWorkers.sorted().joined(separator: ", ")), the manifest \(workers.keys.sorted().joined(separator: ", ")): an SGE cluster's groups cannot change, so attach needs the same groups")
            }
            try await Ownership.adopt(d.address, id: id, workspace: plan.workspace, client: client)
            let modify = ClusterModification(groups: workers.mapValues(ClusterModification.Group.init), labels: labels)
            try await client.modifyCluster(id, JSONValue(encoding: modify))
            return id
        }
    }

    /// Writes what a run reads before it is submitted (a WorkflowRun's WDL, inputs and
    /// options). Their names are their contents' hashes, so writing them again, after an
    /// interrupted apply or for an unchanged run, changes nothing.
    func stage(_ d: DesiredResource) async throws {
        guard !d.staged.isEmpty else { return }
        let oss = OSSClient(client)
        for object in d.staged { try await oss.put(object.bytes, at: object.url) }
    }

    func update(_ d: DesiredResource, id: String, change: ResourceChange, plan: Plan, ids: [ResourceAddress: String]) async throws {
        let (body, labels) = try body(d, plan: plan, ids: ids, revision: change.liveRevision.map { $0 + 1 })
        switch d.collection {
        case .apps:
            try await journaled(d.address, .update, Self.call(Routes.modifyApp, id)) { try await client.modifyApp(id, body) }
        case .clusters:
            // ModifyCluster takes group counts, instance types and spot settings, plus bcops' labels.
            var groups = try body.decoded(as: ClusterDescription.self).groups ?? [:]
            if d.fixed[SGEClusterLowering.attachKey] != nil, groups[SGEClusterLowering.masterGroup] != nil {
                // Attached: a cluster made without a master group (its master is outside) gets only its own groups.
                let live = try await client.cluster(id)
                if live.groups[SGEClusterLowering.masterGroup] == nil { groups[SGEClusterLowering.masterGroup] = nil }
            }
            let modify = ClusterModification(groups: groups.mapValues(ClusterModification.Group.init), labels: labels)
            try await journaled(d.address, .update, Self.call(Routes.modifyCluster, id)) {
                try await client.modifyCluster(id, JSONValue(encoding: modify))
            }
        case .jobs:
            throw BodyBuilder.Unresolved(description: "runs are never updated in place")
        }
    }
}

/// The operations in flight and when each started, for the ticker that says which are still
/// going every 10 seconds. One ticker for the apply: a sleeping task per operation, cancelled
/// at its end, was a task and a wake-up more per operation on the cooperative pool.
final class StillRunning: @unchecked Sendable {
    private let lock = NSLock()
    private var running: [ResourceAddress: (action: PlanAction, started: Date, reported: Int)] = [:]

    func begin(_ address: ResourceAddress, _ action: PlanAction, at started: Date) {
        lock.withLock { running[address] = (action, started, 0) }
    }

    func end(_ address: ResourceAddress) {
        lock.withLock { running[address] = nil }
    }

    /// Each operation's 10-second marks passed since it was last reported, in address order.
    func due(_ now: Date) -> [(ResourceAddress, PlanAction, Int)] {
        lock.withLock {
            var out: [(ResourceAddress, PlanAction, Int)] = []
            for address in running.keys.sorted() {
                let r = running[address]!
                let mark = Int(now.timeIntervalSince(r.started)) / 10 * 10
                guard mark > r.reported else { continue }
                for seconds in stride(from: r.reported + 10, through: mark, by: 10) { out.append((address, r.action, seconds)) }
                running[address]!.reported = mark
            }
            return out
        }
    }
}
