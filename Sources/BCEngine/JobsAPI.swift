import BCAPI
import Foundation
import Hummingbird

/// `/jobs`, `/jobs/{id}/tasks`, `/jobs/{id}/tasks/{task}/instances`.
struct JobsAPI {
    let engine: Engine
    var limits = EngineLimits()
    var store: EngineStore { engine.store }

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.createJob) { request, _ in try await create(request) }
        router.on(Routes.listJobs) { request, _ in try list(request) }
        router.on(Routes.getJob) { request, context in try get(request, id: try context.parameters.require("id")) }
        router.on(Routes.updateJob) { request, context in try await update(request, id: try context.parameters.require("id")) }
        router.on(Routes.deleteJob) { _, context in
            try store.deleteJob(try context.parameters.require("id"))
            engine.workerLogs.remove(job: try context.parameters.require("id"))  // its worker logs go with it
            engine.wakeup.raise()  // the scheduler drops what it kept of the job
            return Answer(Empty())
        }
        router.on(Routes.stopJob) { _, context in
            let id = try context.parameters.require("id")
            // Before the store says Stopped: the job's own instances may be using its key now.
            engine.endingJobs.insert(id, grace: limits.stopGrace)
            try store.transitionJob(id, from: [.waiting, .running], to: .stopped)
            engine.wakeup.raise()
            return Answer(Empty())
        }
        router.on(Routes.startJob) { _, context in
            try store.restartJob(try context.parameters.require("id"))
            engine.wakeup.raise()
            return Answer(Empty())
        }
        router.on(Routes.listTasks) { request, context in try tasks(request, jobId: try context.parameters.require("id")) }
        router.on(Routes.getTask) { _, context in
            let (job, task) = (try context.parameters.require("id"), try context.parameters.require("task"))
            guard let row = try store.tasks(of: try existingJob(job).id).first(where: { $0.name == task }) else {
                throw APIError.notFound("task \(task) of \(job)")
            }
            return Answer(TaskStatus(row, instanceCounts: try store.instanceCounts(of: job, task: row.name)))
        }
        router.on(Routes.listInstances) { request, context in
            try instances(request, jobId: try context.parameters.require("id"), task: try context.parameters.require("task"))
        }
        router.on(Routes.getInstance) { _, context in
            let job = try existingJob(try context.parameters.require("id"))
            let task = try context.parameters.require("task")
            guard let n = Int(try context.parameters.require("n")),
                  let row = try store.instances(of: job.id, task: task).first(where: { $0.index == n }) else {
                throw APIError.notFound("instance \(try context.parameters.require("n")) of task \(task) of \(job.id)")
            }
            return Answer(InstanceStatus(row, job: job.id, logs: TaskLogPaths(job: job, task: task)))
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
                                     token: q[QueryName.idempotentToken].flatMap { $0.isEmpty ? nil : $0 }, tasks: parsed.tasks,
                                     parent: JobCredentials.job(signing: request))
        engine.wakeup.raise()
        if q[QueryName.sync] != nil && parsed.type == "App" {
            return try await synchronous(id, outputs: JobDescription.appOutputs(body.object), timeout: parsed.timeout).response()
        }
        return try Answer(Created(id: id), status: .created).response()
    }

    /// `create_job(app_job, sync=True)`: the answer waits for the job to end and is the SDK's
    /// SynchronousInstance (`Outputs` must be present), plus the job's `Id`.
    func synchronous(_ id: String, outputs: [String: JSONValue], timeout: Int) async throws -> Answer<SynchronousJobResult> {
        let deadline = Date().addingTimeInterval(Double(timeout) + 60)
        var job = try existingJob(id)
        while !job.runState.isEnded {
            guard Date() < deadline else {
                throw APIError(504, "Timeout", "job \(id) did not end within its timeout of \(timeout) s; it goes on: read it with get_job")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
            guard let now = try store.job(id) else { break }  // AutoRelease deleted it: it finished
            job = now
        }
        let failed = job.runState != .finished
        return Answer(SynchronousJobResult(
            id: id, requestId: UUID().uuidString, startTime: WireTime.optional(job.startTime), endTime: WireTime.optional(job.endTime),
            outputs: failed ? [:] : outputs,
            error: InstanceStatus.Failure(code: failed ? "Job\(job.state)" : "", message: failed ? job.message : "")), status: .created)
    }

    // MARK: Read

    func existingJob(_ id: String) throws -> EngineStore.JobRow {
        guard let job = try store.job(id) else { throw StoreError.notFound(.job(id)) }
        return job
    }

    func list(_ request: Request) throws -> Answer<Page<JobStatus>> {
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        let query = try JobsAPI.jobQuery(q)
        let offset = try JobsAPI.offset(q)
        let (rows, next) = try store.jobs(after: marker, offset: offset, limit: limit, matching: query)
        let summaries = try store.summaries(of: rows.map(\.id))
        let total = try JobsAPI.withCount(q) ? try store.jobCount(matching: query) : nil
        return Answer(Page(items: rows.map { status(of: $0, summary: summaries[$0.id]) }, nextMarker: next, totalCount: total))
    }

    /// `OrderBy` (only `CreationTime`, the one order jobs have) and `IsReverse` (`True`/`False`).
    static func newestFirst(_ q: [String: String]) throws -> Bool {
        if let order = q[QueryName.orderBy], !order.isEmpty, order != "CreationTime" {
            throw APIError.invalid(QueryName.orderBy, "jobs can be ordered by CreationTime only, got \(order)")
        }
        switch q[QueryName.isReverse]?.lowercased() {
        case nil, "", "false": return false
        case "true": return true
        case let other?: throw APIError.invalid(QueryName.isReverse, "expected True or False, got \(other)")
        }
    }

    func get(_ request: Request, id: String) throws -> Response {
        let job = try existingJob(id)
        if APIServer.query(request)[QueryName.description] != nil {
            // The description as stored: already the JSON text the service returns.
            var buffer = ByteBuffer()
            buffer.writeString(job.description)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
        }
        return try Answer(status(of: job, summary: try store.summaries(of: [job.id])[job.id])).response()
    }

    func update(_ request: Request, id: String) async throws -> Answer<Empty> {
        let body = try await APIServer.body(request)
        // ChangeJobPriority's body is the job's `Priority` alone.
        try JSONBody.checkKnown(body.object, [JobKey.priority.rawValue], where: "")
        guard let priority = try JSONBody.int(body.object, JobKey.priority.rawValue, required: true), (0...1000).contains(priority) else {
            throw APIError.invalid(JobKey.priority.rawValue, "expected 0 to 1000")
        }
        try store.setPriority(id, priority)
        return Answer(Empty())
    }

    func tasks(_ request: Request, jobId: String) throws -> Answer<Page<TaskStatus>> {
        let job = try existingJob(jobId)
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        var rows = try store.tasks(of: job.id)
        if let state = q[QueryName.state], !state.isEmpty { rows = rows.filter { $0.state == state } }
        if let cluster = q[QueryName.clusterId], !cluster.isEmpty {
            rows = rows.filter { TaskPlan.clusterId(job.description, task: $0.name) == cluster }
        }
        if let marker, !marker.isEmpty { rows = Array(rows.drop { $0.name < marker }) }
        let page = try rows.prefix(limit).map { TaskStatus($0, instanceCounts: try store.instanceCounts(of: job.id, task: $0.name)) }
        return Answer(Page(items: page, nextMarker: rows.count > limit ? rows[limit].name : ""))
    }

    func instances(_ request: Request, jobId: String, task: String) throws -> Answer<Page<InstanceStatus>> {
        let job = try existingJob(jobId)
        let q = APIServer.query(request)
        let (marker, limit) = try APIServer.page(q)
        var rows = try store.instances(of: job.id, task: task)
        if let state = q[QueryName.state], !state.isEmpty { rows = rows.filter { $0.state == state } }
        if let marker, let start = Int(marker) { rows = rows.filter { $0.index >= start } }
        let logs = TaskLogPaths(job: job, task: task)
        return Answer(Page(items: rows.prefix(limit).map { InstanceStatus($0, job: job.id, logs: logs) },
                           nextMarker: rows.count > limit ? String(rows[limit].index) : ""))
    }

    func status(of job: EngineStore.JobRow, summary: (tasks: [EngineStore.TaskRow], counts: [String: Int])?) -> JobStatus {
        JobStatus(job, tasks: summary?.tasks ?? [], instanceCounts: summary?.counts ?? [:])
    }
}
