import BCClient
import BCManifest
import BCModel

/// An object a plan would create (or a run it would submit for the first time) whose kind and
/// name another workspace already owns.
public struct WorkspaceCollision: Sendable, Equatable {
    /// The manifest's address.
    public var address: ResourceAddress
    /// The live object's ID (a cluster's or a job's ID, an app's name).
    public var liveId: String
    /// The workspace that owns it.
    public var owner: String
}

/// Plans of several workspaces share one engine; names are what people tell objects apart
/// by, so a workspace does not create what another one owns under the same address (a second
/// `Cluster/render-farm-nodes`, then `AlreadyExists` on the App). Checked at plan time, only
/// for what the plan creates: a plan with nothing to create asks nothing more.
public enum WorkspaceCollisions {
    /// More creates than this in one collection: one list of it, instead of one query each.
    static let perObjectLimit = 16

    public struct Found: Sendable {
        public var collisions: [WorkspaceCollision] = []
        /// Apps of the same name that bcops does not manage: apply would fail on them.
        public var warnings: [String] = []
    }

    /// What of `changes` (creates, and runs never submitted in this workspace) another
    /// workspace owns, by the ownership labels (`bcops.io/workspace`, `bcops.io/address`).
    public static func find(_ changes: [ResourceChange], desired: [DesiredResource], workspace: String,
                            client: BatchComputeClient) async throws -> Found {
        let creating = changes.filter { $0.action == .create || ($0.action == .run && $0.liveId == nil) }
        guard !creating.isEmpty else { return Found() }
        let wanted = Set(creating.map(\.address))
        var byCollection: [LiveCollection: [DesiredResource]] = [:]
        for d in desired where wanted.contains(d.address) { byCollection[d.collection, default: []].append(d) }
        var found = Found()
        try await withThrowingTaskGroup(of: Found.self) { group in
            for (collection, resources) in byCollection {
                if resources.count > perObjectLimit {
                    group.addTask { try await listed(collection, resources, workspace: workspace, client: client) }
                    continue
                }
                for d in resources {
                    group.addTask { try await one(d, workspace: workspace, client: client) }
                }
            }
            for try await part in group {
                found.collisions += part.collisions
                found.warnings += part.warnings
            }
        }
        found.collisions.sort { $0.address < $1.address }
        found.warnings.sort()
        return found
    }

    /// A live object as far as ownership goes: its ID (an app's name) and its labels.
    struct Owned: Sendable {
        var id: String
        var labels: [String: String]
    }

    /// What the labels of a live object say about `d`: a collision, a warning, or nothing.
    static func judge(_ d: DesiredResource, item: Owned, workspace: String) -> Found {
        var out = Found()
        let owner = item.labels[OwnershipLabels.workspace]
        let id = item.id.isEmpty ? d.name : item.id
        if let owner, owner != workspace {
            out.collisions.append(WorkspaceCollision(address: d.address, liveId: id, owner: owner))
        } else if owner == nil, d.collection == .apps {
            out.warnings.append("\(d.address): an App named \(d.name) exists and is not managed by workspace \(workspace) (it has no bcops labels); "
                                + "applying will fail on it: adopt it with: bcctl import \(d.address) \(d.name), or rename the manifest")
        }
        return out
    }

    /// Every object of `collection` (carrying `labels`, when given), in creation order.
    static func owned(_ collection: LiveCollection, labels: [String: String] = [:], pageSize: Int = 1000,
                      client: BatchComputeClient) async throws -> [Owned] {
        switch collection {
        case .apps: try await client.allApps(labels: labels, pageSize: pageSize).map { Owned(id: $0.name, labels: $0.labels) }
        case .clusters: try await client.allClusters(labels: labels, pageSize: pageSize).map { Owned(id: $0.id, labels: $0.labels) }
        case .jobs: try await client.allJobs(JobFilter(labels: labels), pageSize: pageSize).map { Owned(id: $0.id, labels: $0.labels) }
        }
    }

