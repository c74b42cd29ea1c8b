import BCAPI
import BCClient
import BCModel
import Foundation

/// Any job on the engine (DAG, App, render), read through the API as clients read it: the
/// list, one job with its tasks and instances, why it waits, and where its logs are.
public enum JobReader {
    public static let endedStates: Set<String> = ["Finished", "Failed", "Stopped"]
    public static let states = ["Waiting", "Running", "Finished", "Failed", "Stopped"]

    /// bcops' ownership labels (BCPlan's `OwnershipLabels`; BCPlan is not a dependency here).
    static let addressLabel = "bcops.io/address"
    static let workspaceLabel = "bcops.io/workspace"

    // MARK: One job

    /// A job of the list, or the head of `bcctl job`.
    public struct Summary: Sendable {
        public var id: String
        public var name: String
        public var state: String
        /// `DAG`, `App`, `render` (a RenderJob, or `bcctl render test`), `workflow`.
        public var kind: String
        /// The App an App job (or render job) runs.
        public var app: String?
        /// `Kind/name` of the manifest and its workspace, when bcops owns the job.
        public var address: String?
        public var workspace: String?
        public var message: String
        public var created: String
        public var started: String
        public var ended: String
        public var tasks: [String: Int]
        public var instances: [String: Int]

        public var tasksTotal: Int { tasks.values.reduce(0, +) }
        public var tasksDone: Int { tasks["Finished"] ?? 0 }
        public var reasonFirstLine: String { String(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }

        /// `2 finished, 1 failed` (states in their lifecycle order; `none` without instances).
        public var instancesText: String {
            let parts = JobReader.states.compactMap { s in (instances[s] ?? 0) > 0 ? "\(instances[s]!) \(s.lowercased())" : nil }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "id": .string(id), "name": .string(name), "state": .string(state), "kind": .string(kind),
                "app": app.map(JSONValue.string) ?? .null, "address": address.map(JSONValue.string) ?? .null,
                "workspace": workspace.map(JSONValue.string) ?? .null, "reason": .string(message),
                "created": .string(created), "started": .string(started), "ended": .string(ended),
                "tasksDone": .integer(tasksDone), "tasksTotal": .integer(tasksTotal),
            ]
            o["instances"] = .object(Dictionary(uniqueKeysWithValues: JobReader.states.map { ($0.lowercased(), JSONValue.integer(instances[$0] ?? 0)) }))
            return .object(o)
        }
    }

    /// A job as the list and `GET /jobs/{id}` give it, with its description (`?description`).
    public static func summary(_ job: JSONValue, description: JSONValue?) -> Summary {
        func metrics(_ v: JSONValue?) -> [String: Int] {
            var out: [String: Int] = [:]
            for s in states { out[s] = v?["\(s)Count"]?.intValue ?? 0 }
            return out
        }
        let labels = job["Labels"]?.objectValue ?? description?["Labels"]?.objectValue ?? [:]
        let address = labels[addressLabel]?.stringValue
        let name = job["Name"]?.stringValue ?? ""
        let type = description?["Type"]?.stringValue ?? "DAG"
        var app = description?["App"]?["AppName"]?.stringValue
        if let a = app, a.hasPrefix(":") { app = String(a.dropFirst()) }
        let kind: String
        if address?.hasPrefix("RenderJob/") == true || (type == "App" && name.hasPrefix("render-test-")) {
            kind = "render"
        } else if address?.hasPrefix("WorkflowRun/") == true {
            kind = "workflow"
        } else {
            kind = type
        }
        return Summary(id: job["Id"]?.stringValue ?? "", name: name, state: job["State"]?.stringValue ?? "", kind: kind,
                       app: type == "App" ? app : nil, address: address, workspace: labels[workspaceLabel]?.stringValue,
                       message: job["Message"]?.stringValue ?? "", created: job["CreationTime"]?.stringValue ?? "",
                       started: job["StartTime"]?.stringValue ?? "", ended: job["EndTime"]?.stringValue ?? "",
                       tasks: metrics(job["TaskMetrics"]), instances: metrics(job["InstanceMetrics"]))
    }

    public static func description(_ id: String, client: BatchComputeClient) async throws -> JSONValue {
        try await client.call(.GET, "/jobs/\(id)", query: [("description", "")])
    }

    // MARK: The list

