import BCAPI
import BCModel
import Foundation

/// What `/api/status` serves and `bcctl status` prints: the source, the conditions, the
/// revisions, the history and what drifted.
public struct ControllerStatus: Sendable {
    public var workspace: String
    public var repository: String
    public var branch: String
    public var path: String
    public var suspended: Bool
    public var fetchedRevision: String?
    public var appliedRevision: String?
    public var conditions: ConditionSet
    public var history: History
    public var drift: [String]
    /// What a running reconciliation is doing now (`planning abc123`, `applying 12 changes`).
    public var progress: String?
    public var lastFetch: Date?
    public var nextAttempt: Date?
    public var pruneSkipped: Int
    /// What each run watcher serves of the applied revision's runs, by its key: `renders` (the
    /// RenderJobs' frames done and per-node view, as `bcctl render status -json`), `workflows`
    /// (each WorkflowRun's calls, as `bcctl workflow status`).
    public var runs: [String: [JSONValue]] = [:]

    public var json: JSONValue {
        func time(_ d: Date?) -> JSONValue { d.map { .string(WireTime.format($0)) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        var top: [String: JSONValue] = [
            "workspace": .string(workspace), "repository": .string(repository), "branch": .string(branch), "path": .string(path),
            "suspended": .bool(suspended), "fetchedRevision": text(fetchedRevision), "appliedRevision": text(appliedRevision),
            "progress": text(progress), "lastFetch": time(lastFetch), "nextAttempt": time(nextAttempt),
            "pruneSkipped": .integer(pruneSkipped),
            "conditions": .array(conditions.sorted.map { c in
                .object(["type": .string(c.type.rawValue), "status": .string(c.status ? "True" : "False"), "reason": .string(c.reason),
                         "message": .string(c.message), "lastTransitionTime": .string(WireTime.format(c.lastTransitionTime))])
            }),
            "history": .array(history.entries.map { r in
                .object(["revision": .string(r.revision), "started": .string(WireTime.format(r.started)),
                         "durationSeconds": .number((r.duration * 1000).rounded() / 1000), "actions": .string(r.actions),
                         "result": .string(r.result.rawValue), "trigger": .string(r.trigger)])
            }),
            "drift": .array(drift.map(JSONValue.string)),
        ]
        for (key, served) in runs { top[key] = .array(served) }
        return .object(top)
    }

    /// `bcctl status` for a person.
    public static func text(_ o: JSONValue) -> String {
        func s(_ k: String) -> String { o[k]?.stringValue ?? "" }
        var out = "Workspace \(s("workspace")) ← \(s("repository")) branch \(s("branch")) path \(s("path").isEmpty ? "." : s("path"))"
        if o["suspended"]?.boolValue == true { out += "  [suspended]" }
        out += "\n"
        out += "Revision: applied \(o["appliedRevision"]?.stringValue.map { String($0.prefix(12)) } ?? "none"), "
            + "fetched \(o["fetchedRevision"]?.stringValue.map { String($0.prefix(12)) } ?? "none")\n"
        for c in o["conditions"]?.arrayValue ?? [] {
            out += "  \(c["type"]?.stringValue ?? "")=\(c["status"]?.stringValue ?? "")  \(c["reason"]?.stringValue ?? ""): \(c["message"]?.stringValue ?? "")\n"
        }
        if let p = o["progress"]?.stringValue { out += "In progress: \(p)\n" }
        let drift = o["drift"]?.arrayValue ?? []
        if !drift.isEmpty { out += "Drift (not corrected without --self-heal): \(drift.compactMap(\.stringValue).joined(separator: ", "))\n" }
        if let n = o["pruneSkipped"]?.intValue, n > 0 { out += "Not pruned (--prune is off): \(n) object\(n == 1 ? "" : "s") no longer in the manifests\n" }
        let renders = o["renders"]?.arrayValue ?? []
        if !renders.isEmpty {
            out += "\nRender jobs:\n"
            for r in renders {
                out += "  \(r["name"]?.stringValue ?? "")  \(r["state"]?.stringValue ?? "")  \(r["framesDone"]?.intValue ?? 0)/\(r["framesTotal"]?.intValue ?? 0) frames"
                if let d = r["downloadedTo"]?.stringValue { out += "  downloaded to \(d)" }
                out += "\n"
            }
        }
        let workflows = o["workflows"]?.arrayValue ?? []
        if !workflows.isEmpty {
            out += "\nWorkflow runs:\n"
            for w in workflows {
                out += "  \(w["name"]?.stringValue ?? "")  \(w["status"]?.stringValue ?? "")"
                if let done = w["callsDone"]?.intValue, let known = w["callsKnown"]?.intValue { out += "  \(done)/\(known) calls done" }
                if let reason = w["reason"]?.stringValue, !reason.isEmpty, w["state"]?.stringValue != "Finished" { out += "  (\(reason))" }
                out += "\n"
            }
        }
        let history = o["history"]?.arrayValue ?? []
        if !history.isEmpty {
            out += "\nRecent reconciliations (newest first):\n"
            for r in history {
                let revision = String((r["revision"]?.stringValue ?? "").prefix(12))
                let seconds = r["durationSeconds"]?.doubleValue ?? 0
                out += "  \(r["started"]?.stringValue ?? "")  \(revision)  \(r["result"]?.stringValue ?? "")  \(String(format: "%.2f", seconds)) s  "
                    + "\(r["trigger"]?.stringValue ?? "")  \(r["actions"]?.stringValue ?? "")\n"
            }
        }
        return out
    }
}