    /// One object: an app by its name (names are unique), a cluster or job by its address label.
    static func one(_ d: DesiredResource, workspace: String, client: BatchComputeClient) async throws -> Found {
        switch d.collection {
        case .apps:
            let app: AppStatus
            do { app = try await client.app(d.name) } catch let e as APIError where e.status == 404 { return Found() }
            return judge(d, item: Owned(id: app.name, labels: app.labels), workspace: workspace)
        case .clusters, .jobs:
            let items = try await owned(d.collection, labels: [OwnershipLabels.address: d.address.description], pageSize: 100, client: client)
            // The newest is the one people know (a run's latest attempt).
            for item in items.reversed() {
                let part = judge(d, item: item, workspace: workspace)
                if !part.collisions.isEmpty { return part }
            }
            return Found()
        }
    }

    /// Many objects of one collection: one list of all of it, matched here.
    static func listed(_ collection: LiveCollection, _ resources: [DesiredResource], workspace: String,
                       client: BatchComputeClient) async throws -> Found {
        let items = try await owned(collection, client: client)
        var out = Found()
        if collection == .apps {
            var byName: [String: Owned] = [:]
            for item in items { byName[item.id] = item }
            for d in resources { if let item = byName[d.name] { let part = judge(d, item: item, workspace: workspace); out.collisions += part.collisions; out.warnings += part.warnings } }
            return out
        }
        var byAddress: [String: Owned] = [:]
        for item in items {
            guard let address = item.labels[OwnershipLabels.address], let owner = item.labels[OwnershipLabels.workspace],
                  owner != workspace else { continue }
            byAddress[address] = item  // list order is creation order: the newest stays
        }
        for d in resources {
            if let item = byAddress[d.address.description] { out.collisions += judge(d, item: item, workspace: workspace).collisions }
        }
        return out
    }

    // MARK: Telling people

    /// Where each collided manifest names itself (`metadata.name`), for located errors.
    public static func locate(_ collisions: [WorkspaceCollision], in manifests: [LoadedManifest]) -> [ResourceAddress: (file: String, mark: SourceMark?)] {
        let wanted = Dictionary(collisions.map { ($0.address.description, $0.address) }, uniquingKeysWith: { a, _ in a })
        var out: [ResourceAddress: (file: String, mark: SourceMark?)] = [:]
        for m in manifests {
            guard let address = wanted[m.manifest.address] else { continue }
            out[address] = (m.file, m.root.locate("metadata.name").start)
        }
        return out
    }

    /// The error: which workspace owns it, and the ways out (plan it there, move it here, or
    /// rename it), located `path:line:col: Kind/name: metadata.name: …` when the manifest is known.
    public static func message(_ c: WorkspaceCollision, workspace: WorkspaceChoice, at location: (file: String, mark: SourceMark?)?,
                               paths: [String]) -> String {
        let head = "\(c.address) already exists in workspace \"\(c.owner)\" (\(c.liveId)), and this plan is for workspace \"\(workspace.name)\" (\(workspace.origin))"
        let dirs = paths.joined(separator: " ")
        var ways = [
            "to work on it where it is, plan in its workspace: bcplan \(dirs) -workspace \(c.owner) (or set `workspace: \(c.owner)` in the directory's \(WorkspaceSettings.fileName))",
        ]
        if let file = workspace.overridden.first(where: { $0.name == c.owner })?.file {
            // The settings file had it right; the flag or the environment won over it.
            let drop = workspace.source == .flag ? "leave out -workspace" : "unset \(WorkspaceSettings.environmentVariable)"
            ways[0] = "to work on it where it is, \(drop): \(file) says \(c.owner)"
        }
        if c.address.kind.isRun {
            ways.append("to run it in workspace \"\(workspace.name)\" too, rename it in the manifest (metadata.name); runs cannot be imported")
        } else {
            ways.append("to move it to workspace \"\(workspace.name)\": bcctl forget \(c.address) -workspace \(c.owner), then bcctl import \(c.address) \(c.liveId) -workspace \(workspace.name)")
            ways.append("to have a second one, rename it in the manifest (metadata.name)")
        }
        let text = head + "\n" + ways.map { "  - " + $0 }.joined(separator: "\n")
        guard let location else { return text }
        return Diagnostic(file: location.file, mark: location.mark, address: c.address.description, field: "metadata.name", message: text).description
    }
}
