import BCClient
import BCModel
import Foundation

/// A workspace's identity in the engine (the contract's `WorkspaceState`): its lineage (fixed
/// at first use) and the serial every apply increments. Saved plans carry both, so a plan made
/// before another apply is refused as stale.
extension WorkspaceState {
    public var name: String { workspace }

    public static func fetch(_ name: String, client: BatchComputeClient) async throws -> WorkspaceState {
        try await client.workspace(name)
    }

    public static func bump(_ name: String, client: BatchComputeClient) async throws -> WorkspaceState {
        try await client.bumpSerial(name)
    }
}

/// Who holds a workspace's lock, as Terraform prints it.
public struct LockInfo: Sendable, Codable, Equatable {
    public var id: String
    public var workspace: String
    public var owner: String
    public var operation: String
    public var info: String
    public var created: String
    public var expires: String

    init(_ lease: Lease) {
        id = lease.id
        workspace = lease.workspace
        owner = lease.owner
        operation = lease.operation
        info = lease.info
        created = lease.creationTime
        expires = lease.expireTime
    }

    public var text: String {
        """
        Lock Info:
          ID:        \(id)
          Workspace: \(workspace)
          Operation: \(operation)
          Who:       \(owner)
          Created:   \(created)
          Expires:   \(expires)
          Info:      \(info)
        """
    }
}

public enum LockError: Error, CustomStringConvertible, Sendable {
    case held(LockInfo, waited: Double)
    case lost(String)

    public var description: String {
        switch self {
        case .held(let info, let waited):
            """
            Error acquiring the state lock\(waited > 0 ? " (waited \(Int(waited)) s)" : "")

            The workspace is locked by another operation. bcops acquires a lock on the workspace
            so that no one else changes it at the same time. Wait for it to finish, retry with
            -lock-timeout, or, if the holder crashed, wait for its lease to expire or run
            "bcctl force-unlock \(info.id)".

            \(info.text)
            """
        case .lost(let why): "the workspace lock was lost: \(why)"
        }
    }
}

/// A held lease on a workspace, renewed by a heartbeat until released. A holder that dies
/// stops renewing and the lease expires by itself.
public actor WorkspaceLock {
    public let info: LockInfo
    let client: BatchComputeClient
    let ttl: Int
    var heartbeat: Task<Void, Never>?

    init(info: LockInfo, client: BatchComputeClient, ttl: Int) {
        self.info = info
        self.client = client
        self.ttl = ttl
    }

    /// Takes the lock, retrying with backoff 1 s doubling to 16 s until `timeout` seconds passed.
    public static func acquire(workspace: String, operation: String, client: BatchComputeClient, timeout: Double,
                               ttl: Int = 60, info: String = "") async throws -> WorkspaceLock {
        let owner = "\(ProcessInfo.processInfo.environment["USER"] ?? "bcops")@\(ProcessInfo.processInfo.hostName) pid \(getpid())"
        let runURL = ProcessInfo.processInfo.environment["BCOPS_RUN_URL"] ?? ""
        let started = Date()
        var delay = 1.0
        while true {
            let request = LeaseRequest(workspace: workspace, owner: owner, operation: operation,
                                       info: runURL.isEmpty ? info : runURL, ttlSeconds: ttl)
            let holder: LockInfo
            switch try await client.takeLock(request) {
            case .taken(let lease):
                let lock = WorkspaceLock(info: LockInfo(lease), client: client, ttl: ttl)
                await lock.startHeartbeat()
                return lock
            case .held(let held):
                holder = LockInfo(held.lease)
            }
            if let pid = deadLocalHolder(holder.owner) {
                // The holder ran on this machine and is gone (killed): its lease would only
                // expire later. Take it over now. A release that fails is not a take-over: the
                // dead holder is then waited for like any other, until the timeout.
                do {
                    try await forceUnlock(holder.id, client: client)
                    FileHandle.standardError.write(Data("Note: took over the lock of \(holder.owner) (process \(pid) no longer exists)\n".utf8))
                    continue
                } catch {}
            }
            let waited = Date().timeIntervalSince(started)
            guard waited + delay <= timeout else { throw LockError.held(holder, waited: waited) }
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay = min(16, delay * 2)
        }
    }

    /// The pid of a holder `user@host pid N` on this host that no longer runs, else nil.
    static func deadLocalHolder(_ owner: String) -> Int32? {
        guard let at = owner.firstIndex(of: "@"), let space = owner.range(of: " pid ") else { return nil }
        let host = owner[owner.index(after: at)..<space.lowerBound]
        guard host == ProcessInfo.processInfo.hostName, let pid = Int32(owner[space.upperBound...]), pid > 0 else { return nil }
        return kill(pid, 0) != 0 && errno == ESRCH ? pid : nil
    }

    func startHeartbeat() {
        let client = self.client, id = info.id, ttl = self.ttl
        heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(ttl) * 1_000_000_000 / 3)
                if Task.isCancelled { break }
                // A missed renewal is not fatal: the next one, a third of the lease later, extends it.
                _ = try? await client.renewLock(id, ttlSeconds: ttl)
            }
        }
    }

    public func release() async {
        heartbeat?.cancel()
        // Best effort: a lease not released expires by itself within its TTL.
        try? await client.releaseLock(info.id)
    }

    public static func list(client: BatchComputeClient) async throws -> [LockInfo] {
        try await client.locks().map(LockInfo.init)
    }

    public static func forceUnlock(_ id: String, client: BatchComputeClient) async throws {
        try await client.releaseLock(id)
    }
}
