import BCAPI
import BCClient
import BCManifest
import BCModel
import BCPlan
import Foundation

/// One pass of the loop for one revision: lower, lock, refresh, plan, (maybe) apply, with
/// the same pipeline bcplan and bcapply use. Returns what happened; never throws, so the
/// loop turns every failure into a condition.
public struct ReconcileStep: Sendable {
    public struct Settings: Sendable {
        public var workspace: String
        public var prune: Bool
        public var selfHeal: Bool
        public var requireReviewedPlan: Bool
        public var parallelism: Int
        public var journalDirectory: String
        public var lockTimeout: Double

        public init(workspace: String = "default", prune: Bool = false, selfHeal: Bool = false, requireReviewedPlan: Bool = false,
                    parallelism: Int = 10, journalDirectory: String, lockTimeout: Double = 30) {
            self.workspace = workspace; self.prune = prune; self.selfHeal = selfHeal
            self.requireReviewedPlan = requireReviewedPlan; self.parallelism = parallelism
            self.journalDirectory = journalDirectory; self.lockTimeout = lockTimeout
        }
    }

    /// Owned resources by kind: how many match the manifests (ready) and how many do not.
    public typealias Readiness = [String: (ready: Int, notReady: Int)]

    /// The plan a pass made: its sentence and counts (after prune was left out).
    public struct PlanReport: Sendable {
        public var summary: String
        public var counts: ChangeCounts
    }

    /// What an apply did.
    public struct ApplyReport: Sendable {
        public var summary: String
        /// What was done: created, updated, replaced, deleted, runs submitted.
        public var counts: ChangeCounts
        /// `Kind/name: error` of each failed operation.
        public var failures: [String]
        public var remaining: Int
        public var seconds: Double
        public var succeeded: Bool { failures.isEmpty && remaining == 0 }
        /// The `ApplyFailed` condition's message: each failure, then how many remain.
        public var failureMessage: String { (failures + ["remaining: \(remaining)"]).joined(separator: "; ") }
    }

    public enum Outcome: Sendable {
        /// Applied (or nothing to apply): the plan, and the apply when there was one. The
        /// readiness is the estate's after the apply.
        case applied(plan: PlanReport, apply: ApplyReport?, resources: Readiness, pruneSkipped: Int)
        /// Same revision as last applied and the estate drifted: reported, not corrected.
        case drift(plan: PlanReport, addresses: [String], resources: Readiness)
        case validationFailed([String])
        case notReviewed(String)
        case failed(reason: String, message: String)
        /// Some operations failed: the readiness counts what was done as ready.
        case applyFailed(plan: PlanReport, apply: ApplyReport, resources: Readiness)
    }

    public let client: BatchComputeClient
    public let settings: Settings

    public init(client: BatchComputeClient, settings: Settings) {
        self.client = client
        self.settings = settings
    }

    /// - Parameters:
    ///   - newRevision: the revision was not applied before (apply everything it asks);
    ///     otherwise differences are drift, corrected only with self-heal.
    ///   - onApplyStart: called when the first mutating call is about to go out.
    public func run(_ loaded: LoadResult, revision: String, newRevision: Bool,
                    onApplyStart: @escaping @Sendable () -> Void = {}) async -> Outcome {
        guard loaded.isValid else { return .validationFailed(loaded.diagnostics.map(\.description)) }
        let (desired, errors) = PlanPipeline.lower(loaded.manifests)
        guard errors.isEmpty else { return .validationFailed(errors) }
        let lock: WorkspaceLock
        do {
            lock = try await WorkspaceLock.acquire(workspace: settings.workspace, operation: "controller \(revision.prefix(12))", client: client,
                                                   timeout: settings.lockTimeout)
        } catch {
            return .failed(reason: Reason.dependencyNotReady, message: "cannot lock workspace \(settings.workspace): \(error)")
        }
        let outcome = await planAndApply(desired, loaded: loaded, revision: revision, newRevision: newRevision, onApplyStart: onApplyStart)
        await lock.release()
        return outcome
    }

