import BCModel

/// A pull-request comment: the summary line, a table of the resources that change, and the
/// full text plan in `<details>` — never longer than GitHub's 65,536 characters. A plan too
/// large keeps the table (trimmed if need be) and says where the full plan is.
public enum MarkdownPlanRenderer {
    public static let limit = 65_536

    public static func render(_ plan: Plan, fullPlanLocation: String = "the CI log (bcplan output) or `bcctl show PLANFILE`",
                              limit: Int = MarkdownPlanRenderer.limit) -> String {
        let head = "### bcops plan: workspace `\(plan.workspace)`\n\n**\(plan.summary)**\n\n"
        var rows = plan.actionable.map { c in
            "| \(symbol(c.action)) | `\(c.address)` | \(escape(c.reason ?? c.actionReason ?? "")) |"
        }
        if !plan.drift.isEmpty {
            rows += plan.drift.map { "| ⚠ drift | `\($0.address)` | changed outside bcops: \(escape($0.changes.map(\.path).joined(separator: ", "))) |" }
        }
        let tableHead = rows.isEmpty ? "" : "| Action | Resource | Reason |\n|---|---|---|\n"
        var table = rows.isEmpty ? "" : tableHead + rows.joined(separator: "\n") + "\n"
        let warnings = plan.warnings.map { "> **Warning:** \(escape($0))\n" }.joined()
        let text = TextPlanRenderer(style: .plain).render(plan)
        let details = "\n<details><summary>Full plan</summary>\n\n```diff\n\(diffMarkers(text))```\n\n</details>\n"
        let full = head + table + warnings + details
        if full.count <= limit { return full }
        let note = "\n_The full plan is too large for a comment (\(text.count) characters); see \(fullPlanLocation)._\n"
        if (head + table + warnings + note).count > limit {
            var kept: [String] = []
            var size = head.count + tableHead.count + warnings.count + note.count + 200
            for row in rows {
                if size + row.count + 1 > limit { break }
                kept.append(row)
                size += row.count + 1
            }
            table = tableHead + kept.joined(separator: "\n") + "\n| … | \(rows.count - kept.count) more | |\n"
        }
        return head + table + warnings + note
    }

    static func symbol(_ a: PlanAction) -> String {
        switch a {
        case .create: "+ create"
        case .update: "~ update"
        case .delete: "- destroy"
        case .replace: "-/+ replace"
        case .run: "> run"
        case .noop: ""
        }
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    /// GitHub colours `diff` blocks by the first column: move `+`, `-` and `~` there (Atlantis' trick, `~` as `!`).
    static func diffMarkers(_ text: String) -> String {
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if let first = trimmed.first, "+-~>".contains(first), indent > 0 {
                let marker = first == "~" ? "!" : String(first)
                out += marker + String(repeating: " ", count: indent - 1) + trimmed.dropFirst() + "\n"
            } else if trimmed.hasPrefix("-/+") {
                out += "!" + line.dropFirst() + "\n"
            } else {
                out += line + "\n"
            }
        }
        return out
    }
}
