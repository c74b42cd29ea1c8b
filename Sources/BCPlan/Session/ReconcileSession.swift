import BCClient
import BCManifest
import BCModel
import Foundation

/// One reconcile session: the plan/apply pipeline that bcplan, bcapply (a fresh plan or a
/// saved one) and the controller all run. This file is the one place its order is written:
///
///     lock → workspace → inventory → refresh → plan → decide → journal → apply → serial
///
/// The lock, the workspace and the inventory are taken and read in the background while
/// manifests still loading arrive; the workspace lock is held by scope (`LockScope`) and given
/// back on every way out, so no step releases it by hand. A plan-only session gives it back as
/// soon as the live state is read, while it diffs. Failures are thrown as `ReconcileError`
/// once the lock is back; `SessionObserver` hears what happens as it happens.
public struct ReconcileSession: Sendable {
    public struct Settings: Sendable {
        public var workspace: String
        /// What the lock tells whoever waits for it (`plan`, `apply`, `controller 1a2b3c4d5e6f`).
        public var operation: String
        /// Take the workspace lock at all (`-lock=false` does not: dangerous).
        public var locking = true
        /// How long to retry taking the lock, in seconds.
        public var lockTimeout: Double = 0
        /// The plan's options. Flags that did not parse are reported after the manifests' own
        /// problems, as a plan reports what the manifests' author fixes first.
        public var options: Result<PlanOptions, any Error> = .success(PlanOptions())
        /// Compare with the live objects' values (`-refresh=false` compares with what bcops applied only).
        public var refresh = true
        /// Keep every unchanged resource's fields and desired record (JSON, Markdown, plan files,
        /// reviewed plans); a text plan needs only what changes.
        public var detailed = true
        /// Refuse, at plan time, objects the plan would create that another workspace owns.
        public var checkCollisions = true
        public var apply = ApplyOptions()
        /// Where the apply journals are (`$BCOPS_DATA/journals`).
        public var journalDirectory: String
        /// The inventory a long-lived reconciler keeps between sessions, to read only what
        /// changed (the controller); nil reads it in full (bcplan, bcapply).
        public var inventoryMemory: InventoryMemory?

        public init(workspace: String, operation: String, locking: Bool = true, lockTimeout: Double = 0,
                    options: Result<PlanOptions, any Error> = .success(PlanOptions()), refresh: Bool = true, detailed: Bool = true,
                    checkCollisions: Bool = true, apply: ApplyOptions = ApplyOptions(), journalDirectory: String,
                    inventoryMemory: InventoryMemory? = nil) {
            self.workspace = workspace; self.operation = operation; self.locking = locking; self.lockTimeout = lockTimeout
            self.options = options; self.refresh = refresh; self.detailed = detailed; self.checkCollisions = checkCollisions
            self.apply = apply; self.journalDirectory = journalDirectory; self.inventoryMemory = inventoryMemory
        }
    }

    /// The engine, or why it cannot be reached (reported after the manifests' own problems).
    public let engine: Result<BatchComputeClient, any Error>
    public let settings: Settings
    public let observer: SessionObserver

    public init(engine: Result<BatchComputeClient, any Error>, settings: Settings, observer: SessionObserver = SessionObserver()) {
        self.engine = engine
        self.settings = settings
        self.observer = observer
    }

    public init(client: BatchComputeClient, settings: Settings, observer: SessionObserver = SessionObserver()) {
        self.init(engine: .success(client), settings: settings, observer: observer)
    }

    /// bcplan: plans, and gives the lock back while it diffs.
    public func plan(_ manifests: ManifestInput) async throws -> Planned {
        guard case .planned(let planned) = try await run(.manifests(manifests), planOnly: true, decide: { (_: Planned) -> Decision<Never> in
            preconditionFailure("a plan-only session decides nothing")
        }) else { preconditionFailure("a plan-only session applies nothing") }
        return planned
    }

    /// bcapply and the controller: plans, lets `decide` look at the plan (still under the lock),
    /// and applies what it decides.
    /// - Throws: `ReconcileError`, or what `decide` threw (the lock given back first).
    public func apply<Stop: Sendable>(_ manifests: ManifestInput, decide: (Planned) async throws -> Decision<Stop>) async throws -> Reconciled<Stop> {
        switch try await run(.manifests(manifests), planOnly: false, decide: decide) {
        case .planned: preconditionFailure("an applying session decides")
        case .stopped(let stop): return .stopped(stop)
        case .applied(let applied): return .applied(applied)
        }
    }

