import BCAPI
import BCModel

/// The API body for a desired resource: its fields at their API paths, its fixed parts and
/// its labels (the user's plus the ownership labels).
enum BodyBuilder {
    struct Unresolved: Error, CustomStringConvertible {
        var description: String
    }

    static func set(_ value: JSONValue, at path: [String], in object: inout [String: JSONValue]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var inner = object[first]?.objectValue ?? [:]
        set(value, at: Array(path.dropFirst()), in: &inner)
        object[first] = .object(inner)
    }

    /// - Parameters:
    ///   - resolve: the API value of a field (secrets read, references looked up); throws when it cannot.
    ///   - hash: the field hash kept in the labels.
    static func body(_ d: DesiredResource, workspace: String, revision: Int?, resolve: (DesiredField) throws -> JSONValue,
                     hash: (DesiredField, JSONValue) -> String, spec: String?) throws -> (body: JSONValue, labels: [String: String]) {
        var o = d.fixed
        // Apply's instruction, not part of the body (`SGEClusterLowering.attachKey`).
        o[SGEClusterLowering.attachKey] = nil
        var hashes: [String: String] = [:]
        for f in d.fields {
            let v = try resolve(f)
            hashes[f.path] = hash(f, v)
            if f.comparison == .equal { set(v, at: f.apiPath, in: &o) }
        }
        var labels = d.userLabels.filter { !OwnershipLabels.isReserved($0.key) }
        labels[OwnershipLabels.workspace] = workspace
        labels[OwnershipLabels.address] = d.address.description
        labels[OwnershipLabels.fields] = OwnershipLabels.encodeFields(hashes)
        if let spec { labels[OwnershipLabels.spec] = spec }
        if let revision { labels[OwnershipLabels.revision] = String(revision) }
        if d.isRun { labels[OwnershipLabels.rerun] = d.rerunToken ?? "" }
        o[labelsKey(d.collection)] = .object(labels.mapValues(JSONValue.string))
        return (.object(o), labels)
    }

    /// Where each description keeps its labels.
    static func labelsKey(_ collection: LiveCollection) -> String {
        switch collection {
        case .jobs: JobDescription.Field.labels.rawValue
        case .clusters: ClusterDescription.CodingKeys.labels.rawValue
        case .apps: AppDescription.CodingKeys.labels.rawValue
        }
    }
}
