import BCAPI
import BCModel
import Foundation

/// A plan's content hash: what it would do — each resource's action and field changes — and
/// nothing about when or where it was made (time, serial, lineage). Two plans with the same
/// digest make the same changes, which is what a reviewed-plan gate compares: the plan CI
/// showed reviewers against the plan the controller is about to apply.
public enum PlanDigest {
    /// - Parameter includingDeletes: false for a controller without `--prune`, which never
    ///   deletes: its plans leave deletes out, and so must the approved digest.
    public static func contentHash(_ plan: Plan, includingDeletes: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var bytes: [UInt8] = Array("bcops plan v1\n".utf8)
        for change in plan.changes.filter({ $0.action != .noop && (includingDeletes || $0.action != .delete) }).sorted(by: { $0.address.description < $1.address.description }) {
            let fields = change.fields.filter(\.changed).sorted { $0.path < $1.path }
            bytes += Array("\(change.address) \(change.action.rawValue)\n".utf8)
            bytes += (try? encoder.encode(fields)).map(Array.init) ?? []
            bytes += [10]
        }
        return FieldHasher.hex(HMACDigest.sha256.mac(key: Array("bcops plan digest".utf8), message: bytes))
    }

    /// The actionable changes, one line each (`+ Cluster/farm create`), for telling a person
    /// how two plans differ.
    public static func lines(_ plan: Plan) -> [String] {
        plan.changes.filter { $0.action != .noop }.map { change in
            let fields = change.fields.filter(\.changed).map(\.path).sorted()
            return "\(change.address) \(change.action.rawValue)" + (fields.isEmpty ? "" : " (\(fields.joined(separator: ", ")))")
        }.sorted()
    }
}
