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
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw PlanFileError(path: path, reason: String(cString: strerror(errno)))
        }
        guard rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw PlanFileError(path: path, reason: reason)
        }
    }

    /// The plan in a file, or nil when the file is not a bcops plan.
    public static func read(_ path: String) -> Plan? {
        guard let data = FileManager.default.contents(atPath: path), data.first == UInt8(ascii: "{"),
              let envelope = try? JSONDecoder().decode(Envelope.self, from: data), envelope.format == marker else { return nil }
        return envelope.plan
    }
}

/// A plan file that could not be written: where, and what the system said.
public struct PlanFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// The reason alone: callers say which file (`cannot write the plan to FILE: …`).
    public var description: String { reason }
}
