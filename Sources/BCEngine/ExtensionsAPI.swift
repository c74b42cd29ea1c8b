import BCAPI
import Foundation
import Hummingbird

/// `/bcops/…`: what bcplan and bcapply need beyond the BatchCompute API — the workspace's
/// lineage and state serial (stale plans are refused against it) and leased locks.
struct ExtensionsAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.getWorkspace) { _, context in
            Answer(WorkspaceState(try store.workspace(try context.parameters.require("name"))))
        }
        router.on(Routes.bumpSerial) { _, context in
            Answer(WorkspaceState(try store.bumpSerial(try context.parameters.require("name"))))
        }
        router.on(Routes.inventory) { request, _ in
            let q = APIServer.query(request)
            guard let workspace = q[QueryName.workspace], !workspace.isEmpty else { throw APIError.missing(QueryName.workspace) }
            return inventory(try store.inventory(workspace: workspace, since: q[QueryName.since].flatMap { $0.isEmpty ? nil : $0 }))
        }
        router.on(Routes.approve) { request, _ in
            let asked = try BodyDecoder.decode(Approval.self, from: try await APIServer.body(request))
            guard !asked.workspace.isEmpty, !asked.revision.isEmpty, !asked.digest.isEmpty else {
                throw APIError.invalid("Approval", "Workspace, Revision and Digest must not be empty")
            }
            let approval = EngineStore.Approval(workspace: asked.workspace, revision: asked.revision, digest: asked.digest,
                                                approvedBy: asked.approvedBy, created: Date())
            try store.approve(approval)
            return Answer(Approval(approval))
        }
        router.on(Routes.getApproval) { _, context in
            guard let a = try store.approval(workspace: try context.parameters.require("workspace"),
                                             revision: try context.parameters.require("revision")) else {
                throw APIError.notFound("approval")
            }
            return Answer(Approval(a))
        }
        router.on(Routes.events) { request, _ in
            let q = APIServer.query(request)
            let since = Int64(q[QueryName.since] ?? "") ?? 0
            let limit = min(Int(q[QueryName.maxItemCount] ?? "") ?? 100, 1000)
            let events = try store.events(since: since, limit: limit)
            return Answer(Page(items: events.map(EngineEvent.init), nextMarker: events.last.map { String($0.seq) } ?? ""))
        }
        router.on(Routes.jobCounts) { _, _ in
            let counts = try store.jobCounts()
            return Answer(JobCounts(jobs: StateCounts(stored: counts.jobs), activeJobInstances: StateCounts(stored: counts.activeJobInstances)))
        }
        router.on(Routes.jobLoad) { _, context in
            let job = try context.parameters.require("job")
            guard try store.job(job) != nil else { throw APIError.notFound("job \(job)") }
            return Answer(engine.loads.answer(job: job))
        }
        router.on(Routes.instanceLog) { request, context in
            try log(request, job: try context.parameters.require("job"), task: try context.parameters.require("task"),
                    index: try context.parameters.require("n"))
        }
        router.on(Routes.listLocks) { _, _ in
            Answer(Page(items: try store.locks().map(Lease.init)))
        }
        router.on(Routes.takeLock) { request, _ in
            let asked = try BodyDecoder.decode(LeaseRequest.self, from: try await APIServer.body(request))
            guard (1...3600).contains(asked.ttlSeconds) else { throw APIError.invalid("TTLSeconds", "must be 1 to 3600") }
            switch try store.acquireLock(workspace: asked.workspace, owner: asked.owner, operation: asked.operation, info: asked.info,
                                         ttl: Double(asked.ttlSeconds)) {
            case .acquired(let lease): return try Answer(Lease(lease), status: .created).response()
            case .held(let lease):
                let message = "The workspace is locked by \(lease.owner) (\(lease.operation)) until \(WireTime.format(lease.expires))."
                return try Answer(LeaseHeld(lease: Lease(lease), message: message), status: .conflict).response()
            }
        }
        router.on(Routes.renewLock) { request, context in
            let renewal = try BodyDecoder.decodeOpen(LeaseRenewal.self, from: try await APIServer.body(request))
            guard let lease = try store.renewLock(try context.parameters.require("id"), ttl: Double(renewal.ttlSeconds)) else {
                throw APIError(404, "LockExpired", "The lease is gone: it expired or was released.")
            }
            return Answer(Lease(lease))
        }
        router.on(Routes.releaseLock) { _, context in
            guard try store.releaseLock(try context.parameters.require("id")) else { throw APIError.notFound("lock") }
            return Answer(Empty())
        }
    }

    /// An instance's stdout or stderr from `Offset`: the live file while it runs, the OSS object
    /// afterwards; or its worker log (`worker`), one file in the data directory all along.
    /// `x-bcops-offset` is where to ask next; `x-bcops-complete` says the log ended.
    /// `Offset=-N` asks for the last N bytes (the dashboard shows a log's tail without reading
    /// all of it); `x-bcops-offset` is then the end, where a follower reads on.
    func log(_ request: Request, job: String, task: String, index: String) throws -> Response {
        let q = APIServer.query(request)
        let stream = q[QueryName.stream] ?? "stdout"
        guard LogStream.all.contains(stream) else { throw APIError.invalid(QueryName.stream, "stdout, stderr or worker") }
        let asked = q[QueryName.offset] ?? ""
        let tail = asked.hasPrefix("-") ? UInt64(asked.dropFirst()) : nil
        var offset = UInt64(asked) ?? 0
        guard let n = Int(index), let jobRow = try store.job(job),
              let (state, live) = try store.liveLogDirectory(jobId: job, task: task, index: n) else {
            throw APIError.notFound("instance \(job)/\(task)/\(index)")
        }
        let running = state == RunState.running.rawValue
        var path: String?
        if stream != LogStream.worker, running, let live { path = live + "/" + stream }
        if stream != LogStream.worker, !running, let prefix = JobDescription.taskParameters(jobRow.description, task: task)?[stream == "stdout" ? "StdoutRedirectPath" : "StderrRedirectPath"] as? String,
           !prefix.isEmpty {
            path = try engine.objects.path(of: prefix + "\(stream).\(job).\(task).\(n)")
        }
        var data = Data()
        if stream == LogStream.worker {
            let read = engine.workerLogs.read(job: job, task: task, index: n, from: offset, tail: tail, upTo: 1 << 20)
            (data, offset) = (Data(read.bytes), read.start)
        } else if let path, let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }  // read-only: closing cannot lose anything
            if let tail {
                let end = try handle.seekToEnd()
                offset = end > tail ? end - tail : 0
            }
            try handle.seek(toOffset: offset)
            data = try handle.read(upToCount: 1 << 20) ?? Data()
        } else if state != RunState.waiting.rawValue && !running {
            throw APIError.notFound("log of \(job)/\(task)/\(index): the task sets no \(stream == "stdout" ? "StdoutRedirectPath" : "StderrRedirectPath")")
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        let complete = (RunState(rawValue: state)?.isEnded ?? false) && data.count < 1 << 20
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8",
                                               .init(LogHeaders.offset)!: String(offset + UInt64(data.count)),
                                               .init(LogHeaders.complete)!: complete ? "true" : "false"],
                        body: .init(byteBuffer: buffer))
    }

    /// `InventoryAnswer`, written directly: the labels are already JSON text from SQLite.
    func inventory(_ read: EngineStore.InventoryRead) -> Response {
        typealias Key = BCAPI.InventoryItem.Key
        var out: [UInt8] = Array("{\"\(Key.items)\":[".utf8)
        out.reserveCapacity(read.items.count * 256)
        for (i, item) in read.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"\(Key.collection)\":\"\(item.collection)\",\"\(Key.id)\":".utf8)
            JSONWriter.writeString(item.id, into: &out)
            out += Array(",\"\(Key.revision)\":\(item.revision),\"\(Key.state)\":\"\(item.state)\",\"\(Key.message)\":".utf8)
            JSONWriter.writeString(item.message, into: &out)
            out += Array(",\"\(Key.labels)\":".utf8) + Array(item.labels.utf8)
            if let end = item.endTime {
                out += Array(",\"\(Key.endTime)\":".utf8)
                JSONWriter.writeString(WireTime.format(Date(timeIntervalSince1970: end)), into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out += Array("],\"\(Key.removed)\":[".utf8)
        for (i, gone) in read.removed.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"\(Key.collection)\":\"\(gone.collection)\",\"\(Key.id)\":".utf8)
            JSONWriter.writeString(gone.id, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out += Array("],\"\(Key.cursor)\":".utf8)
        JSONWriter.writeString(read.cursor, into: &out)
        out += Array(",\"\(Key.complete)\":\(read.complete)}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(out)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
