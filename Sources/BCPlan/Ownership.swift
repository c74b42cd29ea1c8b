import BCClient
import BCModel

/// `bcctl import` and `bcctl forget`: start or stop managing a live object by changing its
/// ownership labels, without touching anything else about it.
public enum Ownership {
    public struct Refused: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The object's current labels and a function writing new ones.
    static func labels(of address: ResourceAddress, id: String, client: BatchComputeClient) async throws -> (JSONValue, [String: String]) {
        switch LiveCollection.of(address.kind) {
        case .apps, .clusters:
            let path = "/\(LiveCollection.of(address.kind).rawValue)/\(id)"
            let o = try await client.call(.GET, path)
            return (o, (o["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
        case .jobs:
            throw Refused(description: "\(address.kind.rawValue) is a run kind: runs are submitted, not adopted, and finished runs are kept anyway")
        }
    }

    static func write(_ labels: [String: String], to address: ResourceAddress, id: String, current: JSONValue, client: BatchComputeClient) async throws {
        let encoded = JSONValue.object(labels.mapValues(JSONValue.string))
        switch LiveCollection.of(address.kind) {
        case .clusters:
            try await client.call(.PUT, "/clusters/\(id)", body: .object(["Labels": encoded]))
        case .apps:
            // ModifyApp takes the whole description (and makes a revision): send it back with new labels.
            var o = current.objectValue ?? [:]
            for key in ["CreationTime", "Revision"] { o[key] = nil }
            o["Labels"] = encoded
            try await client.call(.PUT, "/apps/\(id)", body: .object(o))
        case .jobs:
            break
        }
    }

    /// Adopts `id` as `address` in `workspace`. The next plan compares the manifest with the
    /// object's live values and shows only real differences.
    public static func adopt(_ address: ResourceAddress, id: String, workspace: String, client: BatchComputeClient) async throws {
        let (current, labels) = try await labels(of: address, id: id, client: client)
        if let other = labels[OwnershipLabels.workspace], let owner = labels[OwnershipLabels.address],
           other != workspace || owner != address.description {
            throw Refused(description: "\(id) is already managed as \(owner) by workspace \(other); run bcctl forget there first")
        }
        var next = labels
        next[OwnershipLabels.workspace] = workspace
        next[OwnershipLabels.address] = address.description
        next[OwnershipLabels.fields] = OwnershipLabels.encodeFields([:])
        try await write(next, to: address, id: id, current: current, client: client)
    }

    /// Stops managing `address` in `workspace`: the object stays, without bcops' labels.
    /// Returns the ID that was released.
    public static func forget(_ address: ResourceAddress, workspace: String, client: BatchComputeClient) async throws -> String {
        let live = try await LiveState.refresh(client: client, workspace: workspace)
        guard let current = live.current(address) else {
            throw Refused(description: "\(address) is not managed by workspace \(workspace)")
        }
        let (body, labels) = try await labels(of: address, id: current.id, client: client)
        try await write(labels.filter { !OwnershipLabels.isReserved($0.key) }, to: address, id: current.id, current: body, client: client)
        return current.id
    }
}
