import BCAPI

/// bcops' workspace routes: lineage and serial, plan approvals, the event feed, the inventory.
extension BatchComputeClient {
    /// The workspace's lineage and serial (a first read fixes its lineage).
    public func workspace(_ name: String) async throws -> WorkspaceState {
        try await call(Routes.getWorkspace, name)
    }

    /// Moves the workspace's serial on after an apply, so plans made before it are stale.
    public func bumpSerial(_ name: String) async throws -> WorkspaceState {
        try await call(Routes.bumpSerial, name)
    }

    /// Records a reviewed plan's digest for a revision.
    @discardableResult
    public func approve(_ approval: Approval) async throws -> Approval {
        try await call(Routes.approve, body: try Self.json(approval))
    }

    /// The approval of `revision` in `workspace`, or nil when none was given.
    public func approval(workspace: String, revision: String) async throws -> Approval? {
        do {
            return try await call(Routes.getApproval, workspace, revision)
        } catch let error as APIError where error.status == 404 {
            return nil
        }
    }

    /// Events after sequence number `since`, oldest first; the page's marker is the last one's.
    public func events(since: Int64 = 0, maxItemCount: Int = 100) async throws -> Page<EngineEvent> {
        try await call(Routes.events, query: [(QueryName.since, String(since))] + PageQuery(maxItemCount: maxItemCount).items)
    }

    /// The workspace's inventory as the engine wrote it: the planner reads these bytes with its
    /// own fast reader (`InventoryReader`), so they are not decoded here.
    public func inventory(workspace: String) async throws -> [UInt8] {
        let response = try await exchange(Routes.inventory, [], query: [(QueryName.workspace, workspace)], body: nil)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return response.body
    }
}
