import ArgumentParser
import BCClient
import BCManifest
import BCModel
import BCPlan
import Foundation

/// The flags that shape a plan, shared by bcplan and bcapply.
public struct PlanShapeOptions: ParsableArguments {
    @Option(name: .tf("target"), help: "Plan only this address (Kind/name) and what it depends on; repeatable.")
    public var target: [String] = []

    @Option(name: .tf("replace"), help: "Replace this object (or re-run this run) even if nothing changed; repeatable.")
    public var replace: [String] = []

    @Option(name: .tf("refresh"), help: "Compare with the live objects' values (-refresh=false compares with what bcops applied only).")
    public var refresh: Bool = true

    @Flag(name: .tf("destroy"), help: "Plan to delete everything the workspace owns.")
    public var destroy = false

    @Flag(name: .tf("prune-runs"), help: "Also delete finished runs whose manifests are gone.")
    public var pruneRuns = false

    public init() {}

    func addresses(_ list: [String], flag: String) throws -> Set<ResourceAddress> {
        Set(try list.map { text in
            guard let a = ResourceAddress(text) else { throw ValidationError("\(flag) \(text): expected Kind/name, such as Cluster/render-farm") }
            return a
        })
    }

    public func options() throws -> PlanOptions {
        PlanOptions(destroy: destroy, targets: try addresses(target, flag: "-target"), replace: try addresses(replace, flag: "-replace"),
                    pruneRuns: pruneRuns)
    }
}

/// Load, lower, refresh, diff: the part bcplan and bcapply share.
struct PlanRun {
    var input: ManifestOptions
    var estate: EstateOptions
    var shape: PlanShapeOptions

    struct Made {
        var plan: Plan
        var client: BatchComputeClient
        var lock: WorkspaceLock?
        var hasher: FieldHasher
        var owned: Int
        /// The loaded manifests, the desired and the live objects, held until the process
        /// ends (`Terminal.exitNow`): freeing 10,000 YAML trees and objects one by one cost a
        /// plan 40 ms for nothing.
        var retained: (LoadResult, [DesiredResource], LiveState, Remote)
    }

    /// Makes a plan; holds the workspace lock afterwards when `keepLock` (bcapply).
    /// - Parameter detailed: unchanged objects' fields too (JSON, Markdown, plan files).
    /// What the engine answers before the manifests are needed: the lock, the workspace and
    /// the inventory, fetched while the manifests load.
    struct Remote: Sendable {
        var lock: WorkspaceLock?
        var workspace: WorkspaceState
        var inventory: LiveState?
    }

    /// Takes the lock, reads the workspace and the inventory, in the background.
    static func startRemote(estate: EstateOptions, workspace name: String, operation: String, client: BatchComputeClient,
                            err: Terminal) -> Task<Remote, Error> {
        let (timeout, locking) = (estate.lockTimeout.seconds, estate.lock)
        return Task {
            var clock = PhaseClock(prefix: "background ")
            let lock = try await EstateOptions.takeLock(operation, workspace: name, timeout: timeout, locking: locking, client: client, err: err)
            clock.lap("locked workspace \(name)")
            do {
                let workspace = try await WorkspaceState.fetch(name, client: client)
                clock.lap("read workspace \(name)")
                let inventory = try await LiveState.inventory(client: client, workspace: name)
                clock.lap("read the inventory (\(inventory?.count ?? 0) objects)")
                return Remote(lock: lock, workspace: workspace, inventory: inventory)
            } catch {
                await lock?.release()
                throw error
            }
        }
    }

