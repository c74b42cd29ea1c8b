import BCClient
import BCManifest
import BCModel
import Foundation

/// The steps of a reconcile session, each on its own; `ReconcileSession.run` puts them in order.
extension ReconcileSession {
    /// 1. The workspace lock, or nil without locking. A lock held elsewhere is reported once
    /// manifests still loading are checked, so that their problems always come first.
    @Sendable func takeLock(reportingAfter arrival: ManifestArrival?) async throws -> WorkspaceLock? {
        let client: BatchComputeClient
        switch engine {
        case .success(let c): client = c
        case .failure(let error): throw ReconcileError.noEngine(error)
        }
        guard settings.locking else { return nil }
        var clock = PhaseClock(prefix: "background ")
        do {
            let lock = try await WorkspaceLock.acquire(workspace: settings.workspace, operation: settings.operation, client: client,
                                                       timeout: settings.lockTimeout)
            clock.lap("locked workspace \(settings.workspace)")
            return lock
        } catch let e as LockError {
            _ = await arrival?.checked()
            observer.lockRefused(e)
            throw ReconcileError.lock(e)
        } catch {
            throw ReconcileError.lock(error)
        }
    }

    /// What the engine says about the workspace before the manifests are needed.
    struct Remote: Sendable {
        var workspace: WorkspaceState
        var inventory: LiveState?
    }

    /// 2–3. The workspace's lineage and serial, and its inventory (not for a saved plan).
    @Sendable func readWorkspace(inventory readInventory: Bool) async throws -> Remote {
        guard case .success(let client) = engine else { preconditionFailure("read after the lock, which needs the engine") }
        var clock = PhaseClock(prefix: "background ")
        do {
            let workspace = try await WorkspaceState.fetch(settings.workspace, client: client)
            clock.lap("read workspace \(settings.workspace)")
            guard readInventory else { return Remote(workspace: workspace, inventory: nil) }
            let inventory: LiveState?
            if let memory = settings.inventoryMemory {
                let read = try await memory.read(client: client, workspace: settings.workspace)
                inventory = read.state
                clock.lap("read the inventory (\(inventory?.count ?? 0) objects, \(read.complete ? "in full" : "what changed since the last read"))")
            } else {
                inventory = try await LiveState.inventory(client: client, workspace: settings.workspace)
                clock.lap("read the inventory (\(inventory?.count ?? 0) objects)")
            }
            return Remote(workspace: workspace, inventory: inventory)
        } catch {
            throw ReconcileError.read(error)
        }
    }

    /// Waits for the lock and the reads.
    func held(_ lease: LockScope.Lease<Remote>) async throws -> (BatchComputeClient, Remote) {
        let remote = try await lease.held().read
        guard case .success(let client) = engine else { preconditionFailure("the lock was taken, so the engine is there") }
        return (client, remote)
    }

    /// A saved plan applies only to the workspace it was made for, unchanged since.
    func check(_ saved: Plan, against now: WorkspaceState) throws {
        guard now.lineage == saved.lineage else {
            throw ReconcileError.lineageChanged(workspace: saved.workspace, saved: saved.lineage, now: now.lineage)
        }
        guard now.serial == saved.serial else { throw ReconcileError.stale(saved: saved.serial, now: now.serial) }
    }

    /// Manifests lowered to API terms, with what the plan keeps of them.
    struct Lowered: Sendable {
        var desired: [DesiredResource]
        var manifests: [LoadedManifest]
        var files: [String]
        var hash: Task<String, Never>
    }

    /// Manifests already loaded (`ManifestInput.loaded`), checked and lowered before the lock is asked for.
    func readyManifests(_ source: Source) throws -> Lowered? {
        guard case .manifests(.loaded(let result, let hashing)) = source else { return nil }
        guard result.isValid else {
            let problems = result.diagnostics.map(\.description)
            observer.problems(problems)
            throw ReconcileError.invalidManifests(problems)
        }
        let (desired, errors) = PlanPipeline.lower(result.manifests)
        guard errors.isEmpty else {
            observer.problems(errors)
            throw ReconcileError.lowering(errors)
        }
        return Lowered(desired: desired, manifests: result.manifests, files: hashing,
                       hash: Task.detached { PlanPipeline.manifestsHash(files: hashing) })
    }

    /// Manifests still loading, lowered as soon as every file is read (the set is checked meanwhile).
    func lowered(_ ready: Lowered?, arrival: ManifestArrival?, clock: inout PhaseClock) async throws -> Lowered {
        if let ready { return ready }
        guard let arrival else { preconditionFailure("manifests are either loaded or loading") }
        let (manifests, files) = try await arrived(arrival)
        clock.lap("loaded \(manifests.count) manifests from \(files.count) files")
        // Reading and hashing the files again (4 MB for 10,000 manifests) takes the other core
        // while this one refreshes and diffs.
        let hash = Task.detached { PlanPipeline.manifestsHash(files: files) }
        let (desired, errors) = PlanPipeline.lower(manifests)
        guard errors.isEmpty else {
            try await verdict(arrival)  // a set that fails its checks is reported instead
            observer.problems(errors)
            throw ReconcileError.lowering(errors)
        }
        clock.lap("lowered \(desired.count) manifests to API terms")
        return Lowered(desired: desired, manifests: manifests, files: files, hash: hash)
    }

