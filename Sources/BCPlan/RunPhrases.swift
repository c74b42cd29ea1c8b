import BCModel

/// How a plan words runs: a Job is submitted, a RenderJob renders frames.
struct RunPhrases {
    var kind: Kind
    var summary: String?

    var submit: String {
        if kind == .RenderJob, let summary { return "will render \(summary)" }
        if kind == .WorkflowRun { return "will submit" + (summary.map { " \($0)" } ?? "") }
        return "will be submitted"
    }

    func rerun(because paths: [String]) -> String {
        "\(kind == .RenderJob ? "will re-render" : "will re-run") because \(paths.joined(separator: ", ")) changed"
    }

    var rerunRequested: String { kind == .RenderJob ? "will re-render as requested" : "will re-run as requested" }
    var succeeded: String { kind == .RenderJob ? "already rendered" : "already succeeded" }

    /// A WorkflowRun says when it ended (`2026-12-06T13:07:27.123Z` → `ended 2026-12-06 13:07:27 UTC`).
    func succeeded(endTime: String?) -> String {
        guard kind == .WorkflowRun, let end = endTime, end.count >= 19 else { return succeeded }
        return "\(succeeded) (ended \(end.prefix(19).replacingOccurrences(of: "T", with: " ")) UTC)"
    }

    /// Ended without failing although instances failed: change `rerun:` to try again.
    func finishedWithFailures(_ message: String, id: String) -> String {
        "\(kind == .RenderJob ? "rendered with failed frames" : "finished with failures") (\(id): \(message); change rerun: to run again)"
    }
}
