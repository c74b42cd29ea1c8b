import BCModel

extension PlanValue {
    /// How a value reads in a text plan: JSON for known values, Terraform's words otherwise.
    var text: String {
        switch self {
        case .known(let v): v.canonicalString
        case .sensitive: "(sensitive value)"
        case .unknown: "(known after apply)"
        case .absent: "null"
        case .asApplied: "(as applied)"
        }
    }
}

extension FieldChange {
    /// `old -> new`, or one value when nothing changes; a sensitive change says only that it changed.
    var transitionText: String {
        if isSensitive { return changed && before != .absent ? "(sensitive value, changed)" : "(sensitive value)" }
        if !changed || before == .absent { return after.text }
        return "\(before.text) -> \(after.text)"
    }
}
