import ArgumentParser

/// `bcctl workflow …`: WDL workflow runs — the calls of a run, and the command the engine's
/// public `cromwell` App runs on its node.
public struct WorkflowCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "WDL workflow runs: the calls of a run, and the runner the engine starts.",
        subcommands: [WorkflowStatusCommand.self, WorkflowRunnerCommand.self])
    public init() {}
}
