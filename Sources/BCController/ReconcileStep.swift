import BCAPI
import BCClient
import BCManifest
import BCModel
import BCPlan
import Foundation

/// One pass of the loop for one revision: the reconcile session bcplan and bcapply run
/// (`ReconcileSession`), with the controller's decisions (prune, drift, reviewed plans). Returns
/// what happened; never throws, so the loop turns every failure into a condition.
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
        /// Moving the workspace's serial on failed (plans saved before are not refused as stale).
        public var serialError: String? = nil
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
    /// The inventory read at the last pass: each pass reads only what changed since.
    let inventory = InventoryMemory()

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
        let session = ReconcileSession(client: client, settings: ReconcileSession.Settings(
            workspace: settings.workspace, operation: "controller \(revision.prefix(12))", lockTimeout: settings.lockTimeout,
            detailed: settings.requireReviewedPlan,
            // Not asked of other workspaces: a name another one owns fails at apply (AlreadyExists).
            checkCollisions: false,
            apply: ApplyOptions(parallelism: settings.parallelism), journalDirectory: settings.journalDirectory, inventoryMemory: inventory),
            observer: SessionObserver(applying: onApplyStart))
        do {
            let reconciled = try await session.apply(.loaded(loaded, hashing: [])) { planned in
                await decide(planned, revision: revision, newRevision: newRevision)
            }
            switch reconciled {
            case .stopped(let outcome):
                return outcome
            case .applied(let applied):
                let plan = applied.plan
                let result = applied.result
                let report = ApplyReport(summary: result.summary, counts: result.counts, failures: result.failed.map { "\($0.address): \($0.message)" },
                                         remaining: result.remaining.count, seconds: applied.seconds, serialError: applied.serialError.map { "\($0)" })
                let planned = PlanReport(summary: plan.summary, counts: plan.counts)
                // The gauges describe the estate after the apply, not the plan before it.
                let after = ReconcileStep.readiness(plan, after: result)
                guard result.succeeded else { return .applyFailed(plan: planned, apply: report, resources: after) }
                return .applied(plan: planned, apply: report, resources: after, pruneSkipped: pruneSkipped(applied.planned.plan))
            }
        } catch let e as ReconcileError {
            return outcome(of: e)
        } catch {
            return .failed(reason: Reason.dependencyNotReady, message: "\(error)")
        }
    }

    /// What the controller does with a plan, still under the lock: leaves deletes out without
    /// `--prune`, reports drift without `--self-heal`, and applies only a reviewed plan with
    /// `--require-reviewed-plan`.
    func decide(_ planned: Planned, revision: String, newRevision: Bool) async -> Decision<Outcome> {
        var plan = planned.plan
        // Prune is off unless asked for: objects no longer in the manifests stay, and are counted.
        let pruneSkipped = pruneSkipped(plan)
        if !settings.prune { plan.changes.removeAll { $0.action == .delete } }
        let resources = ReconcileStep.readiness(plan)
        let report = PlanReport(summary: plan.summary, counts: plan.counts)
        if !plan.hasChanges && plan.staleLabels == 0 {
            return .stop(.applied(plan: report, apply: nil, resources: resources, pruneSkipped: pruneSkipped))
        }
        if !newRevision && plan.hasChanges && !settings.selfHeal {
            return .stop(.drift(plan: report, addresses: plan.actionable.map(\.address.description), resources: resources))
        }
        if settings.requireReviewedPlan && plan.hasChanges {
            let digest = PlanDigest.contentHash(plan, includingDeletes: settings.prune)
            let approved: String?
            do {
                approved = try await client.approval(workspace: settings.workspace, revision: revision)?.digest
            } catch {
                return .stop(.failed(reason: Reason.dependencyNotReady, message: "cannot read plan approvals: \(error)"))
            }
            guard approved == digest else {
                let what = approved == nil ? "no plan was approved for revision \(revision)"
                    : "the approved plan for revision \(revision) differs from the plan computed now (digest \(approved!.prefix(12)) approved, \(digest.prefix(12)) now)"
                return .stop(.notReviewed("\(what); this plan would do: \(PlanDigest.lines(plan).joined(separator: "; "))"))
            }
        }
        return .apply(plan)
    }

    /// Deletes a controller without `--prune` leaves out.
    func pruneSkipped(_ plan: Plan) -> Int {
        settings.prune ? 0 : plan.changes.filter { $0.action == .delete }.count
    }

    /// The condition a session's failure sets.
    func outcome(of error: ReconcileError) -> Outcome {
        switch error {
        case .invalidManifests(let problems), .lowering(let problems):
            return .validationFailed(problems)
        case .lock(let error):
            return .failed(reason: Reason.dependencyNotReady, message: "cannot lock workspace \(settings.workspace): \(error)")
        case .read(let error), .refresh(let error):
            return .failed(reason: Reason.dependencyNotReady, message: "cannot read the live estate: \(error)")
        case .journal(_, let error):
            return .failed(reason: Reason.applyFailed, message: "cannot open the apply journal: \(error)")
        case .refused(let refusal):
            return .failed(reason: Reason.applyFailed, message: "\(refusal)")
        case .options(let error), .noEngine(let error), .savedRefresh(let error):
            // Not raised for a controller's session (default options, a client, no saved plan).
            return .failed(reason: Reason.dependencyNotReady, message: "\(error)")
        case .collisions, .lineageChanged, .stale:
            return .failed(reason: Reason.dependencyNotReady, message: "\(error)")
        }
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