    /// Every file's manifests, before the set is checked; the checked set when loading ended
    /// without them (a file that could not be read or decoded makes it invalid).
    func arrived(_ arrival: ManifestArrival) async throws -> ManifestArrival.Files {
        if let files = await arrival.files() { return files }
        try await verdict(arrival)
        let checked = await arrival.checked()
        return (checked.manifests, checked.files)
    }

    /// Throws when manifests still loading fail their checks (their problems were reported).
    func verdict(_ arrival: ManifestArrival?) async throws {
        guard let arrival else { return }
        let checked = await arrival.checked()
        guard checked.isValid else { throw ReconcileError.invalidManifests(checked.diagnostics.map(\.description)) }
    }

    /// Whatever failed, a set of manifests that fails its checks is what is reported.
    func reportedFirst(_ error: any Error, arrival: ManifestArrival?) async -> any Error {
        do { try await verdict(arrival) } catch let invalid { return invalid }
        return error
    }

    /// The live state read, ready to diff.
    struct Refreshed: Sendable {
        var manifests: Lowered
        var remote: Remote
        var live: LiveState
        var options: PlanOptions
        var hasher: FieldHasher
        var client: BatchComputeClient
    }

    /// 4. What the workspace owns, read in full where it may differ from the manifests.
    func refresh(_ manifests: Lowered, remote: Remote, options: PlanOptions, client: BatchComputeClient) async throws -> Refreshed {
        let hasher = FieldHasher(accessKeySecret: client.configuration.accessKeySecret)
        do {
            let live = try await PlanPipeline.refresh(desired: manifests.desired, inventory: remote.inventory, client: client,
                                                      workspace: settings.workspace, options: options, hasher: hasher, refresh: settings.refresh)
            return Refreshed(manifests: manifests, remote: remote, live: live, options: options, hasher: hasher, client: client)
        } catch {
            throw ReconcileError.refresh(error)
        }
    }

    /// 5. The plan, and the objects it would create that another workspace owns; kept only if
    /// manifests still loading pass their checks.
    func diff(_ r: Refreshed, arrival: ManifestArrival?, clock: inout PhaseClock) async throws -> Planned {
        var live = r.live
        if !settings.refresh {
            // Compare with what bcops applied only: hide the live values.
            for (a, objects) in live.objects {
                live.objects[a] = objects.map { var o = $0; o.body = .object([LiveKey.labels: o.body[LiveKey.labels] ?? .object(o.labels.mapValues(JSONValue.string)), LiveKey.state: o.body[LiveKey.state] ?? .null]); return o }
            }
        }
        var plan = PlanPipeline.plan(desired: r.manifests.desired, files: r.manifests.files, workspace: r.remote.workspace, live: live,
                                     options: r.options, hasher: r.hasher, detailed: settings.detailed, manifestsHash: await r.manifests.hash.value)
        clock.lap("planned \(plan.changes.count) resources: \(plan.summary)")
        if settings.checkCollisions {
            // Names another workspace already uses: an error now, not AlreadyExists (or a
            // duplicate) at apply. Asked only about what the plan creates.
            let found: WorkspaceCollisions.Found
            do {
                found = try await WorkspaceCollisions.find(plan.changes, desired: r.manifests.desired, workspace: settings.workspace, client: r.client)
            } catch {
                throw ReconcileError.refresh(error)
            }
            guard found.collisions.isEmpty else {
                throw ReconcileError.collisions(found.collisions, located: WorkspaceCollisions.locate(found.collisions, in: r.manifests.manifests))
            }
            plan.warnings += found.warnings
            clock.lap("checked \(plan.changes.count) resources against other workspaces")
        }
        try await verdict(arrival)
        let loaded = await arrival?.checked()
        return Planned(plan: plan, owned: Self.owned(live), retained: (loaded, r.manifests.desired, live, r.remote.inventory))
    }

    /// 6. journal → 7. apply → 8. serial.
    func applyPlan(_ plan: Plan, planned: Planned, client: BatchComputeClient) async throws -> Applied {
        let journal: ApplyJournal
        do {
            let (opened, interrupted) = try ApplyJournal.open(directory: settings.journalDirectory, workspace: plan.workspace)
            journal = opened
            if !interrupted.isEmpty { observer.resuming(interrupted) }
        } catch {
            throw ReconcileError.journal(directory: settings.journalDirectory, error)
        }
        let applier = Applier(client: client, hasher: FieldHasher(accessKeySecret: client.configuration.accessKeySecret),
                              options: settings.apply, journal: journal)
        do { try applier.checkDeletes(plan, owned: planned.owned) } catch let refusal as ApplyRefusal {
            throw ReconcileError.refused(refusal)
        }
        observer.applying()
        let started = Date()
        let result = await applier.apply(plan, progress: observer.progress)
        var serialError: (any Error)?
        do { _ = try await WorkspaceState.bump(plan.workspace, client: client) } catch { serialError = error }
        return Applied(planned: planned, plan: plan, result: result, seconds: Date().timeIntervalSince(started), serialError: serialError)
    }

    /// Owned objects that are not runs.
    static func owned(_ live: LiveState) -> Int { live.objects.keys.reduce(0) { $0 + ($1.kind.isRun ? 0 : 1) } }
}