    /// Jobs newest first, read a page at a time (`Marker`, `IsReverse=True`), at most `limit`
    /// (0: all) of those in `states` (all when empty) and, with `workspace`, owned by it.
    public static func list(client: BatchComputeClient, states wanted: Set<String> = [], workspace: String? = nil,
                            limit: Int = 0, pageSize: Int = 100) async throws -> [Summary] {
        var query: [(String, String)] = [("IsReverse", "True")]
        // One state is the API's own filter; several are filtered here.
        if wanted.count == 1 { query.append(("State", wanted.first!)) }
        if let workspace { query.append(("Label", "\(workspaceLabel)=\(workspace)")) }
        var jobs: [JSONValue] = []
        var marker = ""
        repeat {
            let page = try await client.call(.GET, "/jobs", query: query + [("Marker", marker), ("MaxItemCount", String(pageSize))])
            for job in page["Items"]?.arrayValue ?? [] where wanted.isEmpty || wanted.contains(job["State"]?.stringValue ?? "") {
                jobs.append(job)
            }
            marker = page["NextMarker"]?.stringValue ?? ""
        } while !marker.isEmpty && (limit == 0 || jobs.count < limit)
        if limit > 0 && jobs.count > limit { jobs = Array(jobs.prefix(limit)) }
        // The kind is in each description: read them a few at a time.
        var descriptions: [String: JSONValue] = [:]
        let ids = jobs.compactMap { $0["Id"]?.stringValue }
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 8, ids.count)]
            start += chunk.count
            try await withThrowingTaskGroup(of: (String, JSONValue?).self) { group in
                for id in chunk { group.addTask { (id, try? await description(id, client: client)) } }
                for try await (id, d) in group { descriptions[id] = d }
            }
        }
        return jobs.map { summary($0, description: descriptions[$0["Id"]?.stringValue ?? ""] ?? nil) }
    }

    // MARK: Finding a job

    public struct NotFound: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// The job with ID `nameOrId`, or the newest job of that name. Jobs of the name that
    /// belong to different owners (another manifest or workspace, or none) are ambiguous: the
    /// error lists them by ID. Reruns of one manifest are not: the newest is the one.
    public static func resolve(_ nameOrId: String, workspace: String? = nil, client: BatchComputeClient) async throws -> JSONValue {
        if nameOrId.hasPrefix("job-") {
            let r = try await client.send(.GET, "/jobs/\(nameOrId)")
            if (200..<300).contains(r.status) { return try JSONValue.parse(r.body) }
            if r.status != 404 { throw BatchComputeClient.error(from: r) }
        }
        var query: [(String, String)] = [("IsReverse", "True")]
        if let workspace { query.append(("Label", "\(workspaceLabel)=\(workspace)")) }
        let named = try await client.listAll("/jobs", query: query).filter { $0["Name"]?.stringValue == nameOrId }
            .sorted { ($0["CreationTime"]?.stringValue ?? "") > ($1["CreationTime"]?.stringValue ?? "") }
        guard let newest = named.first else {
            throw NotFound(message: "no job named \(nameOrId)\(workspace.map { " in workspace \($0)" } ?? ""); bcctl jobs lists them")
        }
        func owner(_ job: JSONValue) -> String {
            let labels = job["Labels"]?.objectValue ?? [:]
            guard let address = labels[addressLabel]?.stringValue else { return "not managed by bcops" }
            return "\(address) in workspace \(labels[workspaceLabel]?.stringValue ?? "?")"
        }
        var owners: [String: [JSONValue]] = [:]
        for job in named { owners[owner(job), default: []].append(job) }
        if owners.count > 1 {
            let lines = owners.sorted { ($0.value.first?["CreationTime"]?.stringValue ?? "") > ($1.value.first?["CreationTime"]?.stringValue ?? "") }
                .map { owner, jobs in
                    "  \(jobs.compactMap { $0["Id"]?.stringValue }.joined(separator: ", ")): \(owner)"
                }
            throw NotFound(message: "\(named.count) jobs are named \(nameOrId), of different owners; give a job ID (or -workspace):\n"
                           + lines.joined(separator: "\n"))
        }
        return newest
    }

    // MARK: Tasks, instances, logs

    public struct Instance: Sendable {
        public var index: Int
        public var state: String
        public var retries: Int
        public var exitCode: Int?
        public var errorCode: String
        public var errorMessage: String
        public var started: String
        public var ended: String
        /// The OSS objects holding its output, when the task keeps it (`…RedirectPath`).
        public var stdoutObject: String
        public var stderrObject: String

        public var json: JSONValue {
            .object(["instance": .integer(index), "state": .string(state), "retries": .integer(retries),
                     "exitCode": exitCode.map(JSONValue.integer) ?? .null, "errorCode": .string(errorCode),
                     "errorMessage": .string(errorMessage), "started": .string(started), "ended": .string(ended),
                     "stdout": stdoutObject.isEmpty ? .null : .string(stdoutObject),
                     "stderr": stderrObject.isEmpty ? .null : .string(stderrObject)])
        }
    }

    public struct TaskDetail: Sendable {
        public var name: String
        public var state: String
        public var started: String
        public var ended: String
        /// Its cluster (`cls-…`), or nil on an auto cluster.
        public var cluster: String?
        /// Tasks it waits for (DAG dependencies).
        public var upstream: [String]
        public var instances: [Instance]
        /// Why it waits (`waiting` only).
        public var waiting: String?

        public var json: JSONValue {
            .object(["name": .string(name), "state": .string(state), "started": .string(started), "ended": .string(ended),
                     "cluster": cluster.map(JSONValue.string) ?? .null, "upstream": .array(upstream.map(JSONValue.string)),
                     "waiting": waiting.map(JSONValue.string) ?? .null, "instances": .array(instances.map(\.json))])
        }
    }

    public struct Detail: Sendable {
        public var summary: Summary
        public var tasks: [TaskDetail]
        /// The inputs and outputs of an App job.
        public var inputs: [String: String]
        public var outputs: [String: String]
        /// Why a waiting job waits, in one line.
        public var waiting: String?

        public var json: JSONValue {
            guard case .object(var o) = summary.json else { return .null }
            o["tasks"] = .array(tasks.map(\.json))
            o["inputs"] = summary.kind == "DAG" ? .null : .object(inputs.mapValues(JSONValue.string))
            o["outputs"] = summary.kind == "DAG" ? .null : .object(outputs.mapValues(JSONValue.string))
            o["waiting"] = waiting.map(JSONValue.string) ?? .null
            return .object(o)
        }
    }

    /// Everything about one job: its tasks with their instances, and why it waits.
    public static func detail(_ job: JSONValue, client: BatchComputeClient) async throws -> Detail {
        let id = job["Id"]?.stringValue ?? ""
        let d = try await description(id, client: client)
        let summary = summary(job, description: d)
        var upstreamOf: [String: [String]] = [:]
        for (up, downs) in d["DAG"]?["Dependencies"]?.objectValue ?? [:] {
            for down in downs.arrayValue ?? [] { if let s = down.stringValue { upstreamOf[s, default: []].append(up) } }
        }
        var tasks: [TaskDetail] = []
        for t in try await client.listAll("/jobs/\(id)/tasks") {
            let name = t["TaskName"]?.stringValue ?? ""
            let cluster = (d["DAG"]?["Tasks"]?[name]?["ClusterId"] ?? d["App"]?["Config"]?["ClusterId"])?.stringValue
            var instances: [Instance] = []
            for i in try await client.listAll("/jobs/\(id)/tasks/\(name)/instances") {
                let state = i["State"]?.stringValue ?? ""
                let code = i["Result"]?["ErrorCode"]?.stringValue ?? i["Error"]?["Code"]?.stringValue ?? ""
                // The API says 0 until an instance ends, and for one that never ran its command.
                let exit = state == "Finished" || (state == "Failed" && (code == "NonZeroExitCode" || code.isEmpty))
                    ? i["Result"]?["ExitCode"]?.intValue : nil
                instances.append(Instance(index: i["InstanceId"]?.intValue ?? instances.count, state: state,
                                          retries: i["RetryCount"]?.intValue ?? 0, exitCode: exit, errorCode: code,
                                          errorMessage: i["Result"]?["ErrorMessage"]?.stringValue ?? i["Error"]?["Message"]?.stringValue ?? "",
                                          started: i["StartTime"]?.stringValue ?? "", ended: i["EndTime"]?.stringValue ?? "",
                                          stdoutObject: i["StdoutRedirectPath"]?.stringValue ?? "",
                                          stderrObject: i["StderrRedirectPath"]?.stringValue ?? ""))
            }
            tasks.append(TaskDetail(name: name, state: t["State"]?.stringValue ?? "", started: t["StartTime"]?.stringValue ?? "",
                                    ended: t["EndTime"]?.stringValue ?? "", cluster: (cluster ?? "").isEmpty ? nil : cluster,
                                    upstream: (upstreamOf[name] ?? []).sorted(), instances: instances, waiting: nil))
        }
        var detail = Detail(summary: summary, tasks: tasks,
                            inputs: (d["App"]?["Inputs"]?.objectValue ?? [:]).mapValues { $0.stringValue ?? $0.canonicalString },
                            outputs: (d["App"]?["Outputs"]?.objectValue ?? [:]).mapValues { $0.stringValue ?? $0.canonicalString },
                            waiting: nil)
        if summary.state == "Waiting" || summary.state == "Running" {
            for k in detail.tasks.indices where detail.tasks[k].state == "Waiting" {
                detail.tasks[k].waiting = await waitingReason(detail.tasks[k], tasks: detail.tasks, client: client)
            }
            if summary.state == "Waiting" {
                detail.waiting = summary.message.isEmpty ? detail.tasks.lazy.compactMap(\.waiting).first : summary.message
            }
        }
        return detail
    }

    /// Why a waiting task waits: upstream tasks that have not finished, a cluster that is gone
    /// or has no nodes (its groups' desired counts, read through the API), or busy nodes.
    public static func waitingReason(_ task: TaskDetail, tasks: [TaskDetail], client: BatchComputeClient) async -> String {
        let pending = task.upstream.filter { up in tasks.first { $0.name == up }?.state != "Finished" }
        if !pending.isEmpty {
            return "task \(task.name) waits for task\(pending.count == 1 ? "" : "s") \(pending.joined(separator: ", ")) to finish"
        }
        guard let cluster = task.cluster else { return "task \(task.name) waits for a node of its auto cluster" }
        guard let r = try? await client.send(.GET, "/clusters/\(cluster)") else { return "task \(task.name) waits for cluster \(cluster)" }
        if r.status == 404 { return "cluster \(cluster) does not exist (deleted?): task \(task.name) cannot start" }
        guard (200..<300).contains(r.status), let c = try? JSONValue.parse(r.body) else { return "task \(task.name) waits for cluster \(cluster)" }
        let name = c["Name"]?.stringValue.flatMap { $0.isEmpty ? nil : " (\($0))" } ?? ""
        let nodes = (c["Groups"]?.objectValue ?? [:]).values.reduce(0) { $0 + ($1["DesiredVMCount"]?.intValue ?? 0) }
        if nodes == 0 {
            return "cluster \(cluster)\(name) has 0 nodes: task \(task.name) starts when a group's desiredCount is above 0"
        }
        return "task \(task.name) waits for a free slot on cluster \(cluster)\(name) (\(nodes) node\(nodes == 1 ? "" : "s"), all busy)"
    }

    /// One instance's log from `offset`: the text, or why there is none to read (the task keeps
    /// no log, or the engine has none) in `missing`.
    public static func readLog(_ client: BatchComputeClient, job: String, task: String, node: Int, stream: String,
                               from offset: Int = 0) async throws -> (text: String, missing: String?) {
        var text = Data()
        var at = offset
        while true {
            let response = try await client.send(.GET, "/bcops/logs/\(job)/\(task)/\(node)", query: [("Stream", stream), ("Offset", String(at))])
            guard response.status == 200 else {
                let e = BatchComputeClient.error(from: response)
                return (String(decoding: text, as: UTF8.self), e.message.isEmpty ? e.code : e.message)
            }
            text.append(contentsOf: response.body)
            let next = Int(response.headers["x-bcops-offset"].first ?? "") ?? at
            if next == at || response.body.count < 1 << 20 { break }
            at = next
        }
        return (String(decoding: text, as: UTF8.self), nil)
    }
}

extension JobReader {
    /// `2025-06-01 12:00:05` of a wire time (UTC), `-` for a time not reached.
    public static func shortTime(_ wire: String) -> String {
        guard wire.count >= 19 else { return "-" }
        return String(wire.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    /// Seconds between two wire times (the second defaults to now), or nil.
    public static func seconds(from start: String, to end: String) -> Double? {
        guard let s = WireTime.parse(start) else { return nil }
        let e = WireTime.parse(end) ?? Date()
        return max(0, e.timeIntervalSince(s))
    }
}
