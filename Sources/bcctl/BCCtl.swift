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
                      RenderCommand.self, WorkflowCommand.self, JobsCommand.self, JobCommand.self, LogsCommand.self, ControllerCommand.self, StatusCommand.self, SGECommand.self, PlanApproveCommand.self, VersionCommand.self])

    /// ArgumentParser's entry point, with `-version` and the help of groups that run a
    /// default subcommand (`bcctl controller`, `bcctl lock`) as bcplan and bcapply have them.
    static func main() async {
        let arguments = CommandLineHelp.normalized(Array(CommandLine.arguments.dropFirst()))
        if let help = CommandLineHelp.groupHelp(root: self, arguments: arguments) {
            print(help)
            return
        }
        await main(arguments)
    }
}
