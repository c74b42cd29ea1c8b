import ArgumentParser

/// `bcplan`: validate manifests now; plans against the live estate arrive with the engine.
public struct BCPlanRoot: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bcplan",
        abstract: "Show how the live batch estate differs from the manifests.",
        discussion: "Planning against a live engine is not available yet; `bcplan validate` checks manifests.",
        version: BCOpsVersion.string,
        subcommands: [ValidateCommand.self])
    public init() {}
}

/// `bcapply`: applies plans once the engine exists; until then it says so instead of pretending.
public struct BCApplyRoot: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bcapply",
        abstract: "Make the live batch estate match the manifests.",
        discussion: "Applying needs the embedded engine, which is not available yet. Use `bcplan validate` and `bcctl summary` meanwhile.",
        version: BCOpsVersion.string,
        subcommands: [ValidateCommand.self])
    public init() {}
}

public enum BCOpsVersion {
    public static let string = "0.1.0"
}
