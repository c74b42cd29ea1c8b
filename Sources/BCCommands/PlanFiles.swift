import BCModel
import BCPlan
import Foundation

/// Saved plans (`-out FILE`): the plan as JSON, mode 0600. It holds no secret values —
/// secrets are references — but it does hold the manifests' other values.
public enum PlanFiles {
    static let marker = "bcops-plan"

    struct Envelope: Codable {
        var format: String
        var plan: Plan
    }

    public static func write(_ plan: Plan, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Envelope(format: marker, plan: plan))
        let tmp = path + ".tmp"
        FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600])
        guard rename(tmp, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The plan in a file, or nil when the file is not a bcops plan.
    public static func read(_ path: String) -> Plan? {
        guard let data = FileManager.default.contents(atPath: path), data.first == UInt8(ascii: "{"),
              let envelope = try? JSONDecoder().decode(Envelope.self, from: data), envelope.format == marker else { return nil }
        return envelope.plan
    }
}
