import ArgumentParser
import BCClient
import BCPlan
import Foundation

/// Where the live estate is and how to hold it: the flags bcplan, bcapply and the bcctl
/// state commands share.
public struct EstateOptions: ParsableArguments {
    @Option(name: .tf("chdir"), help: "Switch to this directory before doing anything else.")
    public var chdir: String?

    @Option(name: .tf("workspace"), help: "The workspace: which objects this set of manifests owns (default: $BCOPS_WORKSPACE or default).")
    public var workspace: String = ProcessInfo.processInfo.environment["BCOPS_WORKSPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"

    @Option(name: .tf("lock-timeout"), help: "How long to retry taking the workspace lock (0s, 30s, 5m).")
    public var lockTimeout: Duration = Duration(seconds: 0)

    @Option(name: .tf("lock"), help: "Take the workspace lock (-lock=false skips it; dangerous).")
    public var lock: Bool = true

    public init() {}

    public func validate() throws {
        guard workspace.range(of: #"^[A-Za-z0-9_.-]{1,63}$"#, options: .regularExpression) != nil else {
            throw ValidationError("-workspace must be 1 to 63 letters, digits, '.', '_' or '-'")
        }
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

    public func takeLock(_ operation: String, client: BatchComputeClient, err: Terminal) async throws -> WorkspaceLock? {
        try await Self.takeLock(operation, workspace: workspace, timeout: lockTimeout.seconds, locking: lock, client: client, err: err)
    }

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
