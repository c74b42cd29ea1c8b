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

    func workspaceJSON(_ w: EngineStore.WorkspaceState) -> [String: Any] {
        ["Workspace": w.name, "Lineage": w.lineage, "Serial": w.serial]
    }

    func leaseJSON(_ l: EngineStore.Lease) -> [String: Any] {
        ["Id": l.id, "Workspace": l.workspace, "Owner": l.owner, "Operation": l.operation, "Info": l.info,
         "CreationTime": WireTime.format(l.created), "ExpireTime": WireTime.format(l.expires)]
    }
}