    /// bcapply PLANFILE: applies a saved plan exactly, if the workspace is still where the plan
    /// left it (same lineage, same serial).
    public func apply(saved plan: Plan) async throws -> Applied {
        let decided = try await run(.saved(plan), planOnly: false) { (planned: Planned) -> Decision<Never> in .apply(planned.plan) }
        guard case .applied(let applied) = decided else { preconditionFailure("a saved plan is applied") }
        return applied
    }

    // MARK: The order

    enum Source {
        case manifests(ManifestInput)
        case saved(Plan)
    }

    enum Ran<Stop: Sendable> {
        case planned(Planned)
        case stopped(Stop)
        case applied(Applied)
    }

    /// Where the lock's part ends: everything done (apply), or the live state read (plan only).
    enum Held<Stop: Sendable> {
        case ran(Ran<Stop>)
        case refreshed(Refreshed)
    }

    func run<Stop: Sendable>(_ source: Source, planOnly: Bool, decide: (Planned) async throws -> Decision<Stop>) async throws -> Ran<Stop> {
        var clock = PhaseClock()
        // Manifests already loaded are checked and lowered first: a broken set never takes the lock.
        let ready = try readyManifests(source)
        let saved: Plan? = if case .saved(let plan) = source { plan } else { nil }
        // Manifests still loading start now, on a thread of their own, beside the lock's task.
        let arrival: ManifestArrival?
        if case .manifests(.loading(let load)) = source { arrival = ManifestArrival(load, problems: observer.problems) } else { arrival = nil }
        let ran: Ran<Stop> = try await LockScope.holding(
            take: { try await takeLock(reportingAfter: arrival) },          // 1. lock
            thenRead: { try await readWorkspace(inventory: saved == nil) }  // 2. workspace, 3. inventory
        ) { (lease: LockScope.Lease<Remote>) -> Held<Stop> in
            do {
                if let saved {
                    // A saved plan: the workspace must be where the plan left it; read in full for the mass-delete guard.
                    let (client, remote) = try await held(lease)
                    try check(saved, against: remote.workspace)
                    let live: LiveState
                    do { live = try await LiveState.refresh(client: client, workspace: saved.workspace) } catch { throw ReconcileError.savedRefresh(error) }
                    let planned = Planned(plan: saved, owned: Self.owned(live), retained: (nil, [], live, nil))
                    return .ran(.applied(try await applyPlan(saved, planned: planned, client: client)))  // 6–8
                }
                let manifests = try await lowered(ready, arrival: arrival, clock: &clock)
                let options: PlanOptions
                do { options = try settings.options.get() } catch { throw ReconcileError.options(error) }
                let (client, remote) = try await held(lease)
                clock.lap("locked, read workspace \(settings.workspace) (serial \(remote.workspace.serial)) and its inventory")
                let refreshed = try await refresh(manifests, remote: remote, options: options, client: client)  // 4. refresh
                clock.lap("refreshed \(refreshed.live.count) live objects of workspace \(settings.workspace)")
                if planOnly { return .refreshed(refreshed) }                  // the lock goes back while the diff runs
                let planned = try await diff(refreshed, arrival: arrival, clock: &clock)  // 5. plan
                switch try await decide(planned) {                           // decide, under the lock
                case .stop(let stop): return .ran(.stopped(stop))
                case .apply(let plan): return .ran(.applied(try await applyPlan(plan, planned: planned, client: client)))  // 6–8
                }
            } catch {
                throw await reportedFirst(error, arrival: arrival)
            }
        } afterwards: { (held: Held<Stop>) -> Ran<Stop> in
            switch held {
            case .ran(let ran): return ran
            case .refreshed(let refreshed):
                do { return .planned(try await diff(refreshed, arrival: arrival, clock: &clock)) } catch {
                    throw await reportedFirst(error, arrival: arrival)
                }
            }
        }
        if planOnly { clock.lap("released the lock") }
        return ran
    }
}
