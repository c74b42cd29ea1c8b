import BCClient
import BCGit
import BCManifest
import BCModel
import BCPlan
import Foundation

/// The reconcile loop: every interval (with jitter) or on a webhook, fetch the repository,
/// and plan and apply the tracked branch's manifests with the reconcile session bcapply runs
/// (`ReconcileStep`), then follow the applied revision's runs (`RunWatcher`, one per kind).
/// Failures back off exponentially; a bad manifest, a rewritten history or an unreviewed plan
/// stall the loop with a condition and leave the estate as last applied.
public actor Controller {
    public struct Configuration: Sendable {
        public var repository: String
        public var branch: String
        public var path: String
        public var interval: Double
        public var step: ReconcileStep.Settings
        public var dataDirectory: String
        /// Webhook-triggered fetches start at most once per this many seconds; deliveries in
        /// between coalesce into the next fetch.
        public var webhookMinInterval: Double
        /// Where the structured event lines go (none by default).
        public var log: EventLog

        public init(repository: String, branch: String, path: String, interval: Double, step: ReconcileStep.Settings, dataDirectory: String,
                    webhookMinInterval: Double = 1, log: EventLog = .disabled) {
            self.repository = repository; self.branch = branch; self.path = path; self.interval = interval
            self.step = step; self.dataDirectory = dataDirectory; self.webhookMinInterval = webhookMinInterval
            self.log = log
        }
    }

    let configuration: Configuration
    let source: GitSource
    let step: ReconcileStep
    let client: BatchComputeClient
    let state: ControllerStateFile
    let historyFile: HistoryFile
    /// One line per reconciliation, apply, stall and webhook delivery.
    public nonisolated let events: EventLog

    private var conditions = ConditionSet()
    private var history = History()
    public private(set) var metrics = Metrics()
    private var backoff = Backoff()
    private var suspended: Bool
    private var fetchedRevision: String?
    private var appliedRevision: String?
    /// A revision that failed validation or was force-pushed: not applied until it changes.
    private var stalledRevision: String?
    private var acceptRewrite = false
    private var drift: [String] = []
    private var progress: String?
    private var lastFetch: Date?
    private var nextAttempt: Date?
    private var pruneSkipped = 0
    /// Why the next pass runs early (a webhook, `reconcile`, `resume`), until it starts: triggers
    /// that arrive while a pass runs are served by one more pass after it, not dropped.
    private var pending: String?
    /// When the last fetch started: webhooks wait for `webhookMinInterval` after it.
    private var lastFetchStart: Date?
    private var wakeup: CheckedContinuation<Void, Never>?
    private var stopping = false
    private var sleeps = 0
    private var busy = false
    /// Each manifest file of the last revision read, decoded and lowered, per git blob: a new
    /// revision reads only the files it changed (`ManifestCache`).
    private var manifests = ManifestCache()
    public private(set) var firstPassDone = false
    /// When a webhook asked for a fetch, and when the apply it led to started (latency benchmark).
    public private(set) var lastWebhookAt: Date?
    public private(set) var lastApplyStartAt: Date?
    /// One per run kind the controller follows (`RunWatchers`).
    private let watchers: [any RunWatcher] = RunWatchers.all()
    /// What each watcher last served, by its status key (`renders`).
    private var runs: [String: [JSONValue]]

    public init(configuration: Configuration, client: BatchComputeClient, credentials: GitCredentials?) {
        self.configuration = configuration
        self.client = client
        source = GitSource(url: configuration.repository, directory: configuration.dataDirectory + "/mirror.git", credentials: credentials)
        step = ReconcileStep(client: client, settings: configuration.step)
        state = ControllerStateFile(path: configuration.dataDirectory + "/state.json")
        historyFile = HistoryFile(path: configuration.dataDirectory + "/history.json")
        history = historyFile.load()
        events = configuration.log
        let saved = state.load()
        suspended = saved.suspended
        appliedRevision = saved.appliedRevision
        runs = Dictionary(uniqueKeysWithValues: watchers.map { ($0.statusKey, []) })
    }

    // MARK: Loop

    /// Runs until `stop()`.
    public func run() async {
        conditions.progressing("starting", retrying: false, at: Date())
        while !stopping {
            if suspended {
                pending = nil
            } else {
                await holdForWebhookInterval()
                if stopping { break }
                let reason = pending ?? "interval"
                pending = nil
                await reconcile(trigger: reason)
            }
            firstPassDone = true
            // A trigger that came while the pass ran (a push after its fetch): one more pass.
            if pending != nil && !suspended { continue }
            let wait = backoff.failures > 0 ? backoff.delay : Controller.jittered(configuration.interval)
            nextAttempt = Date().addingTimeInterval(wait)
            await sleep(wait)
        }
    }

    /// ±10 % so that many controllers polling one server do not do it in step.
    static func jittered(_ interval: Double) -> Double { interval * Double.random(in: 0.9...1.1) }

    /// A burst of webhooks makes at most one fetch now and one after the burst: a webhook-
    /// triggered pass starts no sooner than `webhookMinInterval` after the last fetch started.
    /// Other triggers (`reconcile`, `resume`) and `stop()` end the wait.
    private func holdForWebhookInterval() async {
        guard let last = lastFetchStart else { return }
        let until = last.addingTimeInterval(configuration.webhookMinInterval)
        while !stopping, pending?.hasPrefix("webhook") == true {
            let left = until.timeIntervalSinceNow
            if left <= 0 { return }
            try? await Task.sleep(nanoseconds: UInt64(min(left, 0.05) * 1e9))
        }
    }

    private func sleep(_ seconds: Double) async {
        if pending != nil || stopping { return }
        sleeps += 1
        let generation = sleeps
        let timer = Task { [weak self] in
            guard (try? await Task.sleep(nanoseconds: UInt64(max(0.01, seconds) * 1e9))) != nil else { return }
            await self?.wake(generation)
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in wakeup = c }
        timer.cancel()
    }

    /// Ends the current wait; a timer of an earlier wait (cut short by a webhook) wakes nothing.
    private func wake(_ generation: Int? = nil) {
        if let generation, generation != sleeps { return }
        wakeup?.resume()
        wakeup = nil
    }

    /// A webhook (or `bcctl controller reconcile`): fetch now instead of at the next interval.
    public func trigger(_ reason: String) {
        if reason.hasPrefix("webhook") {
            lastWebhookAt = Date()
            // A pending `reconcile` or `resume` is not turned into a (rate-limited) webhook pass.
            if pending == nil || pending?.hasPrefix("webhook") == true { pending = reason }
        } else {
            pending = reason
        }
        wake()
    }

    /// Finishes the step in flight (its calls are journaled as they go) and ends the loop;
    /// returns within `timeout` seconds even if the step does not.
    public func stop(timeout: Double) async {
        stopping = true
        wake()
        let deadline = Date().addingTimeInterval(timeout)
        while busy && Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
    }

    public func suspend() {
        suspended = true
        conditions.set(.Ready, conditions[.Ready]?.status ?? false, Reason.suspended, "reconciliation is suspended (bcctl controller resume)", at: Date())
        persist()
    }

    /// Resumes, and accepts the branch's current history if it was rewritten.
    public func resume() {
        suspended = false
        acceptRewrite = true
        stalledRevision = nil
        persist()
        trigger("resume")
    }

    private func persist() {
        do { try state.save(.init(suspended: suspended, appliedRevision: appliedRevision)) } catch { logPersistFailure(error) }
    }

    /// A `persist` line: a file that should survive a restart could not be written, so a restart
    /// would not know what this controller knows now (the next write tries again).
    private func logPersistFailure(_ error: PersistError) {
        events.emit(.error, "persist", [("workspace", .string(configuration.step.workspace)), ("path", .string(error.path)),
                                        ("message", .string(error.description))])
    }

    // MARK: One pass

    func reconcile(trigger: String) async {
        busy = true
        defer { busy = false; progress = nil }
        let started = Date()
        progress = "fetching \(ControllerStatus.redacted(configuration.repository))"
        lastFetchStart = started
        let revision: String
        do {
            let seconds = try await source.fetch()
            metrics.observeFetch(seconds: seconds)
            lastFetch = Date()
            revision = try await source.head(branch: configuration.branch)
            fetchedRevision = revision
        } catch {
            let keeping = appliedRevision.map { "; revision \($0.prefix(12)) stays applied" } ?? ""
            fail(Reason.gitFailed, "\(error)\(keeping)", revision: fetchedRevision ?? "", started: started, trigger: trigger)
            return
        }
        if let applied = appliedRevision, applied != revision, !acceptRewrite {
            // Fails closed: when the ancestry cannot be read (the applied commit is gone from
            // the mirror, as after a force-push and a re-clone), the push is not taken as a
            // fast-forward.
            let why: String?
            do {
                why = try await source.isAncestor(applied, of: revision)
                    ? nil : "\(revision.prefix(12)) does not descend from the applied \(applied.prefix(12))"
            } catch {
                why = "cannot tell whether \(revision.prefix(12)) descends from the applied \(applied.prefix(12)) (\(error))"
            }
            if let why {
                stall("HistoryRewritten", "branch \(configuration.branch) was force-pushed: \(why); nothing is applied until `bcctl controller resume` accepts it",
                      revision: revision, started: started, trigger: trigger)
                return
            }
        }
        // A stalled revision is not planned again; drift is still checked against what was applied.
        var target = revision
        let checkingOnly = revision == stalledRevision
        if checkingOnly {
            guard let applied = appliedRevision else { return }
            target = applied
        }
        var clock = PhaseClock(prefix: "controller ")
        let snapshot: GitSource.Snapshot
        let known = manifests.known
        do {
            snapshot = try await source.snapshot(target, path: configuration.path) { known.contains(ManifestCache.Key(path: $0, blob: $1)) }
        } catch {
            if error.reason == .notFound {
                stall(Reason.validationFailed, "path \(configuration.path) does not exist in revision \(target.prefix(12))", revision: target, started: started, trigger: trigger)
            } else {
                fail(Reason.gitFailed, "\(error)", revision: target, started: started, trigger: trigger)
            }
            return
        }
        clock.lap("fetched and listed revision \(target.prefix(12)) (\(snapshot.files.count) files)")
        let isNew = target != appliedRevision
        progress = "planning revision \(target.prefix(12))"
        if isNew { conditions.progressing("reconciling revision \(target.prefix(12))", retrying: backoff.failures > 0, at: started) }
        // Off the actor: /api/status and webhooks are answered while a big estate loads.
        // The cache moves into the task and back, so the files it keeps are not held twice.
        let files = snapshot.files
        let previous = manifests
        manifests = ManifestCache()
        let (kept, loading) = await Task.detached { () -> (ManifestCache, ManifestCache.Loaded) in
            var cache = previous
            let loading = cache.load(files)
            return (cache, loading)
        }.value
        manifests = kept
        let loaded = loading.result
        clock.lap("loaded \(loaded.manifests.count) manifests from \(files.count) files (\(loading.read) read, \(loading.reused) unchanged blobs kept)")
        let outcome = await step.run(loaded, revision: target, newRevision: isNew) { [weak self] in
            Task { await self?.applyStarted() }
        }
        let duration = Date().timeIntervalSince(started)
        // Set when this pass applied its revision: its runs are followed from now on.
        var watching = false
        if case .applied(_, let apply?, _, _) = outcome { logApply(apply, revision: target, trigger: trigger) }
        if case .applyFailed(_, let apply, _) = outcome { logApply(apply, revision: target, trigger: trigger) }
        switch outcome {
        case .applied(let plan, _, let resources, _) where checkingOnly, .drift(let plan, _, let resources) where checkingOnly:
            // The head is still stalled: keep its condition, report drift of what is applied.
            if case .drift(_, let addresses, _) = outcome { drift = addresses } else { drift = [] }
            metrics.resources = resources
            record(target, started, duration, plan.summary, drift.isEmpty ? .noChanges : .driftReported, trigger, plan: plan)
        case .applied(let plan, let apply, let resources, let skipped):
            backoff.succeeded()
            appliedRevision = target
            acceptRewrite = false
            drift = []
            pruneSkipped = skipped
            metrics.resources = resources
            persist()
            watching = true
            conditions.ready("Applied revision \(target.prefix(12))" + (apply.map { ": \($0.summary)" } ?? ": \(plan.summary)"), at: Date())
            record(target, started, duration, apply?.summary ?? plan.summary, apply == nil ? .noChanges : .succeeded, trigger, plan: plan)
        case .drift(let plan, let addresses, let resources):
            backoff.succeeded()
            drift = addresses
            metrics.resources = resources
            conditions.ready("Applied revision \(target.prefix(12)); drift detected in \(addresses.count) resource\(addresses.count == 1 ? "" : "s") (not corrected without --self-heal)", at: Date())
            record(target, started, duration, plan.summary, .driftReported, trigger, plan: plan)
        case .applyFailed(let plan, let apply, let resources):
            metrics.resources = resources
            fail(Reason.applyFailed, apply.failureMessage, revision: target, started: started, trigger: trigger, plan: plan)
        case .validationFailed(let problems):
            stalledRevision = revision
            stall(Reason.validationFailed, "revision \(target.prefix(12)) has \(problems.count) problem\(problems.count == 1 ? "" : "s"): \(problems.prefix(5).joined(separator: "; "))",
                  revision: target, started: started, trigger: trigger)
        case .notReviewed(let message):
            stall(Reason.planNotReviewed, message, revision: target, started: started, trigger: trigger)
        case .failed(let reason, let message):
            fail(reason, message, revision: target, started: started, trigger: trigger)
        }
        if watching {
            for watcher in watchers {
                let kinds = watcher.kinds
                await watcher.watch(loaded.manifests.indices.compactMap { kinds.contains(loaded.manifests[$0].manifest.kind) ? loaded.manifests[$0].manifest : nil })
            }
        }
        await refreshJobGauges()
        await followRuns()
        FreedMemory.release()
    }

    /// What each run kind's watcher says its runs do now.
    private func followRuns() async {
        for watcher in watchers {
            if let served = await watcher.follow(client: client) { runs[watcher.statusKey] = served }
        }
    }

    private func applyStarted() { lastApplyStartAt = Date(); progress = "applying revision \(fetchedRevision?.prefix(12) ?? "")" }

    private func fail(_ reason: String, _ message: String, revision: String, started: Date, trigger: String,
                      plan: ReconcileStep.PlanReport? = nil) {
        let wait = backoff.failed()
        conditions.failed(reason, "\(message) (retrying in \(String(format: "%.2f", wait)) s)", at: Date())
        record(revision, started, Date().timeIntervalSince(started), message, .failed, trigger, plan: plan, reason: reason, retryIn: wait)
    }

    private func stall(_ reason: String, _ message: String, revision: String, started: Date, trigger: String) {
        backoff.succeeded()
        conditions.stalled(reason, message, at: Date())
        events.emit(.warn, "stall", [("workspace", .string(configuration.step.workspace)), ("revision", .string(revision)),
                                     ("trigger", .string(trigger)), ("reason", .string(reason)), ("message", .string(message))])
        record(revision, started, Date().timeIntervalSince(started), message, .stalled, trigger, reason: reason)
    }

    /// The history entry (kept on disk too), the metrics and the `reconcile` log line of a pass.
    private func record(_ revision: String, _ started: Date, _ duration: Double, _ actions: String, _ result: Reconciliation.Result, _ trigger: String,
                        plan: ReconcileStep.PlanReport? = nil, reason: String? = nil, retryIn: Double? = nil) {
        history.record(Reconciliation(revision: revision, started: started, duration: duration, actions: actions, result: result, trigger: trigger))
        do { try historyFile.save(history) } catch { logPersistFailure(error) }
        metrics.observeReconcile(workspace: configuration.step.workspace, result: result.rawValue, seconds: duration)
        let level: EventLog.Level = switch result {
        case .failed: .error
        case .stalled: .warn
        case .succeeded, .noChanges, .driftReported: .info
        }
        let counts = plan?.counts
        events.emit(level, "reconcile", [
            ("workspace", .string(configuration.step.workspace)), ("revision", revision.isEmpty ? nil : .string(revision)),
            ("trigger", .string(trigger)), ("result", .string(result.rawValue)), ("duration", .double(duration)),
            ("to_run", counts.map { .int($0.run) }), ("to_add", counts.map { .int($0.add) }),
            ("to_change", counts.map { .int($0.change) }), ("to_destroy", counts.map { .int($0.destroy) }),
            ("drift", .int(drift.count)), ("prune_skipped", .int(pruneSkipped)),
            ("reason", reason.map { .string($0) }), ("retry_in", retryIn.map { .double($0) }),
            ("message", result == .failed || result == .stalled ? .string(actions) : nil),
        ])
    }

    /// The `apply` log line: what was done, what failed, what remains.
    private func logApply(_ apply: ReconcileStep.ApplyReport, revision: String, trigger: String) {
        events.emit(apply.succeeded ? .info : .error, "apply", [
            ("workspace", .string(configuration.step.workspace)), ("revision", .string(revision)), ("trigger", .string(trigger)),
            ("result", .string(apply.succeeded ? "succeeded" : "failed")), ("duration", .double(apply.seconds)),
            ("submitted", .int(apply.counts.run)), ("added", .int(apply.counts.add)), ("changed", .int(apply.counts.change)),
            ("destroyed", .int(apply.counts.destroy)), ("failed", .int(apply.failures.count)), ("remaining", .int(apply.remaining)),
            ("message", apply.succeeded ? nil : .string(apply.failureMessage)),
            ("serial_error", apply.serialError.map { .string($0) }),
        ])
    }

    /// Engine jobs by state, for `/metrics`.
    private func refreshJobGauges() async {
        guard let jobs = try? await client.allJobs() else { return }
        var counts: [String: Int] = [:]
        for state in JobState.allCases { counts[state.rawValue] = 0 }
        for j in jobs { counts[j.state.rawValue, default: 0] += 1 }
        metrics.jobs = counts
    }

    // MARK: Reading

    public func status() -> ControllerStatus {
        ControllerStatus(workspace: configuration.step.workspace, repository: ControllerStatus.redacted(configuration.repository),
                         branch: configuration.branch, path: configuration.path, suspended: suspended, fetchedRevision: fetchedRevision,
                         appliedRevision: appliedRevision, conditions: conditions, history: history, drift: drift, progress: progress,
                         lastFetch: lastFetch, nextAttempt: nextAttempt, pruneSkipped: pruneSkipped, runs: runs)
    }

    public var isReady: Bool { conditions[.Ready]?.status == true }
}

extension ControllerStatus {
    /// A URL without its user info (`https://user:token@host/…` → `https://host/…`).
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + String(url[url.index(after: at)...])
    }
}

/// What survives a restart: suspension, and the revision last applied (drift is judged against it).
struct ControllerStateFile: Sendable {
    struct Saved: Codable { var suspended = false; var appliedRevision: String? }
    let path: String

    func load() -> Saved {
        (FileManager.default.contents(atPath: path)).flatMap { try? JSONDecoder().decode(Saved.self, from: $0) } ?? Saved()
    }

    func save(_ s: Saved) throws(PersistError) {
        do {
            let data = try JSONEncoder().encode(s)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: path + ".tmp"))
        } catch {
            throw PersistError(path: path, reason: "\(error)")
        }
        guard rename(path + ".tmp", path) == 0 else { throw PersistError(path: path, reason: String(cString: strerror(errno))) }
    }
}
