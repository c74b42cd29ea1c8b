import BCAPI
import BCJSON

/// Apps and their revisions, as the contract types them.
extension BatchComputeClient {
    public func app(_ name: String) async throws -> AppStatus {
        try await call(Routes.getApp, name)
    }

    /// The app's revisions, oldest first (`GetApp?Revisions`).
    public func appRevisions(_ name: String) async throws -> [AppRevision] {
        let page: Page<AppRevision> = try await call(Routes.getApp, name, query: [(QueryName.revisions, "")])
        return page.items
    }

    /// One page of apps, only those carrying `labels` when given.
    public func apps(_ page: PageQuery = PageQuery(), labels: [String: String] = [:]) async throws -> Page<AppStatus> {
        try await self.page(Routes.listApps, [], page, query: Self.selector(labels))
    }

    public func allApps(labels: [String: String] = [:], pageSize: Int = 1000) async throws -> [AppStatus] {
        try await all(Routes.listApps, query: Self.selector(labels), pageSize: pageSize)
    }

    /// Creates an app from its description (JSON: the planner's lowered body).
    public func createApp(_ description: JSONValue, idempotentToken: String? = nil) async throws -> CreatedApp {
        try await call(Routes.createApp, query: Self.token(idempotentToken), body: description)
    }

    /// A new revision of the app: its whole description.
    public func modifyApp(_ name: String, _ description: JSONValue) async throws {
        try await perform(Routes.modifyApp, name, body: description)
    }

    public func deleteApp(_ name: String) async throws {
        try await perform(Routes.deleteApp, name)
    }
}
