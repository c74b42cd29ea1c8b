import BCAPI

/// The outcome of asking for a workspace lock: taken, or held by someone else (who, and until
/// when). Both are answers, not errors: a caller waits and asks again on `held`.
public enum LockAttempt: Sendable, Equatable {
    case taken(Lease)
    case held(LeaseHeld)
}

/// bcops' leased workspace locks.
extension BatchComputeClient {
    public func takeLock(_ request: LeaseRequest) async throws -> LockAttempt {
        let response = try await exchange(Routes.takeLock, [], query: [], body: try Self.json(request))
        switch response.status {
        case 200..<300: return .taken(try Self.decode(Lease.self, response, route: Routes.takeLock))
        case 409: return .held(try Self.decode(LeaseHeld.self, response, route: Routes.takeLock))
        default: throw Self.error(from: response)
        }
    }

    /// Extends the lease by `ttlSeconds` from now; a lease that expired or was released answers 404.
    @discardableResult
    public func renewLock(_ id: String, ttlSeconds: Int) async throws -> Lease {
        try await call(Routes.renewLock, id, body: try Self.json(LeaseRenewal(ttlSeconds: ttlSeconds)))
    }

    public func releaseLock(_ id: String) async throws {
        try await perform(Routes.releaseLock, id)
    }

    /// Every lease held now.
    public func locks() async throws -> [Lease] {
        let page: Page<Lease> = try await call(Routes.listLocks)
        return page.items
    }
}
