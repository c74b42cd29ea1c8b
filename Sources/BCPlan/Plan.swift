import BCModel

/// What a plan proposes for one resource.
public enum PlanAction: String, Codable, Sendable {
    case noop, create, update, replace, delete
    /// A run kind: submit a (new) run.
    case run

    /// Terraform's `change.actions` for this action.
    public var terraformActions: [String] {
        switch self {
        case .noop: ["no-op"]
        case .create, .run: ["create"]
        case .update: ["update"]
        case .replace: ["delete", "create"]
        case .delete: ["delete"]
        }
    }
}

/// A field's value as a plan shows it: known, sensitive (never the value), or known only
/// after apply (another resource's ID that does not exist yet).
public enum PlanValue: Codable, Sendable, Equatable {
    case known(JSONValue)
    case sensitive(hash: String?)
    case unknown
    case absent
    /// What bcops last applied: only its hash is kept, in the object's labels.
    case asApplied
}

/// One field that differs between the live object and the manifests.
public struct FieldChange: Codable, Sendable, Equatable {
    public var path: String
    public var before: PlanValue
    public var after: PlanValue
    /// Changing it needs a new object.
    public var forcesReplacement: Bool
    /// Whether the plan changes it (unchanged fields are kept for JSON's before/after).
    public var changed: Bool = true

    public var isSensitive: Bool {
        if case .sensitive = before { return true }
        if case .sensitive = after { return true }
        return false
    }
}

/// The plan for one resource.
public struct ResourceChange: Codable, Sendable {
    public var address: ResourceAddress
    public var action: PlanAction
    /// Why, in the words the plan prints: `forces replacement`, `not in configuration`, …
    public var reason: String?
    /// Terraform's `action_reason` (`replace_because_cannot_update`, `delete_because_no_resource_config`, …).
    public var actionReason: String?
    /// Every field the manifest sets (and any it no longer sets), before and after.
    public var fields: [FieldChange]
    /// The live object's ID, when there is one.
    public var liveId: String?
    /// Its revision when planned; an update leaves it one higher.
    public var liveRevision: Int?
    /// Nothing to change, but its ownership labels are out of date (written by an older
    /// bcops, or the object was changed back by hand): bcapply rewrites them, so the next plan
    /// can skip reading it in full again.
    public var relabel: Bool? = nil
    /// Run kinds without an action: `already succeeded`, `running`, `waiting (…)`, `failed (last attempt …)`.
    public var runStatus: String?
    /// A declared run whose last attempt (`liveId`) failed, was stopped or finished with failed
    /// instances, and that this plan does not run again: why, in the engine's words. Such a
    /// plan has not converged even with nothing to do (`Plan.failedRuns`).
    public var runFailure: String? = nil

    public var changedFields: [FieldChange] { fields.filter(\.changed) }
    public var unchangedCount: Int { fields.count - changedFields.count }
}

/// Fields of an owned object that changed outside bcops since it was applied.
public struct ResourceDrift: Codable, Sendable {
    public var address: ResourceAddress
    public var changes: [FieldChange]
}

/// A plan: data only. Renderers (text, JSON, Markdown) and the applier read it; nothing in it
/// is a secret value.
public struct Plan: Codable, Sendable {
    public var formatVersion = 1
    public var workspace: String
    public var lineage: String
    public var serial: Int
    /// SHA-256 of the manifest files the plan was made from.
    public var manifestsHash: String
    public var createdAt: String
    public var destroy = false
    public var changes: [ResourceChange]
    public var drift: [ResourceDrift]
    /// The desired resources the changes apply (secrets as references, never values).
    public var desired: [DesiredResourceRecord]
    public var warnings: [String] = []
    /// Where the workspace's name came from (`WorkspaceChoice.origin`): the text plan's header.
    public var workspaceOrigin: String? = nil

    public var actionable: [ResourceChange] { changes.filter { $0.action != .noop } }
    /// Unchanged objects whose ownership labels bcapply brings up to date.
    public var staleLabels: Int { changes.filter { $0.relabel == true }.count }
    public var hasChanges: Bool { !actionable.isEmpty }

    public var counts: ChangeCounts { ChangeCounts(changes.map(\.action)) }

    /// Declared runs that failed and that this plan does not run again.
    public var failedRuns: [ResourceChange] { changes.filter { $0.runFailure != nil } }

    /// Whether the live estate is what the manifests declare: nothing to change and no
    /// declared run failed. `-detailed-exitcode` exits 0 only then.
    public var converged: Bool { !hasChanges && failedRuns.isEmpty }

    /// Terraform's sentence, with `N to run, ` first when runs are planned and the failed runs
    /// that are not run again last. "No changes." is said only of a converged estate.
    public var summary: String {
        let failed = failedRuns
        guard hasChanges else {
            guard !failed.isEmpty else { return "No changes. Your infrastructure matches the configuration." }
            let one = failed.count == 1
            let listed = failed.map { "\($0.address) (\($0.liveId.map { "\($0): " } ?? "")\($0.runFailure!))" }.joined(separator: ", ")
            return "No changes to make, but \(failed.count) declared run\(one ? " has" : "s have") failed: \(listed). "
                + "Re-run \(one ? "it with a new `rerun:` token" : "them with new `rerun:` tokens") (or bcapply -replace \(failed[0].address)\(one ? "" : " …"))."
        }
        let c = counts
        let run = c.run > 0 ? "\(c.run) to run, " : ""
        let failedRuns = failed.isEmpty ? "" : "; \(failed.count) failed run\(failed.count == 1 ? "" : "s")"
        return "Plan: \(run)\(c.add) to add, \(c.change) to change, \(c.destroy) to destroy\(failedRuns)."
    }
}

/// `DesiredResource` as a plan file keeps it.
public struct DesiredResourceRecord: Codable, Sendable {
    public var address: ResourceAddress
    public var collection: LiveCollection
    public var name: String
    public var fields: [DesiredField]
    public var fixed: [String: JSONValue]
    public var dependencies: [ResourceAddress]
    public var userLabels: [String: String]
    public var rerunToken: String?
    /// What bcapply stages before submitting (a WorkflowRun's sources): a plan file applies as planned.
    public var staged: [StagedObject]?

    public init(_ d: DesiredResource) {
        address = d.address
        collection = d.collection
        name = d.name
        fields = d.fields
        fixed = d.fixed
        dependencies = d.dependencies.sorted()
        userLabels = d.userLabels
        rerunToken = d.rerunToken
        staged = d.staged.isEmpty ? nil : d.staged
    }

    public var resource: DesiredResource {
        DesiredResource(address: address, collection: collection, name: name, fields: fields, fixed: fixed,
                        dependencies: Set(dependencies), userLabels: userLabels, rerunToken: rerunToken, plainSpecHash: nil,
                        staged: staged ?? [])
    }
}

/// Runs, adds, changes and destroys, as the summary sentences and JSON count them (a
/// replacement is one add and one destroy).
public struct ChangeCounts: Sendable, Equatable {
    public var run = 0, add = 0, change = 0, destroy = 0

    public init<S: Sequence>(_ actions: S) where S.Element == PlanAction {
        for action in actions {
            switch action {
            case .noop: break
            case .run: run += 1
            case .create: add += 1
            case .update: change += 1
            case .replace: add += 1; destroy += 1
            case .delete: destroy += 1
            }
        }
    }

    /// Terraform's JSON keys (`remove` for destroys), plus bcops' `run`.
    public var json: JSONValue {
        .object(["run": .integer(run), "add": .integer(add), "change": .integer(change), "remove": .integer(destroy)])
    }
}
