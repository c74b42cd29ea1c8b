import ArgumentParser
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// `bcctl logs JOB [-f] [--node N]`: each node's output (the worker's lines and the
/// renderer's), from the engine's live logs while a node runs and from OSS afterwards.
public struct LogsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print (or follow) the logs of a job's nodes.")

    @Argument(help: "A job's name (its newest run) or ID.") public var job: String
    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new output until the job ends.") public var follow = false
    @Option(help: "Only this node (instance).") public var node: Int?
    @Option(help: "stdout, stderr or both.") public var stream: String = "both"
    @Option(help: "Only this task (default: every task of the job; an App job has one, app).") public var task: String?

    public init() {}

    public func validate() throws {
        guard ["stdout", "stderr", "both"].contains(stream) else { throw ValidationError("--stream must be stdout, stderr or both") }
    }

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        let found: JSONValue
        do { found = try await RenderJobReader.find(job, client: client) } catch { throw fail("\(error)", err) }
        let id = found["Id"]?.stringValue ?? job
        let streams = stream == "both" ? ["stdout", "stderr"] : [stream]
        var offsets: [String: Int] = [:]
        var following = follow
        let tasks: [String]
        if let task { tasks = [task] } else {
            tasks = try await client.listAll("/jobs/\(id)/tasks").compactMap { $0["TaskName"]?.stringValue }
        }
        while true {
            for t in tasks {
                let instances = try await client.listAll("/jobs/\(id)/tasks/\(t)/instances")
                let nodes = instances.compactMap { $0["InstanceId"]?.intValue }.filter { node == nil || $0 == node }
                let label = nodes.count > 1 || node != nil || tasks.count > 1
                for n in nodes {
                    for s in streams {
                        let key = "\(t)/\(n)/\(s)"
                        let text = try await RenderJobReader.readLog(client, job: id, node: n, stream: s, from: offsets[key] ?? 0, task: t)
                        offsets[key, default: 0] += text.utf8.count
                        guard !text.isEmpty else { continue }
                        let who = tasks.count > 1 ? "\(t) \(n)" : "node \(n)"
                        let prefix = label ? "[\(who)\(s == "stderr" ? " stderr" : "")] " : (s == "stderr" ? "[stderr] " : "")
                        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                        if lines.last == "" { lines.removeLast() }
                        for line in lines { print(prefix + line) }
                    }
                }
            }
            fflush(nil)
            let state = try await client.call(.GET, "/jobs/\(id)")["State"]?.stringValue ?? ""
            if !following || ["Finished", "Failed", "Stopped"].contains(state) {
                if following {  // once more: what the nodes wrote between the last read and the end
                    following = false
                    continue
                }
                return
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
    }
}
