import ArgumentParser
import BCClient
import BCRenderClient
import Foundation

/// `bcctl workflow status RUN`: the calls of a workflow run as its runner reports them —
/// call, shard, attempt, state, job, cache hit, duration — followed with `-watch` until the
/// run ends.
public struct WorkflowStatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a workflow run's calls: shard, attempt, state, job, cache hit, duration.")

    @Argument(help: "The WorkflowRun's name (its newest run) or the runner's job ID.") public var run: String
    @Flag(name: .tf("json"), help: "Print the run's metadata (Cromwell's shape) as JSON.") public var json = false
    @Flag(name: .tf("watch"), help: "Redraw every second until the run ends.") public var watch = false
    @Option(name: .tf("workspace"), help: "Look the name up among this workspace's jobs only.") public var workspace: String?

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        var target = run
        while true {
            let found: WorkflowRunReader.Run
            do { found = try await WorkflowRunReader.read(target, workspace: workspace, client: client) } catch { throw fail("\(error)", err) }
            target = found.job.id
            if json {
                print((found.metadata ?? .null).canonicalString)
            } else {
                if watch && isatty(1) == 1 { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                print(Self.text(found), terminator: "")
            }
            if !watch || found.job.state.isEnded {
                if found.job.state == .failed || found.job.state == .stopped { throw ExitCode(1) }
                return
            }
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }

    static func text(_ run: WorkflowRunReader.Run) -> String {
        var out = "\(run.job.name) (\(run.job.id), run \(run.runId)): \(run.status)"
        if let p = run.progress { out += ", \(p.done)/\(p.calls) call\(p.calls == 1 ? "" : "s") done" }
        out += "\n"
        if !run.job.message.isEmpty, run.job.state.isEnded { out += "reason: \(run.job.message)\n" }
        guard run.metadata != nil else {
            return out + (run.job.state.isEnded ? "the runner wrote no metadata; bcctl logs \(run.job.name) shows why\n"
                                                 : "the runner has not reported any call yet\n")
        }
        var rows = [["CALL", "SHARD", "ATTEMPT", "STATE", "JOB", "CACHE", "DURATION"]]
        for c in run.calls {
            let duration = JobReader.seconds(from: c.start, to: c.end).map { String(format: "%.1fs", $0) } ?? ""
            rows.append([c.name, c.shard < 0 ? "-" : String(c.shard), String(c.attempt), c.state, c.jobId.isEmpty ? "-" : c.jobId,
                         c.cacheHit ? "hit" : "-", duration])
        }
        return out + (rows.count == 1 ? "no calls yet\n" : JobViews.table(rows))
    }
}
