import BCAPI
import BCClient
import BCModel
import Foundation

/// Any job on the engine (DAG, App, render), read through the API as clients read it: the
/// list, one job with its tasks and instances, why it waits, and where its logs are.
public enum JobReader {
    /// bcops' ownership labels (BCPlan's `OwnershipLabels`; BCPlan is not a dependency here).
    static let addressLabel = "bcops.io/address"
    static let workspaceLabel = "bcops.io/workspace"

    // MARK: One job

    /// A job of the list, or the head of `bcctl job`.
    public struct Summary: Sendable {
        public var id: String
        public var name: String
        public var state: JobState
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
        public var tasks: StateCounts
        public var instances: StateCounts

        public var tasksTotal: Int { tasks.total }
        public var tasksDone: Int { tasks[.finished] }
        public var reasonFirstLine: String { String(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }

        /// `2 finished, 1 failed` (states in their lifecycle order; `none` without instances).
        public var instancesText: String {
            let parts = RunState.allCases.compactMap { s in instances[s] > 0 ? "\(instances[s]) \(s.rawValue.lowercased())" : nil }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "id": .string(id), "name": .string(name), "state": .string(state.rawValue), "kind": .string(kind),
                "app": app.map(JSONValue.string) ?? .null, "address": address.map(JSONValue.string) ?? .null,
                "workspace": workspace.map(JSONValue.string) ?? .null, "reason": .string(message),
                "created": .string(created), "started": .string(started), "ended": .string(ended),
                "tasksDone": .integer(tasksDone), "tasksTotal": .integer(tasksTotal),
            ]
            o["instances"] = .object(Dictionary(uniqueKeysWithValues: RunState.allCases.map { ($0.rawValue.lowercased(), JSONValue.integer(instances[$0])) }))
            return .object(o)
        }
    }

    /// A job as the list and `GET /jobs/{id}` give it, with its description (`?description`).
    public static func summary(_ job: JobStatus, description: JobDescription?) -> Summary {
        let labels = job.labels.isEmpty ? description?.labels ?? [:] : job.labels
        let address = labels[addressLabel]
        let type = description?.type.rawValue ?? JobDescription.JobType.dag.rawValue
        var app = description?.app?.appName
        if let a = app, a.hasPrefix(":") { app = String(a.dropFirst()) }
        let kind: String
        if address?.hasPrefix("RenderJob/") == true || (description?.type == .app && job.name.hasPrefix("render-test-")) {
            kind = "render"
        } else if address?.hasPrefix("WorkflowRun/") == true {
            kind = "workflow"
        } else {
            kind = type
        }
        return Summary(id: job.id, name: job.name, state: job.state, kind: kind,
                       app: description?.type == .app ? app : nil, address: address, workspace: labels[workspaceLabel],
                       message: job.message, created: job.creationTime, started: job.startTime, ended: job.endTime,
                       tasks: job.taskMetrics, instances: job.instanceMetrics)
    }

    public static func description(_ id: String, client: BatchComputeClient) async throws -> JobDescription {
        try await client.jobDescription(id)
    }

    // MARK: The list