    /// Runs blocking `work` on a new thread, outside Swift's task pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 8 << 20  // as the main thread's: the YAML composer recurses
            thread.start()
        }
    }

    /// Gives the lock back when planning stops early.
    static func abandon(_ remote: Task<Remote, Error>?) async {
        if let r = try? await remote?.value { await r.lock?.release() }
    }

    func make(operation: String, keepLock: Bool, err: Terminal, detailed: Bool = true) async throws -> Made {
        var clock = PhaseClock()
        // -workspace, $BCOPS_WORKSPACE, the directories' .bcops/settings.yaml, or default.
        let choice = try estate.workspaceChoice(directories: input.inputPaths, err: err)
        var configurationError: Error?
        var remoteClient: BatchComputeClient?
        do { remoteClient = try estate.client() } catch { configurationError = error }
        let remote = remoteClient.map { PlanRun.startRemote(estate: estate, workspace: choice.name, operation: operation, client: $0, err: err) }
        let after = After(remote: remote, client: remoteClient, options: Result { try shape.options() }, workspace: choice.name,
                          refresh: shape.refresh, keepLock: keepLock, detailed: detailed)
        // The rest starts as soon as every file is loaded, on the other core, while the loader
        // checks the set (references, names): it is kept if the set is valid.
        let early = EarlyStart()
        let loaded = await input.loadLowering { manifests, files in early.start { await after.run(manifests: manifests, files: files) } }
        clock.lap("loaded \(loaded.manifests.count) manifests from \(loaded.files.count) files")
        for d in loaded.diagnostics { printError(err.red("error: ") + d.description) }
        guard loaded.isValid else {
            await PlanRun.abandon(remote)
            throw fail("the manifests have \(loaded.diagnostics.count) problem\(loaded.diagnostics.count == 1 ? "" : "s"); nothing was planned", err)
        }
        let outcome: After.Outcome
        if let task = early.task { outcome = await task.value } else { outcome = await after.run(manifests: loaded.manifests, files: loaded.files) }
        switch outcome {
        case .loweringFailed(let errors):
            for e in errors { printError(err.red("error: ") + e) }
            await PlanRun.abandon(remote)
            throw ExitCode(1)
        case .optionsFailed(let error):
            await PlanRun.abandon(remote)
            throw error
        case .noClient:
            throw fail("\(configurationError.map { "\($0)" } ?? "no client")", err)
        case .remoteFailed(let error):
            if let e = error as? BatchComputeError { throw fail("\(e)", err) }
            throw error
        case .refreshFailed(let e, let lock):
            await lock?.release()
            throw fail("\(e)", err)
        case .collided(let collisions, let lock):
            await lock?.release()
            let located = WorkspaceCollisions.locate(collisions, in: loaded.manifests)
            for c in collisions {
                printError(err.red("error: ") + WorkspaceCollisions.message(c, workspace: choice, at: located[c.address], paths: input.inputPaths))
            }
            throw fail("\(collisions.count) object\(collisions.count == 1 ? " this plan would create belongs" : "s this plan would create belong") to another workspace; nothing was planned", err)
        case .planned(let p):
            if let releasing = p.releasing {
                await releasing.value
                clock.lap("released the lock")
            }
            var plan = p.plan
            plan.workspaceOrigin = choice.origin
            return Made(plan: plan, client: p.client, lock: keepLock ? p.fetched.lock : nil, hasher: p.hasher,
                        owned: p.live.objects.keys.reduce(0) { $0 + ($1.kind.isRun ? 0 : 1) }, retained: (loaded, p.desired, p.live, p.fetched))
        }
    }

    /// A task started from the loader's thread, once.
    final class EarlyStart: @unchecked Sendable {
        private let lock = NSLock()
        private var started: Task<After.Outcome, Never>?

        func start(_ work: @escaping @Sendable () async -> After.Outcome) {
            lock.withLock { started = Task { await work() } }
        }

        var task: Task<After.Outcome, Never>? { lock.withLock { started } }
    }

    /// What follows loading, for manifests that loaded without a problem: lower (take what was
    /// lowered while loading), wait for the lock and the inventory, refresh, diff. Failures
    /// are outcomes, reported by `make` in the order it checks them.
    struct After: Sendable {
        var remote: Task<Remote, Error>?
        var client: BatchComputeClient?
        var options: Result<PlanOptions, Error>
        var workspace: String
        var refresh: Bool
        var keepLock: Bool
        var detailed: Bool

        struct Planned: Sendable {
            var desired: [DesiredResource]
            var fetched: Remote
            var live: LiveState
            var plan: Plan
            var client: BatchComputeClient
            var hasher: FieldHasher
            /// bcplan gives the lock back once everything is read, while it makes the plan.
            var releasing: Task<Void, Never>?
        }

        enum Outcome: Sendable {
            case loweringFailed([String])
            case optionsFailed(Error)
            case noClient
            case remoteFailed(Error)
            /// Failed once the lock was held: whatever the error, the lock goes with it.
            case refreshFailed(Error, WorkspaceLock?)
            /// Objects it would create that another workspace owns (`WorkspaceCollisions`).
            case collided([WorkspaceCollision], WorkspaceLock?)
            case planned(Planned)
        }

        func run(manifests: [LoadedManifest], files: [String]) async -> Outcome {
            var clock = PhaseClock()
            // Reading and hashing the files again (4 MB for 10,000 manifests) takes the other
            // core while this one refreshes and diffs.
            let manifestsHash = Task.detached { PlanPipeline.manifestsHash(files: files) }
            let (desired, errors) = PlanPipeline.lower(manifests)
            guard errors.isEmpty else { return .loweringFailed(errors) }
            clock.lap("lowered \(desired.count) manifests to API terms")
            let options: PlanOptions
            switch self.options {
            case .success(let o): options = o
            case .failure(let error): return .optionsFailed(error)
            }
            guard let client, let remote else { return .noClient }
            let fetched: Remote
            do { fetched = try await remote.value } catch { return .remoteFailed(error) }
            clock.lap("locked, read workspace \(workspace) (serial \(fetched.workspace.serial)) and its inventory")
            let hasher = FieldHasher(accessKeySecret: client.configuration.accessKeySecret)
            var live: LiveState
            do {
                live = try await PlanPipeline.refresh(desired: desired, inventory: fetched.inventory, client: client, workspace: workspace,
                                                      options: options, hasher: hasher, refresh: refresh)
            } catch {
                return .refreshFailed(error, fetched.lock)
            }
            clock.lap("refreshed \(live.count) live objects of workspace \(workspace)")
            let releasing = keepLock ? nil : fetched.lock.map { lock in Task { await lock.release() } }
            if !refresh {
                // Compare with what bcops applied only: hide the live values.
                for (a, objects) in live.objects {
                    live.objects[a] = objects.map { var o = $0; o.body = .object(["Labels": o.body["Labels"] ?? .object(o.labels.mapValues(JSONValue.string)), "State": o.body["State"] ?? .null]); return o }
                }
            }
            var plan = PlanPipeline.plan(desired: desired, files: files, workspace: fetched.workspace, live: live, options: options,
                                         hasher: hasher, detailed: detailed, manifestsHash: await manifestsHash.value)
            clock.lap("planned \(plan.changes.count) resources: \(plan.summary)")
            // Names another workspace already uses: an error now, not AlreadyExists (or a
            // duplicate) at apply. Asked only about what the plan creates.
            do {
                let found = try await WorkspaceCollisions.find(plan.changes, desired: desired, workspace: workspace, client: client)
                if !found.collisions.isEmpty {
                    await releasing?.value
                    return .collided(found.collisions, keepLock ? fetched.lock : nil)
                }
                plan.warnings += found.warnings
            } catch {
                await releasing?.value
                return .refreshFailed(error, keepLock ? fetched.lock : nil)
            }
            clock.lap("checked \(plan.changes.count) resources against other workspaces")
            return .planned(Planned(desired: desired, fetched: fetched, live: live, plan: plan, client: client, hasher: hasher, releasing: releasing))
        }
    }
}

