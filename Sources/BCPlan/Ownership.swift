import BCClient
import BCModel

/// `bcctl import` and `bcctl forget`: start or stop managing a live object by changing its
/// ownership labels, without touching anything else about it.
public enum Ownership {
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// An object as adoption and release read it: its labels, and for an app the rest of its
    /// description, which `ModifyApp` takes whole.
    enum Current {
        case cluster(ClusterStatus)
        case app(AppStatus)

        var labels: [String: String] {
            switch self {
            case .cluster(let c): c.labels
            case .app(let a): a.labels
            }
        }
    }

    static func current(_ address: ResourceAddress, id: String, client: BatchComputeClient) async throws -> Current {
        switch LiveCollection.of(address.kind) {
        case .clusters: return .cluster(try await client.cluster(id))
        case .apps: return .app(try await client.app(id))
        case .jobs:
            throw Refused(description: "\(address.kind.rawValue) is a run kind: runs are submitted, not adopted, and finished runs are kept anyway")
        }
    }

    static func write(_ labels: [String: String], id: String, current: Current, client: BatchComputeClient) async throws {
        switch current {
        case .cluster:
            try await client.modifyCluster(id, JSONValue(encoding: ClusterModification(labels: labels)))
        case .app(let app):
            // ModifyApp takes the whole description (and makes a revision): send it back with new labels.
            try await client.modifyApp(id, .object(app.description(labels: labels)))
        }
    }

    /// Adopts `id` as `address` in `workspace`. The next plan compares the manifest with the
    /// object's live values and shows only real differences.
    public static func adopt(_ address: ResourceAddress, id: String, workspace: String, client: BatchComputeClient) async throws {
        let current = try await current(address, id: id, client: client)
        let labels = current.labels
        if let other = labels[OwnershipLabels.workspace], let owner = labels[OwnershipLabels.address],
           other != workspace || owner != address.description {
            throw Refused(description: "\(id) is already managed as \(owner) by workspace \(other); run bcctl forget there first")
        }
        var next = labels
        next[OwnershipLabels.workspace] = workspace
        next[OwnershipLabels.address] = address.description
        next[OwnershipLabels.fields] = OwnershipLabels.encodeFields([:])
        try await write(next, id: id, current: current, client: client)
    }

    /// Stops managing `address` in `workspace`: the object stays, without bcops' labels.
    /// Returns the ID that was released.
    public static func forget(_ address: ResourceAddress, workspace: String, client: BatchComputeClient) async throws -> String {
        let live = try await LiveState.refresh(client: client, workspace: workspace)
        guard let current = live.current(address) else {
            throw Refused(description: "\(address) is not managed by workspace \(workspace)")
        }
        let object = try await Self.current(address, id: current.id, client: client)
        try await write(object.labels.filter { !OwnershipLabels.isReserved($0.key) }, id: current.id, current: object, client: client)
        return current.id
    }
}
