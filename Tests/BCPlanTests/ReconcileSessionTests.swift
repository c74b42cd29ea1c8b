import BCClient
import BCManifest
import BCModel
@testable import BCPlan
import BCTestSupport
import Foundation
import Testing

/// The reconcile session holds the workspace lock by scope: whatever way a step ends — done,
/// refused, declined, failed, cancelled — the lock is back when the session returns.
@Suite(.serialized) struct ReconcileSessionTests {
    final class Engine: @unchecked Sendable {
        let process: EngineProcess
        let client: BatchComputeClient
        let data: String

        init() throws {
            process = try EngineProcess()
            client = BatchComputeClient(try ClientConfiguration.fromEnvironment(process.clientEnvironment))
            data = process.dataDirectory + "/client"
        }

        deinit { process.stop() }

        func locks() async throws -> [LockInfo] { try await WorkspaceLock.list(client: client) }

        func take(_ workspace: String = "default") async throws -> WorkspaceLock {
            try await WorkspaceLock.acquire(workspace: workspace, operation: "test", client: client, timeout: 0)
        }

        func settings(_ operation: String = "apply", journals: String? = nil) -> ReconcileSession.Settings {
            ReconcileSession.Settings(workspace: "default", operation: operation, journalDirectory: journals ?? data + "/journals")
        }
    }

    static let cluster = """
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: workers
        spec:
          imageId: img-ubuntu
          instanceType: ecs.sn1.medium
          groups:
            main:
              desiredCount: 0
        """

    static func manifests(_ text: String = cluster) -> ManifestInput {
        .loaded(ManifestLoader().load(sources: [("cluster.yaml", Array(text.utf8))]), hashing: [])
    }

    struct Declined: Error {}

    @Test func theLockIsBackAfterTheScopeReturnsThrowsOrIsCancelled() async throws {
        let e = try Engine()
        let take: @Sendable () async throws -> WorkspaceLock? = { try await e.take() }
        let held = try await LockScope.holding(take: take) { _ in try await e.locks().count }
        #expect(held == 1)
        #expect(try await e.locks().isEmpty)

        await #expect(throws: Declined.self) { try await LockScope.holding(take: take) { _ in throw Declined() } }
        #expect(try await e.locks().isEmpty)

        let (entered, enter) = AsyncStream.makeStream(of: Void.self)
        let task = Task {
            try await LockScope.holding(take: take) { _ in
                enter.yield()
                try await Task.sleep(nanoseconds: 3_600_000_000_000)
            }
        }
        for await _ in entered { break }
        #expect(try await e.locks().count == 1)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try await e.locks().isEmpty)
    }

    @Test func aLockHeldElsewhereStopsTheSessionBeforeAnythingIsRead() async throws {
        let e = try Engine()
        let other = try await e.take()
        let refused = ReconcileSession(client: e.client, settings: e.settings())
        await #expect {
            _ = try await refused.apply(Self.manifests()) { (planned: Planned) -> Decision<Void> in .apply(planned.plan) }
        } throws: { error in
            guard case ReconcileError.lock(let e as LockError) = error, case .held = e else { return false }
            return true
        }
        await other.release()
        #expect(try await e.locks().isEmpty)
    }

    @Test func aDeclinedRefusedOrAppliedSessionLeavesTheWorkspaceUnlocked() async throws {
        let e = try Engine()
        let session = ReconcileSession(client: e.client, settings: e.settings())

        // Declined (bcapply's prompt answered "no"): what `decide` threw, the lock back first.
        await #expect(throws: Declined.self) {
            _ = try await session.apply(Self.manifests()) { (_: Planned) -> Decision<Void> in throw Declined() }
        }
        #expect(try await e.locks().isEmpty)

        // A journal that cannot be opened.
        let noJournal = ReconcileSession(client: e.client, settings: e.settings(journals: "/proc/no-such/journals"))
        await #expect {
            _ = try await noJournal.apply(Self.manifests()) { (planned: Planned) -> Decision<Void> in .apply(planned.plan) }
        } throws: { error in
            guard case ReconcileError.journal = error else { return false }
            return true
        }
        #expect(try await e.locks().isEmpty)

        // Applied: the plan, the apply and the serial moved on.
        let reconciled = try await session.apply(Self.manifests()) { (planned: Planned) -> Decision<Void> in .apply(planned.plan) }
        guard case .applied(let applied) = reconciled else { Issue.record("not applied: \(reconciled)"); return }
        #expect(applied.result.succeeded && applied.plan.counts.add == 1)
        #expect(applied.serialError == nil)
        #expect(try await WorkspaceState.fetch("default", client: e.client).serial == applied.plan.serial + 1)
        #expect(try await e.locks().isEmpty)

        // Stopped by the caller: nothing applied, the reason handed back.
        let stopped = try await session.apply(Self.manifests()) { (planned: Planned) -> Decision<String> in .stop(planned.plan.summary) }
        guard case .stopped(let why) = stopped else { Issue.record("applied: \(stopped)"); return }
        #expect(why.contains("No changes"))
        #expect(try await e.locks().isEmpty)
    }

    @Test func aPlanGivesTheLockBackAndAStaleSavedPlanIsRefusedUnlocked() async throws {
        let e = try Engine()
        let planned = try await ReconcileSession(client: e.client, settings: e.settings("plan")).plan(Self.manifests())
        #expect(planned.plan.counts.add == 1)
        #expect(try await e.locks().isEmpty)

        _ = try await WorkspaceState.bump("default", client: e.client)
        await #expect {
            _ = try await ReconcileSession(client: e.client, settings: e.settings()).apply(saved: planned.plan)
        } throws: { error in
            guard case ReconcileError.stale(let saved, let now) = error else { return false }
            return saved == planned.plan.serial && now == saved + 1
        }
        #expect(try await e.locks().isEmpty)
    }

    @Test func manifestsThatFailTheirChecksNeverTakeTheLock() async throws {
        let e = try Engine()
        let other = try await e.take()
        // Held elsewhere, and not asked for: the broken set is the answer at once.
        let broken = Self.cluster.replacingOccurrences(of: "imageId: img-ubuntu", with: "imageId: img-ubuntu\n  bogus: 1")
        await #expect {
            _ = try await ReconcileSession(client: e.client, settings: e.settings()).plan(Self.manifests(broken))
        } throws: { error in
            guard case ReconcileError.invalidManifests(let problems) = error else { return false }
            return problems.count == 1 && problems[0].contains("bogus")
        }
        await other.release()
    }
}
