import Foundation

/// The workspace lock, held for the length of a scope and given back on every way out of it:
/// a return, a throw, or the task being cancelled. Callers never release it by hand, so no
/// early exit can forget to (bcapply once released it on nine paths, and missed one).
public enum LockScope {
    /// Takes the lock, runs `body` holding it, releases it.
    /// - Parameter take: takes the lock; nil when the command runs without one (`-lock=false`).
    public static func holding<T>(take: @escaping @Sendable () async throws -> WorkspaceLock?,
                                  _ body: (WorkspaceLock?) async throws -> T) async throws -> T {
        try await holding(take: take, thenRead: {}) { lease in
            try await body(try await lease.held().lock)
        } afterwards: { $0 }
    }

    /// Takes the lock in the background and then reads `read` under it, while `body` does
    /// what needs no lock yet (bcplan loads the manifests meanwhile); `body` waits for both
    /// with `lease.held()`. When `body` ends the lock is released, and `afterwards` runs on
    /// what `body` returned while the release is on its way: bcplan gives the lock back as
    /// soon as the live state is read, and diffs meanwhile.
    public static func holding<Read: Sendable, Held, T>(
        take: @escaping @Sendable () async throws -> WorkspaceLock?,
        thenRead read: @escaping @Sendable () async throws -> Read,
        _ body: (Lease<Read>) async throws -> Held,
        afterwards: (Held) async throws -> T
    ) async throws -> T {
        let locking = Task { try await take() }
        let reading = Task {
            _ = try await locking.value
            return try await read()
        }
        let lease = Lease(reading: reading, locking: locking)
        // Cancelling the scope cancels taking the lock (its retries sleep); a lock already
        // taken is still given back below.
        let held: Held
        do {
            held = try await withTaskCancellationHandler {
                try await body(lease)
            } onCancel: {
                locking.cancel()
                reading.cancel()
            }
        } catch {
            await lease.close()
            throw error
        }
        async let closed: Void = lease.close()
        do {
            let value = try await afterwards(held)
            await closed
            return value
        } catch {
            await closed
            throw error
        }
    }

    /// The lock being taken, and what is read under it, for the scope's body.
    public struct Lease<Read: Sendable>: Sendable {
        let reading: Task<Read, Error>
        let locking: Task<WorkspaceLock?, Error>

        /// Waits for the lock and the reads; throws what taking or reading threw.
        public func held() async throws -> (lock: WorkspaceLock?, read: Read) {
            let read = try await reading.value
            return (try await locking.value, read)
        }

        /// Lets what was read under the lock finish, then gives the lock back if it was taken.
        func close() async {
            // The body reported whatever taking or reading threw, or never needed it (it
            // failed first): nothing here is left to report.
            _ = try? await reading.value
            guard let lock = try? await locking.value else { return }
            // Released from a task of its own: a cancelled scope still sends the release.
            await Task { await lock.release() }.value
        }
    }
}
