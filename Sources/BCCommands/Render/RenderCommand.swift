import ArgumentParser
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// `bcctl render …`: the render farm from the command line — a job's progress, a one-frame
/// test of a project, and the command each node runs.
public struct RenderCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render farm: job status, one-frame tests, the node command.",
        subcommands: [RenderStatusCommand.self, RenderTestCommand.self, RenderNodeCommand.self])
    public init() {}
}

/// `bcctl render status JOB`: frames done/total, per-node view and a frame grid.
public struct RenderStatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a render job's progress: frames done, each node's share and state, a frame grid.")

    @Argument(help: "The RenderJob's name (its newest run) or a job ID.") public var job: String
    @Flag(name: .tf("json"), help: "Print JSON.") public var json = false
    @Flag(name: .tf("watch"), help: "Redraw every second until the job ends.") public var watch = false

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        var target = job
        while true {
            let snapshot: RenderJobSnapshot
            do { snapshot = try await RenderJobReader.snapshot(target, client: client) } catch { throw fail("\(error)", err) }
            target = snapshot.id  // found by name once; each redraw reads that job only
            let ended = snapshot.state.isEnded
            if json {
                print(snapshot.json.canonicalString)
            } else {
                if watch && isatty(1) == 1 { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                print(RenderStatusView.text(snapshot), terminator: "")
            }
            if !watch || ended {
                if snapshot.state == .failed { throw ExitCode(1) }
                return
            }
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }
}
