import BCModel

/// ANSI colours for the text renderers; `plain` when not on a terminal, with NO_COLOR or -no-color.
public struct TextStyle: Sendable {
    public var colour: Bool
    public init(colour: Bool) { self.colour = colour }
    public static let plain = TextStyle(colour: false)

    func paint(_ s: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func green(_ s: String) -> String { paint(s, "32") }
    public func yellow(_ s: String) -> String { paint(s, "33") }
    public func red(_ s: String) -> String { paint(s, "31") }
    public func cyan(_ s: String) -> String { paint(s, "36") }
    public func bold(_ s: String) -> String { paint(s, "1") }
}

/// The plan as Terraform users read it: drift first, then a legend of the symbols used, each
/// resource with its reason and per-field `old -> new`, then the summary sentence.
public struct TextPlanRenderer: Sendable {
    public var style: TextStyle
    public init(style: TextStyle) { self.style = style }

    public func render(_ plan: Plan) -> String {
        var out = ""
        if !plan.drift.isEmpty {
            out += style.bold("Note: Objects have changed outside of bcops") + "\n\n"
            out += "bcops detected the following changes made outside of bcops since the last \"bcapply\" (changed outside bcops):\n"
            for d in plan.drift {
                out += "\n  # \(style.bold(d.address.description)) has changed\n"
                out += "  \(style.yellow("~")) \(d.address.kind.rawValue) \"\(d.address.name)\" {\n"
                out += fieldLines(d.changes, symbol: style.yellow("~"))
                out += "    }\n"
            }
            out += "\n"
            out += "Unless you have made equivalent changes to your manifests, applying will undo these changes.\n\n"
        }
        let actionable = plan.actionable
        if !actionable.isEmpty {
            out += "bcops compared the manifests with the live estate and made the following execution plan. "
            out += "Resource actions are indicated with the following symbols:\n"
            let used = Set(actionable.map(\.action))
            if used.contains(.create) { out += "  \(style.green("+")) create\n" }
            if used.contains(.update) { out += "  \(style.yellow("~")) update in-place\n" }
            if used.contains(.delete) { out += "  \(style.red("-")) destroy\n" }
            if used.contains(.replace) { out += "\(style.red("-"))/\(style.green("+")) destroy and then create replacement\n" }
            if used.contains(.run) { out += "  \(style.cyan(">")) run\n" }
            out += "\nbcops will perform the following actions:\n"
            for change in actionable { out += "\n" + resource(change) }
        }
        let runs = plan.changes.filter { $0.runStatus != nil }
        if !runs.isEmpty {
            out += "\nRuns with nothing to do:\n"
            for r in runs {
                let id = r.liveId.flatMap { r.runStatus!.contains($0) ? nil : " (\($0))" } ?? ""
                out += "  \(r.address): \(r.runStatus!)\(id)\n"
            }
        }
        for w in plan.warnings { out += "\n" + style.yellow("Warning: ") + w + "\n" }
        out += "\n" + style.bold(plan.summary) + "\n"
        // Which workspace, and why that one, first (bcplan and bcapply set it; a controller's plan has none).
        if let origin = plan.workspaceOrigin {
            out = style.bold("Workspace: \(plan.workspace)") + " (\(origin))\n" + (out.hasPrefix("\n") ? "" : "\n") + out
        }
        return out
    }

    func symbol(_ a: PlanAction) -> String {
        switch a {
        case .create: "  " + style.green("+")
        case .update: "  " + style.yellow("~")
        case .delete: "  " + style.red("-")
        case .replace: style.red("-") + "/" + style.green("+")
        case .run: "  " + style.cyan(">")
        case .noop: "   "
        }
    }

    func header(_ c: ResourceChange) -> String {
        let a = style.bold(c.address.description)
        switch c.action {
        // A create's reason is an attach's ("will adopt cls-… (attach), then make its groups match").
        case .create: return "  # \(a) \(c.reason ?? "will be created")\n"
        case .update: return "  # \(a) will be updated in-place\n"
        case .delete: return "  # \(a) will be destroyed\n" + (c.reason.map { "  # (\($0))\n" } ?? "")
        case .replace: return "  # \(a) \(c.reason ?? "must be replaced")\n"
        case .run: return "  # \(a) \(c.reason ?? "will be submitted")\n"
        case .noop: return ""
        }
    }

    func resource(_ c: ResourceChange) -> String {
        var out = header(c)
        out += "\(symbol(c.action)) \(c.address.kind.rawValue) \"\(c.address.name)\" {\n"
        switch c.action {
        case .create:
            out += fieldLines(c.fields, symbol: style.green("+"))
        case .delete:
            if let id = c.liveId { out += "      \(style.red("-")) id = \"\(id)\"\n" }
        default:
            let shown = c.action == .run && c.changedFields.isEmpty ? c.fields : c.changedFields
            out += fieldLines(shown, symbol: c.action == .run && c.changedFields.isEmpty ? style.green("+") : style.yellow("~"))
            if c.unchangedCount > 0 && !(c.action == .run && c.changedFields.isEmpty) {
                out += "        # (\(c.unchangedCount) unchanged attribute\(c.unchangedCount == 1 ? "" : "s") hidden)\n"
            }
        }
        out += "    }\n"
        return out
    }

    func fieldLines(_ fields: [FieldChange], symbol: String) -> String {
        let width = min(40, fields.map(\.path.count).max() ?? 0)
        var out = ""
        for f in fields {
            let mark: String
            if case .absent = f.after, f.changed { mark = style.red("-") } else if case .absent = f.before, f.changed, symbol != style.green("+") { mark = style.green("+") } else { mark = symbol }
            let padded = f.path.count < width ? f.path + String(repeating: " ", count: width - f.path.count) : f.path
            out += "      \(mark) \(padded) = \(f.transitionText)"
            if f.forcesReplacement { out += style.red(" # forces replacement") }
            out += "\n"
        }
        return out
    }
}
