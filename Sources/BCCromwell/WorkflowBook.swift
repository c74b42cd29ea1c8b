import BCAPI
import BCClient
import BCModel
import BCPlan
import BCRenderClient
import Foundation
import Logging

/// Every workflow submitted through the Cromwell API, and the one place that decides when each
/// runs: held workflows wait for `releaseHold`, the others are launched in submission order
/// while fewer than `maxConcurrent` of them have a runner job that waits or runs (Cromwell's
/// `system.max-concurrent-workflows`); the rest stay `Submitted`.
///
/// Its records live on OSS through the engine's API, one object per workflow under
/// `<root bucket>/bcops/cromwell/workflows/`, each written before the change it records is
/// answered or acted on, and read back whole at start: the front-end keeps no file of its own
/// and a killed one resumes where it was. A runner job is created with the workflow's id in
/// its idempotency token, so launching again after a crash finds the job the first attempt
/// made instead of making a second.
actor WorkflowBook {
    let client: BatchComputeClient
    let oss: OSSClient
    let settings: CromwellSettings
    let logger: Logger
    private(set) var records: [String: WorkflowRecord] = [:]
    /// Runner jobs known to have ended (their state), so a pass asks only about the others.
    private var ended: [String: JobState] = [:]
    private var nextSequence = 0
    /// The last write of each record, which the next one waits for.
    private var writes: [String: Task<Void, Error>] = [:]
    private var passing = false
    private var passAgain = false

    init(client: BatchComputeClient, settings: CromwellSettings, logger: Logger) {
        self.client = client
        self.oss = OSSClient(client)
        self.settings = settings
        self.logger = logger
    }

    var recordsPrefix: String { "oss://\(settings.bucket)/bcops/cromwell/workflows/" }

    /// Reads every record back (a restart), and adopts runner jobs a killed front-end created
    /// but did not get to record.
    func load() async throws {
        let urls: [String]
        do { urls = try await oss.list(recordsPrefix) } catch let e as APIError where e.status == 404 { urls = [] }  // no bucket yet: none
        for url in urls where url.hasSuffix(".json") {
            let record = try JSONDecoder().decode(WorkflowRecord.self, from: Data(try await oss.get(url)))
            records[record.id] = record
            nextSequence = max(nextSequence, record.sequence + 1)
        }
        let queued = records.values.filter { $0.phase == .queued }
        if !queued.isEmpty {
            let named = try await client.allJobs(JobFilter(states: [], nameContains: WorkflowRunReader.cromwellJobPrefix, appName: CromwellApp.jobAppName))
            let byName = Dictionary(named.map { ($0.name, $0.id) }, uniquingKeysWith: { a, _ in a })
            for var r in queued {
                guard let job = byName[r.jobName] else { continue }
                r.phase = .launched
                r.jobId = job
                try await save(r)
            }
        }
    }

    func record(_ id: String) throws(CromwellFailure) -> WorkflowRecord {
        guard UUID(uuidString: id) != nil else { throw .invalidId(id) }
        guard let r = records[id.lowercased()] else { throw .unknown(id) }
        return r
    }

    func contains(_ id: String) -> Bool { records[id.lowercased()] != nil }

    /// Records a new workflow (durably) and lets the queue take it.
    func add(_ record: WorkflowRecord) async throws -> WorkflowRecord {
        guard records[record.id] == nil else { throw CromwellFailure.badRequest("Error(s): Workflow ID \(record.id) is already in use") }
        var r = record
        r.sequence = nextSequence
        nextSequence += 1
        try await save(r)
        kick()
        return r
    }

    /// Records a change and returns once it is on OSS. The change is made here at once (what
    /// the caller read and changed, with no suspension between), and the writes of one record
    /// are chained: each writes the record as it is when its turn comes, so a later change
    /// is never overwritten on OSS by an earlier one that was slower to arrive.
    func save(_ record: WorkflowRecord) async throws {
        records[record.id] = record
        let id = record.id, previous = writes[id]
        let write = Task {
            _ = await previous?.result
            try await self.write(id)
        }
        writes[id] = write
        try await write.value
    }

    private func write(_ id: String) async throws {
        guard let record = records[id] else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try await oss.put(Array(try encoder.encode(record)), at: recordsPrefix + id + ".json")
    }

    /// The runner job's state when it has one: read fresh for one workflow's answer.
    func jobState(_ record: WorkflowRecord) async throws -> JobStatus? {
        guard let job = record.jobId else { return nil }
        let status: JobStatus
        do { status = try await client.job(job) } catch let e as APIError where e.status == 404 {
            throw CromwellFailure(.internalServerError, "workflow \(record.id): its runner job \(job) was deleted from the engine")
        }
        if status.state.isEnded { ended[job] = status.state }
        return status
    }

    func status(_ record: WorkflowRecord) async throws -> WorkflowStatus {
        WorkflowStatus.of(record, job: try await jobState(record)?.state)
    }

    // MARK: Changes a client asks for

    func releaseHold(_ id: String) async throws -> WorkflowRecord {
        var r = try record(id)
        guard r.phase == .onHold else {
            throw CromwellFailure(.forbidden, "Couldn't change status of workflow \(r.id) to 'Submitted' because the workflow is not in 'On Hold' state")
        }
        r.phase = .queued
        try await save(r)
        kick()
        return r
    }

    /// Held or queued: aborted at once, it never runs. Launched: its runner job is stopped (the
    /// runner stops its calls and says `Aborted`), and it is `Aborting` until the job has ended.
    func abort(_ id: String) async throws -> WorkflowStatus {
        var r = try record(id)
        switch r.phase {
        case .onHold, .queued:
            r.phase = .abortedBeforeLaunch
            r.end = WireTime.format(Date())
            try await save(r)
            return .aborted
        case .abortedBeforeLaunch:
            throw CromwellFailure(.forbidden, "Couldn't abort \(r.id) because workflow is in terminal state Aborted")
        case .launched:
            let now = try await status(r)
            if now.isTerminal { throw CromwellFailure(.forbidden, "Couldn't abort \(r.id) because workflow is in terminal state \(now.rawValue)") }
            r = records[r.id] ?? r  // as it is now: other changes may have come while the job was read
            r.abortRequested = true
            try await save(r)
            do { try await client.stopJob(r.jobId!) } catch let e as APIError where e.status == 409 {}
            return .aborting
        }
    }

    func setLabels(_ id: String, _ labels: [String: String]) async throws -> WorkflowRecord {
        var r = try record(id)
        r.labels.merge(labels) { _, new in new }
        try await save(r)
        return r
    }

    // MARK: The queue

    /// Asks for a pass soon; passes never overlap, and one asked for during a pass runs after it.
    nonisolated func kick() {
        Task { await self.pass() }
    }

    /// Launches queued workflows while fewer than the limit are active. Runs on every change and
    /// every `settings.pollInterval`, so a workflow that ended frees its place within that.
    func pass() async {
        if passing { passAgain = true; return }
        passing = true
        defer { passing = false }
        repeat {
            passAgain = false
            do { try await launchWhatFits() } catch { logger.warning("cromwell: queue pass failed: \(error)") }
        } while passAgain
    }

    private func launchWhatFits() async throws {
        let launched = records.values.filter { $0.phase == .launched && $0.jobId.map { ended[$0] == nil } ?? false }
        var active = launched.count
        if !launched.isEmpty {
            // One list for all of them: the runner jobs still waiting or running.
            let live = Set(try await client.allJobs(JobFilter(states: [.waiting, .running], appName: CromwellApp.jobAppName)).map(\.id))
            for r in launched where !live.contains(r.jobId!) {
                let state: JobState
                do { state = try await client.job(r.jobId!).state } catch let e as APIError where e.status == 404 {
                    state = .stopped  // deleted behind our back (bcs, the dashboard): it holds no place
                }
                if state.isEnded { ended[r.jobId!] = state; active -= 1 }
            }
        }
        let queued = records.values.filter { $0.phase == .queued }.sorted { $0.sequence < $1.sequence }
        for r in queued where active < settings.maxConcurrentWorkflows {
            try await launch(r)
            active += 1
        }
    }

    /// Creates the runner job, the same job a WorkflowRun manifest's apply creates.
    private func launch(_ record: WorkflowRecord) async throws {
        guard records[record.id]?.phase == .queued else { return }  // aborted since the pass read the queue
        var spec = WorkflowRunSpec(workflow: record.workflow, outputsDir: record.outputsDir)
        spec.workingDir = record.workingDir
        spec.description = "Cromwell API workflow \(record.id)"
        var bundle = WorkflowBundle(workflow: record.workflow, inputs: record.inputs, options: record.options, staged: [])
        bundle.workflowName = record.workflowName
        let body = try WorkflowRunJob.body(spec, name: record.jobName, bundle: bundle, runId: record.id,
                                           labels: [CromwellSettings.idLabel: record.id])
        let created = try await client.createJob(body, idempotentToken: record.jobName)
        var r = records[record.id] ?? record  // as it is now: labels may have changed meanwhile
        let abortedMeanwhile = r.phase == .abortedBeforeLaunch
        r.phase = .launched
        r.jobId = created.id
        r.abortRequested = r.abortRequested || abortedMeanwhile
        try await save(r)
        if abortedMeanwhile { do { try await client.stopJob(created.id) } catch let e as APIError where e.status == 409 {} }
        logger.info("cromwell: workflow \(r.id) launched as \(created.id)")
    }
}

extension WorkflowBook {
    /// Every workflow with its runner job's state, for a query: one list of the runner jobs.
    func snapshot() async throws -> [(record: WorkflowRecord, job: JobStatus?)] {
        let launched = records.values.contains { $0.jobId != nil }
        var jobs: [String: JobStatus] = [:]
        if launched {
            for job in try await client.allJobs(JobFilter(states: [], appName: CromwellApp.jobAppName)) { jobs[job.id] = job }
        }
        return records.values.sorted { $0.sequence < $1.sequence }.map { ($0, $0.jobId.flatMap { jobs[$0] }) }
    }
}
