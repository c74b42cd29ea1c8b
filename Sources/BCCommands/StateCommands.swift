import ArgumentParser
import BCClient
import BCModel
import BCPlan
import Foundation

/// `bcctl show PLANFILE`: a saved plan as text, Terraform's plan JSON, or a PR comment.
public struct ShowCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a saved plan (bcplan -out FILE).")

    @Argument(help: "The plan file.") public var planFile: String
    @Flag(name: .tf("json"), help: "Terraform's plan JSON shape.") public var json = false
    @Flag(name: .tf("markdown"), help: "A pull-request comment, at most 65,536 characters.") public var markdown = false
    @Flag(name: .tf("no-color"), help: "Never colour the output.") public var noColor = false

    public init() {}

    public func run() throws {
        guard let plan = PlanFiles.read(planFile) else { throw fail("\(planFile) is not a bcops plan file", Terminal(noColorFlag: noColor, stream: 2)) }
        if json {
            print(JSONPlanRenderer.render(plan, version: BCOpsVersion.string).canonicalString)
        } else if markdown {
            print(MarkdownPlanRenderer.render(plan), terminator: "")
        } else {
            print(TextPlanRenderer(style: TextStyle(colour: Terminal(noColorFlag: noColor).color)).render(plan), terminator: "")
        }
    }
}

/// `bcctl graph`: the order bcapply follows, as Graphviz DOT.
public struct GraphCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print the manifests' dependency graph (DOT): what is created before what.",
        discussion: "An edge A -> B means A needs B first (a Job after the Cluster it runs on); deletes run in the reverse order.")

    @OptionGroup public var input: ManifestOptions

    public init() {}

    public func run() throws {
        let loaded = input.load()
        let err = Terminal(noColorFlag: input.noColor, stream: 2)
        for d in loaded.diagnostics { printError(err.red("error: ") + d.description) }
        guard loaded.isValid else { throw ExitCode(1) }
        let (desired, errors) = PlanPipeline.lower(loaded.manifests)
        for e in errors { printError(err.red("error: ") + e) }
        print(DependencyGraph.dot(desired), terminator: "")
        if !errors.isEmpty { throw ExitCode(1) }
    }
}

/// `bcctl lock list`: the leases held on workspaces.
public struct LockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "lock", abstract: "Show workspace locks.",
                                                           subcommands: [LockList.self], defaultSubcommand: LockList.self)
    public init() {}

    public struct LockList: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "list", abstract: "List the locks held, who holds them and until when.")
        @OptionGroup public var estate: EstateOptions
        @Flag(name: .tf("json"), help: "Print JSON.") public var json = false
        public init() {}

        public func run() async throws {
            let err = Terminal(noColorFlag: false, stream: 2)
            let client: BatchComputeClient
            do { client = try estate.client() } catch { throw fail("\(error)", err) }
            let locks: [LockInfo]
            do { locks = try await WorkspaceLock.list(client: client) } catch { throw fail("\(error)", err) }
            if json {
                let items = locks.map { l in JSONValue.object(["id": .string(l.id), "workspace": .string(l.workspace), "who": .string(l.owner),
                                                               "operation": .string(l.operation), "created": .string(l.created),
                                                               "expires": .string(l.expires), "info": .string(l.info)]) }
                print(JSONValue.array(items).canonicalString)
                return
            }
            guard !locks.isEmpty else { print("No locks are held."); return }
            for l in locks { print(l.text + "\n") }
        }
    }
}

/// `bcctl force-unlock ID`: release a lock someone else holds.
public struct ForceUnlockCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "force-unlock", abstract: "Release a workspace lock held by another process.",
        discussion: "Only for a holder that will not release it (a crashed process's lease also expires by itself). Asks for yes unless -force.")

    @Argument(help: "The lock ID (bcctl lock list).") public var id: String
    @Flag(name: .tf("force"), help: "Do not ask for confirmation.") public var force = false
    @OptionGroup public var estate: EstateOptions

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try estate.client() } catch { throw fail("\(error)", err) }
        if !force {
            print("Do you really want to force-unlock?\n  bcops will remove the lock \(id) on the workspace.\n  This will allow local bcops commands to modify this workspace, even though it\n  may still be in use. Only 'yes' will be accepted to confirm.\n\n  Enter a value: ", terminator: "")
            fflush(nil)
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { print("force-unlock cancelled."); throw ExitCode(1) }
        }
        do { try await WorkspaceLock.forceUnlock(id, client: client) } catch { throw fail("\(error)", err) }
        print("bcops state has been successfully unlocked!")
    }
}

/// `bcctl import ADDR ID`: adopt an existing object.
public struct ImportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Adopt an existing object as ADDR (Kind/name); the next plan shows only real differences.")
    @Argument(help: "Kind/name, as in the manifests.") public var address: String
    @Argument(help: "The object: an app's name or a cluster's ID.") public var id: String
    @OptionGroup public var estate: EstateOptions
    public init() {}

    public func run() async throws {
        guard let a = ResourceAddress(address) else { throw ValidationError("expected Kind/name, got \(address)") }
        try estate.enterDirectory()
        let (workspace, id) = (try estate.workspace(err: Terminal(noColorFlag: false, stream: 2)), self.id)
        try await estate.changeOwnership("import", workspace: workspace) { client in
            try await ImportHint.adopting(a, id: id, workspace: workspace, client: client) {
                try await Ownership.adopt(a, id: id, workspace: workspace, client: client)
            }
        }
        print("\(a): Import prepared!\n  Adopted \(id) into workspace \(workspace). Run bcplan to see how it differs from its manifest.")
    }
}

/// `bcctl forget ADDR`: stop managing an object without deleting it.
public struct ForgetCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "forget", abstract: "Stop managing ADDR (Kind/name) without deleting it: its bcops labels are removed.")
    @Argument(help: "Kind/name.") public var address: String
    @OptionGroup public var estate: EstateOptions
    public init() {}

    public func run() async throws {
        guard let a = ResourceAddress(address) else { throw ValidationError("expected Kind/name, got \(address)") }
        try estate.enterDirectory()
        let workspace = try estate.workspace(err: Terminal(noColorFlag: false, stream: 2))
        let id = try await estate.changeOwnership("forget", workspace: workspace) { client in try await Ownership.forget(a, workspace: workspace, client: client) }
        print("\(a) (\(id)) is no longer managed by workspace \(workspace); it was not deleted.")
    }
}

extension EstateOptions {
    /// Runs an ownership change under the workspace lock and moves the serial on (saved plans
    /// made before it become stale); errors are reported and end the command with 1.
    func changeOwnership<T: Sendable>(_ operation: String, workspace: String, _ change: @Sendable (BatchComputeClient) async throws -> T) async throws -> T {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try self.client() } catch { throw fail("\(error)", err) }
        let (timeout, locking) = (lockTimeout.seconds, lock)
        do {
            return try await LockScope.holding(take: {
                try await EstateOptions.takeLock(operation, workspace: workspace, timeout: timeout, locking: locking, client: client, err: err)
            }) { _ in
                do {
                    let value = try await change(client)
                    _ = try await WorkspaceState.bump(workspace, client: client)
                    return value
                } catch {
                    throw ChangeFailed(error: error)
                }
            }
        } catch let failed as ChangeFailed {
            throw fail("\(failed.error)", err)  // the lock is back by now
        }
    }
}

/// A change (or the serial after it) that failed under the lock, told apart from taking the
/// lock failing, which `takeLock` reports itself.
private struct ChangeFailed: Error {
    let error: any Error
}
