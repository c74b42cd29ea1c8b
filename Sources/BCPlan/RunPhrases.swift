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

    /// Ended without failing although instances failed: change `rerun:` to try again.
    func finishedWithFailures(_ message: String, id: String) -> String {
        "\(kind == .RenderJob ? "rendered with failed frames" : "finished with failures") (\(id): \(message); change rerun: to run again)"
    }
}
