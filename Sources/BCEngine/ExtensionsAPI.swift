import BCAPI
import Foundation
import Hummingbird

/// `/bcops/…`: what bcplan and bcapply need beyond the BatchCompute API — the workspace's
/// lineage and state serial (stale plans are refused against it) and leased locks.
struct ExtensionsAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/bcops/workspaces/:name") { _, context in
            APIServer.json(workspaceJSON(try store.workspace(try context.parameters.require("name"))))
        }
        router.post("/bcops/workspaces/:name/serial") { _, context in
            APIServer.json(workspaceJSON(try store.bumpSerial(try context.parameters.require("name"))))
        }
        router.get("/bcops/inventory") { request, _ in
            let q = APIServer.query(request)
            guard let workspace = q["Workspace"], !workspace.isEmpty else { throw APIError.missing("Workspace") }
            return inventory(try store.inventory(workspace: workspace))
        }
        router.post("/bcops/approvals") { request, _ in
            let body = try await APIServer.body(request).object
            try JSONBody.checkKnown(body, ["Workspace", "Revision", "Digest", "ApprovedBy"], where: "")
            let approval = EngineStore.Approval(
                workspace: try JSONBody.string(body, "Workspace", required: true)!, revision: try JSONBody.string(body, "Revision", required: true)!,
                digest: try JSONBody.string(body, "Digest", required: true)!, approvedBy: try JSONBody.string(body, "ApprovedBy") ?? "",
                created: Date())
            guard !approval.workspace.isEmpty, !approval.revision.isEmpty, !approval.digest.isEmpty else {
                throw APIError.invalid("Approval", "Workspace, Revision and Digest must not be empty")
            }
            try store.approve(approval)
            return APIServer.json(approvalJSON(approval))
        }
        router.get("/bcops/approvals/:workspace/:revision") { _, context in
            guard let a = try store.approval(workspace: try context.parameters.require("workspace"),
                                             revision: try context.parameters.require("revision")) else {
                throw APIError.notFound("approval")
            }
            return APIServer.json(approvalJSON(a))
        }
        router.get("/bcops/events") { request, _ in
            let q = APIServer.query(request)
            let since = Int64(q["Since"] ?? "") ?? 0
            let limit = min(Int(q["MaxItemCount"] ?? "") ?? 100, 1000)
            let events = try store.events(since: since, limit: limit)
            return APIServer.json([
                "Items": events.map { ["Seq": $0.seq, "Time": WireTime.format($0.time), "Kind": $0.kind, "Resource": $0.resource, "Detail": $0.detail] },
                "NextMarker": events.last.map { String($0.seq) } ?? "",
            ])
        }
        router.get("/bcops/logs/:job/:task/:n") { request, context in
            try log(request, job: try context.parameters.require("job"), task: try context.parameters.require("task"),
                    index: try context.parameters.require("n"))
        }
        router.get("/bcops/locks") { _, _ in
            APIServer.json(["Items": try store.locks().map(leaseJSON), "NextMarker": ""])
        }
        router.post("/bcops/locks") { request, _ in
            let o = try await APIServer.body(request).object
            try JSONBody.checkKnown(o, ["Workspace", "Owner", "Operation", "Info", "TTLSeconds"], where: "")
            let ttl = try JSONBody.int(o, "TTLSeconds") ?? 60
            guard (1...3600).contains(ttl) else { throw APIError.invalid("TTLSeconds", "must be 1 to 3600") }
            switch try store.acquireLock(workspace: try JSONBody.string(o, "Workspace", required: true)!,
                                         owner: try JSONBody.string(o, "Owner", required: true)!,
                                         operation: try JSONBody.string(o, "Operation") ?? "",
                                         info: try JSONBody.string(o, "Info") ?? "", ttl: Double(ttl)) {
            case .acquired(let lease): return APIServer.json(leaseJSON(lease), status: .created)
            case .held(let lease):
                var body = leaseJSON(lease)
                body["Code"] = "LockHeld"
                body["Message"] = "The workspace is locked by \(lease.owner) (\(lease.operation)) until \(WireTime.format(lease.expires))."
                return APIServer.json(body, status: .conflict)
            }
        }
        router.put("/bcops/locks/:id") { request, context in
            let o = try await APIServer.body(request).object
            let ttl = try JSONBody.int(o, "TTLSeconds") ?? 60
            guard let lease = try store.renewLock(try context.parameters.require("id"), ttl: Double(ttl)) else {
                throw APIError(404, "LockExpired", "The lease is gone: it expired or was released.")
            }
            return APIServer.json(leaseJSON(lease))
        }
        router.delete("/bcops/locks/:id") { _, context in
            guard try store.releaseLock(try context.parameters.require("id")) else { throw APIError.notFound("lock") }
            return APIServer.json([:] as [String: Any])
        }
    }

    /// An instance's stdout or stderr from `Offset`: the live file while it runs, the OSS object
    /// afterwards. `x-bcops-offset` is where to ask next; `x-bcops-complete` says the log ended.
    func log(_ request: Request, job: String, task: String, index: String) throws -> Response {
        let q = APIServer.query(request)
        let stream = q["Stream"] ?? "stdout"
        guard stream == "stdout" || stream == "stderr" else { throw APIError.invalid("Stream", "stdout or stderr") }
        let offset = UInt64(q["Offset"] ?? "") ?? 0
        guard let n = Int(index), let jobRow = try store.job(job),
              let (state, live) = try store.liveLogDirectory(jobId: job, task: task, index: n) else {
            throw APIError.notFound("instance \(job)/\(task)/\(index)")
        }
        let running = state == "Running"
        var path: String?
        if running, let live { path = live + "/" + stream }
        if !running, let prefix = JobDescription.taskParameters(jobRow.description, task: task)?[stream == "stdout" ? "StdoutRedirectPath" : "StderrRedirectPath"] as? String,
           !prefix.isEmpty {
            path = try engine.objects.path(of: prefix + "\(stream).\(job).\(task).\(n)")
        }
        var data = Data()
        if let path, let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            try handle.seek(toOffset: offset)
            data = try handle.read(upToCount: 1 << 20) ?? Data()
        } else if state != "Waiting" && !running {
            throw APIError.notFound("log of \(job)/\(task)/\(index): the task sets no \(stream == "stdout" ? "StdoutRedirectPath" : "StderrRedirectPath")")
        }
        var buffer = ByteBuffer()
        buffer.writeBytes(data)
        let complete = ["Finished", "Failed", "Stopped"].contains(state) && data.count < 1 << 20
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8",
                                               .init("x-bcops-offset")!: String(offset + UInt64(data.count)),
                                               .init("x-bcops-complete")!: complete ? "true" : "false"],
                        body: .init(byteBuffer: buffer))
    }

    /// `{"Items":[{Collection, Id, Revision, State, Message, Labels}]}`, written directly: the
    /// labels are already JSON text from SQLite.
    func inventory(_ items: [EngineStore.InventoryItem]) -> Response {
        var out: [UInt8] = Array("{\"Items\":[".utf8)
        out.reserveCapacity(items.count * 256)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array("{\"Collection\":\"\(item.collection)\",\"Id\":".utf8)
            JSONWriter.writeString(item.id, into: &out)
            out += Array(",\"Revision\":\(item.revision),\"State\":\"\(item.state)\",\"Message\":".utf8)
            JSONWriter.writeString(item.message, into: &out)
            out += Array(",\"Labels\":".utf8) + Array(item.labels.utf8) + [UInt8(ascii: "}")]
        }
        out += Array("],\"NextMarker\":\"\"}".utf8)
        var buffer = ByteBuffer()
        buffer.writeBytes(out)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    func workspaceJSON(_ w: EngineStore.WorkspaceState) -> [String: Any] {
        ["Workspace": w.name, "Lineage": w.lineage, "Serial": w.serial]
    }

    func approvalJSON(_ a: EngineStore.Approval) -> [String: Any] {
        ["Workspace": a.workspace, "Revision": a.revision, "Digest": a.digest, "ApprovedBy": a.approvedBy, "CreationTime": WireTime.format(a.created)]
    }

    func leaseJSON(_ l: EngineStore.Lease) -> [String: Any] {
        ["Id": l.id, "Workspace": l.workspace, "Owner": l.owner, "Operation": l.operation, "Info": l.info,
         "CreationTime": WireTime.format(l.created), "ExpireTime": WireTime.format(l.expires)]
    }
}
