import BCClient
import BCModel

/// One live object this workspace owns, as the API lists it.
public struct LiveResource: Sendable {
    public var address: ResourceAddress
    public var collection: LiveCollection
    /// The ID calls use: a cluster's or job's ID, an app's name.
    public var id: String
    public var body: JSONValue
    public var labels: [String: String]

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

    /// One bulk list per collection, filtered by the workspace label.
    public static func refresh(client: BatchComputeClient, workspace: String) async throws -> LiveState {
        let label = [("Label", "\(OwnershipLabels.workspace)=\(workspace)")]
        async let apps = client.listAll("/apps", query: label)
        async let clusters = client.listAll("/clusters", query: label)
        async let jobs = client.listAll("/jobs", query: label)
        var state = LiveState()
        for (collection, items) in [(LiveCollection.apps, try await apps), (.clusters, try await clusters), (.jobs, try await jobs)] {
            for item in items {
                let labels = (item["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                guard labels[OwnershipLabels.workspace] == workspace,
                      let address = labels[OwnershipLabels.address].flatMap(ResourceAddress.init),
                      let id = (collection == .apps ? item["Name"] : item["Id"])?.stringValue else { continue }
                state.objects[address, default: []].append(LiveResource(address: address, collection: collection, id: id, body: item, labels: labels))
            }
        }
        for key in state.objects.keys { state.objects[key]!.sort { $0.creationTime < $1.creationTime } }
        return state
    }
}
