import BCAPI
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// Follows the applied revision's WorkflowRuns: each newest run's state and its calls, as
/// `bcctl workflow status` shows them, served at `/api/status` under `workflows`.
actor WorkflowRunWatcher: RunWatcher {
    nonisolated let statusKey = "workflows"
    nonisolated let kinds: Set<Kind> = [.WorkflowRun]
    private var names: [String] = []
    /// What was last served, by WorkflowRun name.
    private var served: [String: JSONValue] = [:]

    func watch(_ manifests: [Manifest]) {
        names = manifests.filter { $0.kind == .WorkflowRun }.map(\.metadata.name).sorted()
    }

    func follow(client: BatchComputeClient) async -> [JSONValue]? {
        guard !names.isEmpty, let jobs = try? await client.allJobs() else { return nil }
        var newest: [String: (id: String, created: String)] = [:]
        for j in jobs where j.creationTime >= (newest[j.name]?.created ?? "") { newest[j.name] = (j.id, j.creationTime) }
        var seen: [String: JSONValue] = [:]
        for name in names {
            guard let id = newest[name]?.id else { continue }
            // A run that ended does not change: keep what was read of it.
            if let known = served[name], known["id"]?.stringValue == id, JobState(rawValue: known["state"]?.stringValue ?? "")?.isEnded == true {
                seen[name] = known
                continue
            }
            // A run that cannot be read now is left out of this pass, and read again next pass.
            guard let run = try? await WorkflowRunReader.read(id, client: client) else { continue }
            seen[name] = Self.json(name: name, run)
        }
        served = seen
        return names.compactMap { seen[$0] }
    }

    static func json(name: String, _ run: WorkflowRunReader.Run) -> JSONValue {
        let calls: [JSONValue] = run.calls.map { c in
            .object(["call": .string(c.name), "shard": .integer(c.shard), "attempt": .integer(c.attempt), "state": .string(c.state),
                     "jobId": .string(c.jobId), "cacheHit": .bool(c.cacheHit), "start": .string(c.start), "end": .string(c.end)])
        }
        var o: [String: JSONValue] = [
            "name": .string(name), "id": .string(run.job.id), "runId": .string(run.runId), "state": .string(run.job.state.rawValue),
            "status": .string(run.status), "reason": .string(run.job.message), "calls": .array(calls),
            "metadata": run.metadataURL.map(JSONValue.string) ?? .null,
        ]
        if let p = run.progress { o["callsDone"] = .integer(p.done); o["callsKnown"] = .integer(p.calls) }
        return .object(o)
    }
}
