import BCClient
import BCModel
import BCPlan

/// `bcctl import` of a cluster that the engine does not know by that ID, typically given its
/// name: say that clusters are imported by their `cls-…` ID, and which ID the name has.
enum ImportHint {
    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `adopt`; a 404 on a cluster becomes a sentence naming the clusters so called and the
    /// command that imports one, or how to list them.
    static func adopting(_ address: ResourceAddress, id: String, workspace: String, client: BatchComputeClient,
                         _ adopt: () async throws -> Void) async throws {
        do {
            try await adopt()
        } catch let e as APIError where e.status == 404 && LiveCollection.of(address.kind) == .clusters {
            throw Refused(description: await message(address, id: id, workspace: workspace, client: client))
        }
    }

    static func message(_ address: ResourceAddress, id: String, workspace: String, client: BatchComputeClient) async -> String {
        // A hint only: without the list, the message says how to list them instead.
        let named = ((try? await client.allClusters()) ?? []).filter { $0.name == id }.map(\.id)
        let ws = workspace == "default" ? "" : " -workspace \(workspace)"
        let head = id.hasPrefix("cls-")
            ? "no cluster \(id) on the engine at \(client.configuration.endpoint)"
            : "\(id) is not a cluster ID: import clusters by their cls-… id"
        switch named.count {
        case 1:
            return "\(head). The cluster named \(id) is \(named[0]): bcctl import\(ws) \(address) \(named[0])"
        case 2...:
            return "\(head). Clusters named \(id): \(named.joined(separator: ", ")); pick one: bcctl import\(ws) \(address) cls-…"
        default:
            return "\(head); `bcs c` lists them (bcs pointed at the engine: docs/commands/engine.md), as does the SDK's client.list_clusters()"
        }
    }
}
