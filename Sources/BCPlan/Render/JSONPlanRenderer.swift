import BCModel

/// Terraform's plan JSON shape (`terraform show -json PLANFILE`), so policy tools written
/// for Terraform plans read bcops plans with small changes. Addresses are `Kind/name`;
/// `before`/`after` hold the manifest's fields nested by their path; sensitive values are
/// left out and marked in `before_sensitive`/`after_sensitive`.
public enum JSONPlanRenderer {
    public static func render(_ plan: Plan, version: String) -> JSONValue {
        var top: [String: JSONValue] = [
            "format_version": .string("1.2"),
            "terraform_version": .string("bcops \(version)"),
            "applyable": .bool(plan.hasChanges),
            "complete": .bool(true),
            "errored": .bool(false),
            "timestamp": .string(plan.createdAt),
            "resource_changes": .array(plan.changes.map(resourceChange)),
            "resource_drift": .array(plan.drift.map(drift)),
            "bcops": .object([
                "workspace": .string(plan.workspace), "lineage": .string(plan.lineage), "serial": .integer(plan.serial),
                "manifests_hash": .string(plan.manifestsHash), "summary": .string(plan.summary),
                "warnings": .array(plan.warnings.map(JSONValue.string)),
            ]),
        ]
        top["change_summary"] = plan.counts.json
        // Declared runs that failed and are not run again (only when there are some: the
        // plan of a converged estate is unchanged).
        let failed = plan.failedRuns
        if !failed.isEmpty, var bcops = top["bcops"]?.objectValue {
            bcops["failed_runs"] = .array(failed.map { c in
                .object(["address": .string(c.address.description), "id": c.liveId.map(JSONValue.string) ?? .null,
                         "reason": .string(c.runFailure ?? "")])
            })
            top["bcops"] = .object(bcops)
        }
        return .object(top)
    }

    static func insert(_ value: JSONValue, at path: [Substring], into object: inout [String: JSONValue]) {
        guard let first = path.first.map(String.init) else { return }
        if path.count == 1 { object[first] = value; return }
        var inner = object[first]?.objectValue ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &inner)
        object[first] = .object(inner)
    }

    /// (values, sensitive mask, unknown mask) for one side of the fields.
    static func side(_ fields: [FieldChange], _ pick: (FieldChange) -> PlanValue) -> (JSONValue?, JSONValue, JSONValue) {
        var values: [String: JSONValue] = [:], sensitive: [String: JSONValue] = [:], unknown: [String: JSONValue] = [:]
        var any = false
        for f in fields {
            let path = f.path.split(separator: ".")
            switch pick(f) {
            case .known(let v): insert(v, at: path, into: &values); any = true
            case .sensitive: insert(.bool(true), at: path, into: &sensitive); any = true
            case .unknown: insert(.bool(true), at: path, into: &unknown); any = true
            case .asApplied: any = true
            case .absent: break
            }
        }
        return (any ? .object(values) : nil, .object(sensitive), .object(unknown))
    }

    static func change(actions: [String], fields: [FieldChange], creating: Bool, deleting: Bool) -> JSONValue {
        let before = side(fields) { $0.before }
        let after = side(fields) { $0.after }
        return .object([
            "actions": .array(actions.map(JSONValue.string)),
            "before": creating ? .null : (before.0 ?? .object([:])),
            "after": deleting ? .null : (after.0 ?? .object([:])),
            "after_unknown": after.2,
            "before_sensitive": creating ? .bool(false) : before.1,
            "after_sensitive": deleting ? .bool(false) : after.1,
            "replace_paths": .array(fields.filter(\.forcesReplacement).map { .array($0.path.split(separator: ".").map { .string(String($0)) }) }),
        ])
    }

    static func resourceChange(_ c: ResourceChange) -> JSONValue {
        var o: [String: JSONValue] = [
            "address": .string(c.address.description), "mode": .string("managed"), "type": .string(c.address.kind.rawValue),
            "name": .string(c.address.name), "provider_name": .string("bcops.io/batchcompute"),
            "change": change(actions: c.action.terraformActions, fields: c.fields, creating: c.action == .create || (c.action == .run && c.liveId == nil),
                             deleting: c.action == .delete),
        ]
        if let r = c.actionReason { o["action_reason"] = .string(r) }
        if let r = c.reason { o["bcops_reason"] = .string(r) }
        if let s = c.runStatus { o["bcops_run_status"] = .string(s) }
        if let id = c.liveId { o["bcops_id"] = .string(id) }
        return .object(o)
    }

    static func drift(_ d: ResourceDrift) -> JSONValue {
        .object([
            "address": .string(d.address.description), "mode": .string("managed"), "type": .string(d.address.kind.rawValue),
            "name": .string(d.address.name), "change": change(actions: ["update"], fields: d.changes, creating: false, deleting: false),
        ])
    }
}
