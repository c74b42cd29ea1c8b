/// bcops' ownership labels as the pages show them (BCPlan's `OwnershipLabels`; BCPlan is not a
/// dependency of the dashboard): who owns an object, and whether it changed since bcops applied it.
enum Ownership {
    static let address = "bcops.io/address", workspace = "bcops.io/workspace", revision = "bcops.io/revision"

    /// `RenderProject/farm in default`, or `not owned by bcops`.
    static func owner(_ labels: [String: String]) -> String {
        guard let a = labels[address] else { return "not owned by bcops" }
        return a + (labels[workspace].map { " in \($0)" } ?? "")
    }

    /// The live revision and, for an owned object, whether it is still the one bcops applied
    /// (the `bcops.io/revision` label holds the revision right after bcops' last apply).
    static func revision(live: Int, labels: [String: String]) -> String {
        guard let applied = labels[revision].flatMap(Int.init) else { return "\(live)" }
        return applied == live ? "\(live) (as applied)" : "\(live) (applied \(applied); changed outside bcops since)"
    }
}
