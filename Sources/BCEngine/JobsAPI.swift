import BCAPI
import Foundation
import Hummingbird

/// `/jobs`, `/jobs/{id}/tasks`, `/jobs/{id}/tasks/{task}/instances`.
struct JobsAPI {
    let engine: Engine
    var limits = EngineLimits()
    var store: EngineStore { engine.store }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/jobs") { request, _ in try await create(request) }
        router.get("/jobs") { request, _ in try list(request) }
        router.get("/jobs/:id") { request, context in try get(request, id: try context.parameters.require("id")) }
        router.put("/jobs/:id") { request, context in try await update(request, id: try context.parameters.require("id")) }
        router.delete("/jobs/:id") { _, context in
            try store.deleteJob(try context.parameters.require("id"))
            return APIServer.json([:] as [String: Any])
        }
        router.post("/jobs/:id/stop") { _, context in
            try store.transitionJob(try context.parameters.require("id"), from: ["Waiting", "Running"], to: "Stopped")
            await engine.wakeup.raise()
            return APIServer.json([:] as [String: Any])
        }
        router.post("/jobs/:id/start") { _, context in
            try store.restartJob(try context.parameters.require("id"))
            await engine.wakeup.raise()
            return APIServer.json([:] as [String: Any])
        }
        router.get("/jobs/:id/tasks") { request, context in try tasks(request, jobId: try context.parameters.require("id")) }
        router.get("/jobs/:id/tasks/:task") { _, context in
            let (job, task) = (try context.parameters.require("id"), try context.parameters.require("task"))
            guard let row = try store.tasks(of: try existingJob(job).id).first(where: { $0.name == task }) else {
                throw APIError.notFound("task \(task) of \(job)")
            }
            return APIServer.json(try taskJSON(row, jobId: job))
        }
        router.get("/jobs/:id/tasks/:task/instances") { request, context in
            try instances(request, jobId: try context.parameters.require("id"), task: try context.parameters.require("task"))
        }
        router.get("/jobs/:id/tasks/:task/instances/:n") { _, context in
            let job = try existingJob(try context.parameters.require("id"))
            let task = try context.parameters.require("task")
            guard let n = Int(try context.parameters.require("n")),
                  let row = try store.instances(of: job.id, task: task).first(where: { $0.index == n }) else {
                throw APIError.notFound("instance \(try context.parameters.require("n")) of task \(task) of \(job.id)")
            }
            return APIServer.json(instanceJSON(row, job: job))
        }
    }

    // MARK: Create

    func create(_ request: Request) async throws -> Response {
        let body = try await APIServer.body(request)
        let q = APIServer.query(request)
        let parsed = try JobDescription(body.object, engine: engine)
        let instances = parsed.tasks.reduce(0) { $0 + $1.instances }
        guard instances <= limits.maxInstancesPerJob else {
            throw APIError(403, "QuotaExhausted", "The InstanceCountPerJob (\(limits.maxInstancesPerJob)) quota is exhausted: "
                           + "the job asks for \(instances) instances. Split it into several jobs, or start the engine with a "
                           + "larger --max-instances-per-job.")
        }
        let description = String(decoding: JSONBody.serialize(JobDescription.normalized(body.object)), as: UTF8.self)
        let id = try await store.createJob(name: parsed.name, type: parsed.type, priority: parsed.priority, description: description,
                                     token: q["IdempotentToken"].flatMap { $0.isEmpty ? nil : $0 }, tasks: parsed.tasks)
        await engine.wakeup.raise()
        if q["sync"] != nil && parsed.type == "App" {
            return try await synchronous(id, outputs: ((body.object["App"] as? [String: Any])?["Outputs"] as? [String: Any]) ?? [:],
                                         timeout: parsed.timeout)
        }
        return APIServer.json(["Id": id], status: .created)
    }

    /// `create_job(app_job, sync=True)`: the answer waits for the job to end and is the SDK's
    /// SynchronousInstance (`Outputs` must be present), plus the job's `Id`.
    func synchronous(_ id: String, outputs: [String: Any], timeout: Int) async throws -> Response {
        let deadline = Date().addingTimeInterval(Double(timeout) + 60)
        var job = try existingJob(id)
        while !["Finished", "Failed", "Stopped"].contains(job.state) {
            guard Date() < deadline else {
                throw APIError(504, "Timeout", "job \(id) did not end within its timeout of \(timeout) s; it goes on: read it with get_job")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
            guard let now = try store.job(id) else { break }  // AutoRelease deleted it: it finished
            job = now
        }
        let failed = job.state != "Finished"
        return APIServer.json([
            "Id": id, "RequestId": UUID().uuidString,
            "StartTime": APIServer.time(job.startTime), "EndTime": APIServer.time(job.endTime),
            "Outputs": failed ? [:] : outputs,
            "Error": ["Code": failed ? "Job\(job.state)" : "", "Message": failed ? job.message : ""],
        ] as [String: Any], status: .created)
    }

    // MARK: Read

    func existingJob(_ id: String) throws -> EngineStore.JobRow {
        guard let job = try store.job(id) else { throw APIError.notFound("job \(id)") }
        return job
    }

    func list(_ request: Request) throws -> Response {
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        let (rows, next) = try store.jobs(after: marker, limit: limit, state: q["State"], cluster: q["ClusterId"],
                                                labels: try APIServer.labels(q), newestFirst: try JobsAPI.newestFirst(q))
        let summaries = try store.summaries(of: rows.map(\.id))
        return APIServer.json(["Items": rows.map { jobJSON($0, summary: summaries[$0.id]) }, "NextMarker": next])
    }

    /// `OrderBy` (only `CreationTime`, the one order jobs have) and `IsReverse` (`True`/`False`).
    static func newestFirst(_ q: [String: String]) throws -> Bool {
        if let order = q["OrderBy"], !order.isEmpty, order != "CreationTime" {
            throw APIError.invalid("OrderBy", "jobs can be ordered by CreationTime only, got \(order)")
        }
        switch q["IsReverse"]?.lowercased() {
        case nil, "", "false": return false
        case "true": return true
        case let other?: throw APIError.invalid("IsReverse", "expected True or False, got \(other)")
        }
    }

    func get(_ request: Request, id: String) throws -> Response {
        let job = try existingJob(id)
        if APIServer.query(request)["description"] != nil {
            var buffer = ByteBuffer()
            buffer.writeString(job.description)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        return APIServer.json(try jobJSON(job))
    }

    func update(_ request: Request, id: String) async throws -> Response {
        let body = try await APIServer.body(request)
        try JSONBody.checkKnown(body.object, ["Priority"], where: "")
        guard let priority = try JSONBody.int(body.object, "Priority", required: true), (0...1000).contains(priority) else {
            throw APIError.invalid("Priority", "expected 0 to 1000")
        }
        try store.setPriority(id, priority)
        return APIServer.json([:] as [String: Any])
    }

    func tasks(_ request: Request, jobId: String) throws -> Response {
        let job = try existingJob(jobId)
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        var rows = try store.tasks(of: job.id)
        if let state = q["State"], !state.isEmpty { rows = rows.filter { $0.state == state } }
        if let cluster = q["ClusterId"], !cluster.isEmpty {
            rows = rows.filter { TaskPlan.clusterId(job.description, task: $0.name) == cluster }
        }
        if let marker, !marker.isEmpty { rows = Array(rows.drop { $0.name < marker }) }
        let page = Array(rows.prefix(limit))
        return APIServer.json(["Items": try page.map { try taskJSON($0, jobId: job.id) },
                               "NextMarker": rows.count > limit ? rows[limit].name : ""])
    }

    func instances(_ request: Request, jobId: String, task: String) throws -> Response {
        let job = try existingJob(jobId)
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        var rows = try store.instances(of: job.id, task: task)
        if let state = q["State"], !state.isEmpty { rows = rows.filter { $0.state == state } }
        if let marker, let start = Int(marker) { rows = rows.filter { $0.index >= start } }
        let page = Array(rows.prefix(limit))
        return APIServer.json(["Items": page.map { instanceJSON($0, job: job) },
                               "NextMarker": rows.count > limit ? String(rows[limit].index) : ""])
    }

    // MARK: Rendering

    static let states = ["Waiting", "Running", "Finished", "Failed", "Stopped"]

    static func metrics(_ states: [String]) -> [String: Any] {
        var out: [String: Any] = [:]
        for s in JobsAPI.states { out["\(s)Count"] = states.filter { $0 == s }.count }
        return out
    }

    static func metrics(counts: [String: Int]) -> [String: Any] {
        var out: [String: Any] = [:]
        for s in JobsAPI.states { out["\(s)Count"] = counts[s] ?? 0 }
        return out
    }

    func jobJSON(_ job: EngineStore.JobRow) throws -> [String: Any] {
        jobJSON(job, summary: try store.summaries(of: [job.id])[job.id])
    }

    func jobJSON(_ job: EngineStore.JobRow, summary: (tasks: [EngineStore.TaskRow], counts: [String: Int])?) -> [String: Any] {
        let tasks = summary?.tasks ?? []
        let labels = ((try? JSONBody.parse(Data(job.description.utf8)))?.object["Labels"] as? [String: Any]) ?? [:]
        return [
            "Labels": labels,
            "Id": job.id, "Name": job.name, "Priority": job.priority, "Owner": "", "State": job.state, "Message": job.message,
            "CreationTime": APIServer.time(job.creationTime), "StartTime": APIServer.time(job.startTime), "EndTime": APIServer.time(job.endTime),
            "TaskMetrics": JobsAPI.metrics(tasks.map(\.state)), "InstanceMetrics": JobsAPI.metrics(counts: summary?.counts ?? [:]),
        ]
    }

    func taskJSON(_ task: EngineStore.TaskRow, jobId: String) throws -> [String: Any] {
        [
            "TaskName": task.name, "State": task.state,
            "StartTime": APIServer.time(task.startTime), "EndTime": APIServer.time(task.endTime),
            "InstanceMetrics": JobsAPI.metrics(counts: try store.instanceCounts(of: jobId, task: task.name)),
        ]
    }

    /// Log paths as clients expect them: `<dir>stdout.<job>.<task>.<n>`.
    func instanceJSON(_ i: EngineStore.InstanceRow, job: EngineStore.JobRow) -> [String: Any] {
        let params = JobDescription.taskParameters(job.description, task: i.task)
        func log(_ kind: String, _ dir: String?) -> String {
            guard let dir, !dir.isEmpty else { return "" }
            return dir + "\(kind).\(job.id).\(i.task).\(i.index)"
        }
        return [
            "InstanceId": i.index, "State": i.state, "RetryCount": i.retryCount, "Progress": i.state == "Finished" ? 100 : 0,
            "StartTime": APIServer.time(i.startTime), "EndTime": APIServer.time(i.endTime),
            "StdoutRedirectPath": log("stdout", params?["StdoutRedirectPath"] as? String),
            "StderrRedirectPath": log("stderr", params?["StderrRedirectPath"] as? String),
            "Result": ["ExitCode": i.exitCode ?? 0, "ErrorCode": i.errorCode, "ErrorMessage": i.errorMessage, "Detail": ""] as [String: Any],
            "Error": ["Code": i.errorCode, "Message": i.errorMessage],
            "Outputs": [:] as [String: Any], "NodeIp": "",
        ]
    }
}