extension ManifestOptions {
    /// `load()`, lowering every manifest on the thread that decodes it (`PlanPipeline.prepare`),
    /// on a thread of its own: loading blocks the thread it runs on and one more (the loader's
    /// second worker), and Swift's task pool is only as wide as the machine (two threads here),
    /// so loading on a task's thread held back the background task (the lock, the inventory)
    /// until loading ended.
    /// - Parameter loaded: `ManifestLoader.loaded`.
    func loadLowering(loaded: (@Sendable ([LoadedManifest], [String]) -> Void)? = nil) async -> LoadResult {
        let (paths, context) = (inputPaths, context())
        return await PlanRun.onThread {
            ManifestOptions.load(paths: paths, context: context) { ManifestLoader(context: $0, prepare: PlanPipeline.prepare, loaded: loaded) }
        }
    }
}

/// `bcplan`: show how the live estate differs from the manifests.
public struct PlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how the live batch estate differs from the manifests.",
        discussion: """
        Reads the manifests, refreshes the live state with one bulk list per kind (labels tell what the \
        workspace owns) and prints the plan. Exit codes with -detailed-exitcode: 0 converged (no changes, \
        no failed run), 1 error, 2 changes present or a declared run failed.
        """)

    @OptionGroup public var input: ManifestOptions
    @OptionGroup public var estate: EstateOptions
    @OptionGroup public var shape: PlanShapeOptions

    @Option(name: .tf("out"), help: "Save the plan to this file, for bcapply FILE.")
    public var out: String?

    @Flag(name: .tf("detailed-exitcode"), help: "Exit 2 when the plan has changes or a declared run failed (0 converged, 1 error).")
    public var detailedExitcode = false

    @Flag(name: .tf("json"), help: "Print the plan as JSON (Terraform's plan JSON shape).")
    public var json = false

    @Flag(name: .tf("markdown"), help: "Print the plan as a pull-request comment (at most 65,536 characters).")
    public var markdown = false

    @Option(name: .tf("input"), help: "Ask for input (bcplan never does; accepted for Terraform's habits).")
    public var interactive: Bool = true

    public init() {}

    public func run() async throws {
        try estate.enterDirectory()
        let err = Terminal(noColorFlag: input.noColor, stream: 2)
        let made = try await PlanRun(input: input, estate: estate, shape: shape)
            .make(operation: "plan", keepLock: false, err: err, detailed: json || markdown || out != nil)
        let plan = made.plan
        if json {
            print(JSONPlanRenderer.render(plan, version: BCOpsVersion.string).canonicalString)
        } else if markdown {
            print(MarkdownPlanRenderer.render(plan), terminator: "")
        } else {
            let out = Terminal(noColorFlag: input.noColor)
            print(TextPlanRenderer(style: TextStyle(colour: out.color)).render(plan), terminator: "")
        }
        if let out {
            do { try PlanFiles.write(plan, to: out) } catch { throw fail("cannot write the plan to \(out): \(error)", err) }
            if !json && !markdown {
                print("\nSaved the plan to: \(out)\n\nTo perform exactly these actions, run the following command to apply:\n    bcapply \"\(out)\"")
            }
        }
        // 2 unless converged: changes to make, or a declared run that failed (docs/commands/plan.md).
        withExtendedLifetime(made) { Terminal.exitNow(detailedExitcode && !plan.converged ? 2 : 0) }
    }
}

/// Phase timings on standard error when BCOPS_LOG=debug, as structured `key=value` lines:
/// the phase's seconds, and `at`, seconds since the first clock started (phases of the
/// background task, which overlap loading, say `background`).
struct PhaseClock {
    static let start = Date()
    let enabled = ProcessInfo.processInfo.environment["BCOPS_LOG"]?.lowercased() == "debug"
    var prefix = ""
    var last = PhaseClock.start

    init(prefix: String = "") {
        self.prefix = prefix
        last = enabled ? Date() : PhaseClock.start
    }

    mutating func lap(_ what: String) {
        guard enabled else { return }
        let now = Date()
        printError("level=debug phase=\"\(prefix)\(what)\" seconds=\(String(format: "%.3f", now.timeIntervalSince(last))) at=\(String(format: "%.3f", now.timeIntervalSince(PhaseClock.start))) rss_mb=\(PhaseClock.residentMB())")
        last = now
    }

    /// The process's resident memory now, from /proc (0 where there is none).
    static func residentMB() -> Int {
        guard let data = FileHandle(forReadingAtPath: "/proc/self/statm")?.readDataToEndOfFile(),
              let pages = String(decoding: data, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }
}
