import ArgumentParser
import BCCommands
import BCEngineCommands

/// `bcctl`: operator commands.
@main
struct BCCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bcctl",
        abstract: "Operate bcops: validate, format and describe manifests, show plans, manage locks and ownership, run the engine.",
        version: BCOpsVersion.string,
        subcommands: [ValidateCommand.self, FmtCommand.self, SchemaCommand.self, SummaryCommand.self, ShowCommand.self, GraphCommand.self,
                      LockCommand.self, ForceUnlockCommand.self, ImportCommand.self, ForgetCommand.self, EngineCommand.self, OSSCommand.self,
                      RenderCommand.self, LogsCommand.self, ControllerCommand.self, StatusCommand.self, PlanApproveCommand.self])
}