    /// Jobs newest first, read a page at a time (`Marker`, `IsReverse=True`), at most `limit`
    /// (0: all) of those in `states` (all when empty) and, with `workspace`, owned by it.
    public static func list(client: BatchComputeClient, states wanted: Set<JobState> = [], workspace: String? = nil,
                            limit: Int = 0, pageSize: Int = 100) async throws -> [Summary] {
        var filter = JobFilter(newestFirst: true)
        // One state is the API's own filter; several are filtered here.
        if wanted.count == 1 { filter.state = wanted.first! }
        if let workspace { filter.labels = [workspaceLabel: workspace] }
        var jobs: [JobStatus] = []
        var marker = ""
        repeat {
            let page = try await client.jobs(PageQuery(marker: marker, maxItemCount: pageSize), filter: filter)
            for job in page.items where wanted.isEmpty || wanted.contains(job.state) { jobs.append(job) }
            marker = page.nextMarker
        } while !marker.isEmpty && (limit == 0 || jobs.count < limit)
        if limit > 0 && jobs.count > limit { jobs = Array(jobs.prefix(limit)) }
        // The kind is in each description: read them a few at a time.
        var descriptions: [String: JobDescription] = [:]
        let ids = jobs.map(\.id)
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 8, ids.count)]
            start += chunk.count
            try await withThrowingTaskGroup(of: (String, JobDescription?).self) { group in
                // A description that cannot be read leaves the job's kind at its default (DAG).
                for id in chunk { group.addTask { (id, try? await description(id, client: client)) } }
                for try await (id, d) in group { descriptions[id] = d }
            }
        }
        return jobs.map { summary($0, description: descriptions[$0.id]) }
    }

    // MARK: Finding a job

    public struct NotFound: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var description: String { message }
    }

    /// The job with ID `nameOrId`, or the newest job of that name. Jobs of the name that
    /// belong to different owners (another manifest or workspace, or none) are ambiguous: the
    /// error lists them by ID. Reruns of one manifest are not: the newest is the one.
    public static func resolve(_ nameOrId: String, workspace: String? = nil, client: BatchComputeClient) async throws -> JobStatus {
        if nameOrId.hasPrefix("job-") {
            do { return try await client.job(nameOrId) } catch let e as APIError where e.status == 404 {}
        }
        let filter = JobFilter(labels: workspace.map { [workspaceLabel: $0] } ?? [:], newestFirst: true)
        let named = try await client.allJobs(filter).filter { $0.name == nameOrId }.sorted { $0.creationTime > $1.creationTime }
        guard let newest = named.first else {
            throw NotFound(message: "no job named \(nameOrId)\(workspace.map { " in workspace \($0)" } ?? ""); bcctl jobs lists them")
        }
        func owner(_ job: JobStatus) -> String {
            guard let address = job.labels[addressLabel] else { return "not managed by bcops" }
            return "\(address) in workspace \(job.labels[workspaceLabel] ?? "?")"
        }
        var owners: [String: [JobStatus]] = [:]
        for job in named { owners[owner(job), default: []].append(job) }
        if owners.count > 1 {
            let lines = owners.sorted { ($0.value.first?.creationTime ?? "") > ($1.value.first?.creationTime ?? "") }
                .map { owner, jobs in
                    "  \(jobs.map(\.id).joined(separator: ", ")): \(owner)"
                }
            throw NotFound(message: "\(named.count) jobs are named \(nameOrId), of different owners; give a job ID (or -workspace):\n"
                           + lines.joined(separator: "\n"))
        }
        return newest
    }

    // MARK: Tasks, instances, logs

    public struct Instance: Sendable {
        public var index: Int
        public var state: InstanceState
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
            .object(["instance": .integer(index), "state": .string(state.rawValue), "retries": .integer(retries),
                     "exitCode": exitCode.map(JSONValue.integer) ?? .null, "errorCode": .string(errorCode),
                     "errorMessage": .string(errorMessage), "started": .string(started), "ended": .string(ended),
                     "stdout": stdoutObject.isEmpty ? .null : .string(stdoutObject),
                     "stderr": stderrObject.isEmpty ? .null : .string(stderrObject)])
        }
    }

    public struct TaskDetail: Sendable {
        public var name: String
        public var state: TaskState
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
            .object(["name": .string(name), "state": .string(state.rawValue), "started": .string(started), "ended": .string(ended),
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
    public static func detail(_ job: JobStatus, client: BatchComputeClient) async throws -> Detail {
        let id = job.id
        let d = try await description(id, client: client)
        let summary = summary(job, description: d)
        var upstreamOf: [String: [String]] = [:]
        for (up, downs) in d.dag?.dependencies ?? [:] {
            for down in downs { upstreamOf[down, default: []].append(up) }
        }
        var tasks: [TaskDetail] = []
        for t in try await client.tasks(of: id) {
            let name = t.taskName
            let cluster = d.dag?.tasks[name]?.clusterId ?? d.app?.config?.clusterId
            var instances: [Instance] = []
            for i in try await client.instances(of: id, task: name) {
                let code = i.result.errorCode.isEmpty ? i.error.code : i.result.errorCode
                // The API says 0 until an instance ends, and for one that never ran its command.
                let exit = i.state == .finished || (i.state == .failed && (code == "NonZeroExitCode" || code.isEmpty))
                    ? i.result.exitCode : nil
                instances.append(Instance(index: i.instanceId, state: i.state, retries: i.retryCount, exitCode: exit, errorCode: code,
                                          errorMessage: i.result.errorMessage.isEmpty ? i.error.message : i.result.errorMessage,
                                          started: i.startTime, ended: i.endTime,
                                          stdoutObject: i.stdoutRedirectPath, stderrObject: i.stderrRedirectPath))
            }
            tasks.append(TaskDetail(name: name, state: t.state, started: t.startTime, ended: t.endTime,
                                    cluster: (cluster ?? "").isEmpty ? nil : cluster,
                                    upstream: (upstreamOf[name] ?? []).sorted(), instances: instances, waiting: nil))
        }
        var detail = Detail(summary: summary, tasks: tasks,
                            inputs: (d.app?.inputs ?? [:]).mapValues { $0.stringValue ?? $0.canonicalString },
                            outputs: (d.app?.outputs ?? [:]).mapValues { $0.stringValue ?? $0.canonicalString },
                            waiting: nil)
        if summary.state.isActive {
            for k in detail.tasks.indices where detail.tasks[k].state == .waiting {
                detail.tasks[k].waiting = await waitingReason(detail.tasks[k], tasks: detail.tasks, client: client)
            }
            if summary.state == .waiting {
                detail.waiting = summary.message.isEmpty ? detail.tasks.lazy.compactMap(\.waiting).first : summary.message
            }
        }
        return detail
    }

    /// Why a waiting task waits: upstream tasks that have not finished, a cluster that is gone
    /// or has no nodes (its groups' desired counts, read through the API), or busy nodes.
    public static func waitingReason(_ task: TaskDetail, tasks: [TaskDetail], client: BatchComputeClient) async -> String {
        let pending = task.upstream.filter { up in tasks.first { $0.name == up }?.state != .finished }
        if !pending.isEmpty {
            return "task \(task.name) waits for task\(pending.count == 1 ? "" : "s") \(pending.joined(separator: ", ")) to finish"
        }
        guard let cluster = task.cluster else { return "task \(task.name) waits for a node of its auto cluster" }
        let c: ClusterStatus
        do {
            c = try await client.cluster(cluster)
        } catch let e as APIError where e.status == 404 {
            return "cluster \(cluster) does not exist (deleted?): task \(task.name) cannot start"
        } catch {
            // Unreadable now: the plain reason stands; the next look reads it again.
            return "task \(task.name) waits for cluster \(cluster)"
        }
        let name = c.name.isEmpty ? "" : " (\(c.name))"
        let nodes = c.groups.values.reduce(0) { $0 + $1.desiredVMCount }
        if nodes == 0 {
            return "cluster \(cluster)\(name) has 0 nodes: task \(task.name) starts when a group's desiredCount is above 0"
        }
        // Nodes that are real hosts starting (an SGE cluster's execution hosts under
        // `--sge-clusters`): its tasks wait for the first to be up. An SGE cluster's master
        // group runs no task; a plain cluster's nodes are up as soon as they exist.
        if c.metrics.runningCount < nodes {
            let groups = c.groups.filter { $0.key != c.sgeMasterGroup && $0.value.desiredVMCount > 0 }
            var up = 0, workers = 0
            for (group, g) in groups {
                workers += g.desiredVMCount
                up += ((try? await client.clusterVMs(of: cluster, group: group)) ?? []).filter { $0.state == .running }.count
            }
            if up == 0 && workers > 0 {
                return "cluster \(cluster)\(name): none of its \(workers) node\(workers == 1 ? " is" : "s is") up yet: task \(task.name) starts when one is"
            }
        }
        return "task \(task.name) waits for a free slot on cluster \(cluster)\(name) (\(nodes) node\(nodes == 1 ? "" : "s"), all busy)"
    }

    /// One instance's log from `offset`: the text, or why there is none to read (the task keeps
    /// no log, or the engine has none) in `missing`.
    public static func readLog(_ client: BatchComputeClient, job: String, task: String, node: Int, stream: String,
                               from offset: Int = 0) async throws -> (text: String, missing: String?) {
        var text: [UInt8] = []
        var at = offset
        while true {
            let page: LogPage
            do {
                page = try await client.instanceLog(job: job, task: task, instance: node, stream: stream, offset: at)
            } catch let e as APIError where e.status != 0 {
                // The engine answered: it has no log to give (the task keeps none, or no such instance).
                return (String(decoding: text, as: UTF8.self), e.message.isEmpty ? e.code : e.message)
            }
            text += page.bytes
            if page.nextOffset == at || page.bytes.count < LogPage.maxBytes { break }
            at = page.nextOffset
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
