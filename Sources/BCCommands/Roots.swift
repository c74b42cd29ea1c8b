import ArgumentParser

/// `bcplan`: show how the live estate differs from the manifests (`bcplan validate` checks them only).
public struct BCPlanRoot: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bcplan",
        abstract: "Show how the live batch estate differs from the manifests.",
        discussion: "Without a subcommand, bcplan plans (bcplan plan's flags). bcplan validate checks manifests without an engine.",
        version: BCOpsVersion.string,
        subcommands: [PlanCommand.self, ValidateCommand.self, VersionCommand.self],
        defaultSubcommand: PlanCommand.self)
    public init() {}
}

/// `bcapply`: make the live estate match the manifests or a saved plan.
public struct BCApplyRoot: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bcapply",
        abstract: "Make the live batch estate match the manifests.",
        discussion: "Without a subcommand, bcapply applies (bcapply apply's flags): bcapply [DIR|PLANFILE].",
        version: BCOpsVersion.string,
        subcommands: [ApplyCommand.self, ValidateCommand.self, VersionCommand.self],
        defaultSubcommand: ApplyCommand.self)
    public init() {}
}

extension AsyncParsableCommand {
    /// Parses, runs and ends the process through `Terminal.exitNow`, for the executables whose
    /// commands talk to an engine: errors and help are printed as ArgumentParser prints them,
    /// except that a group's help lists its default subcommand's flags (`CommandLineHelp`).
    public static func runAndExit() async -> Never {
        let arguments = CommandLineHelp.normalized(Array(CommandLine.arguments.dropFirst()))
        if let help = CommandLineHelp.groupHelp(root: self, arguments: arguments) {
            print(help)
            Terminal.exitNow(0)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Terminal.exitNow(0)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { printError(message) }
            }
            Terminal.exitNow(code.rawValue)
        }
    }
}
