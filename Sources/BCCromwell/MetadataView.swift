import BCAPI

/// A workflow's metadata as Cromwell's `GET …/{id}/metadata` answers it: the runner's own
/// document (it already keeps Cromwell's shape: calls with their shards, attempts, statuses,
/// call roots, stdout and stderr) with what only the front-end knows written over it — the
/// Cromwell id, the status, the submission time, the labels and the submitted files.
enum MetadataView {
    static func document(_ record: WorkflowRecord, status: WorkflowStatus, job: JobStatus?, runner: JSONValue?) -> [String: JSONValue] {
        var o = runner?.objectValue ?? [:]
        o["id"] = .string(record.id)
        o["status"] = .string(status.rawValue)
        o["submission"] = .string(record.submission)
        o["workflowName"] = .string(record.workflowName)
        o["actualWorkflowLanguage"] = .string("WDL")
        if let v = record.submittedFiles.workflowTypeVersion { o["actualWorkflowLanguageVersion"] = .string(v) }
        if o["workflowRoot"] == nil, let root = record.submittedFiles.root { o["workflowRoot"] = .string(root) }
        if o["start"] == nil || o["start"] == .null, let start = job?.startTime, !start.isEmpty { o["start"] = .string(start) }
        if status.isTerminal {
            if o["end"] == nil || o["end"] == .null {
                if let end = job?.endTime, !end.isEmpty { o["end"] = .string(end) } else if let end = record.end { o["end"] = .string(end) }
            }
        } else {
            o["end"] = nil
        }
        if o["inputs"] == nil, let inputs = try? JSONValue.parse(Array(record.submittedFiles.inputs.utf8)) { o["inputs"] = inputs }
        if o["outputs"] == nil { o["outputs"] = .object([:]) }
        if o["calls"] == nil { o["calls"] = .object([:]) }
        if let calls = o["calls"]?.objectValue { o["calls"] = .object(calls.mapValues(withBackendLogs)) }
        if status == .failed, (o["failures"]?.arrayValue ?? []).isEmpty, let message = job?.message, !message.isEmpty {
            o["failures"] = .array([.object(["message": .string(message), "causedBy": .array([])])])
        }
        var labels = record.labels
        labels["cromwell-workflow-id"] = "cromwell-" + record.id
        o["labels"] = .object(labels.mapValues(JSONValue.string))
        let files = record.submittedFiles
        var submitted: [String: JSONValue] = ["workflow": .string(files.workflow), "inputs": .string(files.inputs), "options": .string(files.options),
                                              "labels": .string(files.labels), "workflowType": .string(files.workflowType)]
        if let v = files.workflowTypeVersion { submitted["workflowTypeVersion"] = .string(v) }
        if let u = files.workflowUrl { submitted["workflowUrl"] = .string(u) }
        if let r = files.root { submitted["root"] = .string(r) }
        o["submittedFiles"] = .object(submitted)
        var bcops = o["bcops"]?.objectValue ?? [:]
        if let job = record.jobId { bcops["runnerJob"] = .string(job) }
        bcops["metadata"] = .string(record.metadataURL)
        if !record.warnings.isEmpty { bcops["warnings"] = .array(record.warnings.map(JSONValue.string)) }
        o["bcops"] = .object(bcops)
        return o
    }

    /// Where cromshell's `logs` looks for a call's log: Cromwell's `backendLogs.log`, here the
    /// call's stderr on OSS.
    static func withBackendLogs(_ attempts: JSONValue) -> JSONValue {
        guard let list = attempts.arrayValue else { return attempts }
        return .array(list.map { entry in
            guard var e = entry.objectValue else { return entry }
            if e["backendLogs"] == nil, let stderr = e["stderr"]?.stringValue { e["backendLogs"] = .object(["log": .string(stderr)]) }
            return .object(e)
        })
    }

    /// `includeKey` and `excludeKey`, as Cromwell applies them: to the workflow's keys and to
    /// every call's (`id` is always kept at the top, a call's `shardIndex` and `attempt` in it).
    static func filtered(_ o: [String: JSONValue], include: [String], exclude: [String]) -> [String: JSONValue] {
        func keep(_ key: String) -> Bool {
            if exclude.contains(key) { return false }
            return include.isEmpty || include.contains(key)
        }
        var out: [String: JSONValue] = [:]
        for (key, value) in o {
            if key == "calls", let calls = value.objectValue, !exclude.contains("calls") {
                out[key] = .object(calls.mapValues { attempts in
                    // A call's shard and attempt identify it, so Cromwell keeps them whatever the keys.
                    .array((attempts.arrayValue ?? []).map { .object(($0.objectValue ?? [:]).filter { $0.key == "shardIndex" || $0.key == "attempt" || keep($0.key) }) })
                })
            } else if key == "id" || keep(key) {
                out[key] = value
            }
        }
        return out
    }

    /// `GET …/logs`: each call attempt's stdout and stderr.
    static func logs(_ o: [String: JSONValue]) -> [String: JSONValue] {
        var calls: [String: JSONValue] = [:]
        for (name, attempts) in o["calls"]?.objectValue ?? [:] {
            calls[name] = .array((attempts.arrayValue ?? []).map { a in
                var e: [String: JSONValue] = [:]
                for key in ["stdout", "stderr", "shardIndex", "attempt"] { if let v = a[key] { e[key] = v } }
                return .object(e)
            })
        }
        return ["id": o["id"] ?? .null, "calls": .object(calls)]
    }
}
