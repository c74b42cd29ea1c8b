import ArgumentParser
import BCClient
import BCPlan
import Foundation

/// Where the live estate is and how to hold it: the flags bcplan, bcapply and the bcctl
/// state commands share.
public struct EstateOptions: ParsableArguments {
    @Option(name: .tf("chdir"), help: "Switch to this directory before doing anything else.")
    public var chdir: String?

    @Option(name: .tf("workspace"), help: ArgumentHelp(
        "The workspace: which objects this set of manifests owns (default: $BCOPS_WORKSPACE, else the workspace in DIR/.bcops/settings.yaml, else default).",
        valueName: "name"))
    public var workspaceFlag: String?

    @Option(name: .tf("lock-timeout"), help: "How long to retry taking the workspace lock (0s, 30s, 5m).")
    public var lockTimeout: Duration = Duration(seconds: 0)

    @Option(name: .tf("lock"), help: "Take the workspace lock (-lock=false skips it; dangerous).")
    public var lock: Bool = true

    public init() {}

    public func validate() throws {
        if let flag = workspaceFlag, !WorkspaceSettings.isValidName(flag) {
            throw ValidationError("-workspace must be \(WorkspaceSettings.nameRule)")
        }
    }

    /// The workspace for manifests in `directories`: -workspace, $BCOPS_WORKSPACE, their
    /// `.bcops/settings.yaml`, or default (`WorkspaceSettings.resolve`); a broken settings
    /// file is reported and ends the command with 1.
    public func workspaceChoice(directories: [String], err: Terminal) throws -> WorkspaceChoice {
        do { return try WorkspaceSettings.resolve(flag: workspaceFlag, directories: directories) } catch {
            throw fail(error.description, err)
        }
    }

    /// The workspace of commands that name no manifests (import, forget): the current
    /// directory's settings file counts.
    public func workspace(err: Terminal) throws -> String {
        try workspaceChoice(directories: ["."], err: err).name
    }

    /// Applies -chdir.
    public func enterDirectory() throws {
        if let chdir, !FileManager.default.changeCurrentDirectoryPath(chdir) {
            throw ValidationError("-chdir: cannot change to \(chdir)")
        }
    }

    public func client() throws -> BatchComputeClient {
        BatchComputeClient(try ClientConfiguration.fromEnvironment(), maxConnections: 16)
    }

    /// The workspace lock for `LockScope`, or nil with -lock=false; a lock held by someone else
    /// is reported here and ends the command with 1.
    static func takeLock(_ operation: String, workspace: String, timeout: Double, locking: Bool, client: BatchComputeClient,
                         err: Terminal) async throws -> WorkspaceLock? {
        guard locking else { return nil }
        do {
            return try await WorkspaceLock.acquire(workspace: workspace, operation: operation, client: client, timeout: timeout)
        } catch let e as LockError {
            printError(err.red("Error: ") + e.description)
            throw ExitCode(1)
        }
    }
}

/// Reports an error the way the commands do, and exits 1.
func fail(_ message: String, _ err: Terminal) -> ExitCode {
    printError(err.red("Error: ") + message)
    return ExitCode(1)
}