    func planAndApply(_ desired: [DesiredResource], loaded: LoadResult, revision: String, newRevision: Bool,
                      onApplyStart: @escaping @Sendable () -> Void) async -> Outcome {
        let hasher = FieldHasher(accessKeySecret: client.configuration.accessKeySecret)
        let options = PlanOptions()
        var plan: Plan
        var owned = 0
        do {
            let workspace = try await WorkspaceState.fetch(settings.workspace, client: client)
            let inventory = try await LiveState.inventory(client: client, workspace: settings.workspace)
            let live = try await PlanPipeline.refresh(desired: desired, inventory: inventory, client: client, workspace: settings.workspace,
                                                      options: options, hasher: hasher, refresh: true)
            owned = live.objects.keys.filter { !$0.kind.isRun }.count
            plan = PlanPipeline.plan(desired: desired, files: [], workspace: workspace, live: live, options: options, hasher: hasher,
                                     detailed: settings.requireReviewedPlan)
        } catch {
            return .failed(reason: Reason.dependencyNotReady, message: "cannot read the live estate: \(error)")
        }
        // Prune is off unless asked for: objects no longer in the manifests stay, and are counted.
        var pruneSkipped = 0
        if !settings.prune {
            pruneSkipped = plan.changes.filter { $0.action == .delete }.count
            plan.changes.removeAll { $0.action == .delete }
        }
        let resources = ReconcileStep.readiness(plan)
        let planned = PlanReport(summary: plan.summary, counts: plan.counts)
        if !plan.hasChanges && plan.staleLabels == 0 {
            return .applied(plan: planned, apply: nil, resources: resources, pruneSkipped: pruneSkipped)
        }
        if !newRevision && plan.hasChanges && !settings.selfHeal {
            return .drift(plan: planned, addresses: plan.actionable.map(\.address.description), resources: resources)
        }
        if settings.requireReviewedPlan && plan.hasChanges {
            let digest = PlanDigest.contentHash(plan, includingDeletes: settings.prune)
            let approved: String?
            do {
                let response = try await client.send(.GET, "/bcops/approvals/\(settings.workspace)/\(revision)")
                approved = response.status == 200 ? (try JSONValue.parse(response.body))["Digest"]?.stringValue : nil
            } catch {
                return .failed(reason: Reason.dependencyNotReady, message: "cannot read plan approvals: \(error)")
            }
            guard approved == digest else {
                let what = approved == nil ? "no plan was approved for revision \(revision)"
                    : "the approved plan for revision \(revision) differs from the plan computed now (digest \(approved!.prefix(12)) approved, \(digest.prefix(12)) now)"
                return .notReviewed("\(what); this plan would do: \(PlanDigest.lines(plan).joined(separator: "; "))")
            }
        }
        let journal: ApplyJournal
        do {
            journal = try ApplyJournal.open(directory: settings.journalDirectory, workspace: settings.workspace).0
        } catch {
            return .failed(reason: Reason.applyFailed, message: "cannot open the apply journal: \(error)")
        }
        let applier = Applier(client: client, hasher: hasher, options: ApplyOptions(parallelism: settings.parallelism), journal: journal)
        do { try applier.checkDeletes(plan, owned: owned) } catch {
            return .failed(reason: Reason.applyFailed, message: "\(error)")
        }
        onApplyStart()
        let applyStarted = Date()
        let result = await applier.apply(plan) { _ in }
        _ = try? await WorkspaceState.bump(settings.workspace, client: client)
        let report = ApplyReport(summary: result.summary, counts: result.counts, failures: result.failed.map { "\($0.address): \($0.message)" },
                                 remaining: result.remaining.count, seconds: Date().timeIntervalSince(applyStarted))
        // The gauges describe the estate after the apply, not the plan before it.
        let after = ReconcileStep.readiness(plan, after: result)
        guard result.succeeded else { return .applyFailed(plan: planned, apply: report, resources: after) }
        return .applied(plan: planned, apply: report, resources: after, pruneSkipped: pruneSkipped)
    }

    /// The readiness once `result` was applied: what it did is ready now.
    static func readiness(_ plan: Plan, after result: ApplyResult) -> Readiness {
        var out = readiness(plan)
        for done in result.done where done.action != .delete {
            let kind = done.address.kind.rawValue
            guard var entry = out[kind], entry.notReady > 0 else { continue }
            entry.notReady -= 1
            entry.ready += 1
            out[kind] = entry
        }
        return out
    }

    /// Per kind: resources the plan leaves alone (ready) and those it changes (not ready yet);
    /// a declared run that failed and is not run again is not ready either.
    static func readiness(_ plan: Plan) -> [String: (ready: Int, notReady: Int)] {
        var out: [String: (ready: Int, notReady: Int)] = [:]
        for c in plan.changes where c.action != .delete {
            var entry = out[c.address.kind.rawValue] ?? (0, 0)
            if c.action == .noop && c.runFailure == nil { entry.ready += 1 } else { entry.notReady += 1 }
            out[c.address.kind.rawValue] = entry
        }
        return out
    }
}
