import ArgumentParser
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// `bcctl logs JOB [-f] [--node N]`: each node's output (the worker's lines and the
/// renderer's), from the engine's live logs while a node runs and from OSS afterwards.
/// A job that wrote nothing says so and why; a failed job ends it with its reason and exit 1;
/// a waiting job followed with `-f` says what it waits for.
public struct LogsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Print (or follow) the logs of a job's nodes.",
        discussion: "Exits 1 when the job failed (after its output and its reason), as when there is no such job.")

    @Argument(help: "A job's name (its newest run) or ID.") public var job: String
    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep printing new output until the job ends.") public var follow = false
    @Option(help: "Only this node (instance).") public var node: Int?
    @Option(help: "stdout, stderr or both.") public var stream: String = "both"
    @Option(help: "Only this task (default: every task of the job; an App job has one, app).") public var task: String?
    @Option(name: .tf("workspace"), help: "Look the name up among this workspace's jobs only.") public var workspace: String?
    @Option(help: "A workflow run's call (align, or germline_small.align): its stdout and stderr, as the runner kept them.") public var call: String?
    @Option(help: "With --call: only this shard of a scattered call.") public var shard: Int?

    public init() {}

    public func validate() throws {
        guard ["stdout", "stderr", "both"].contains(stream) else { throw ValidationError("--stream must be stdout, stderr or both") }
    }

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        if let call { return try await callLogs(call, client: client, err: err) }
        let found: JobStatus
        do { found = try await JobReader.resolve(job, workspace: workspace, client: client) } catch { throw fail("\(error)", err) }
        let id = found.id
        let name = found.name
        let streams = stream == "both" ? ["stdout", "stderr"] : [stream]
        var offsets: [String: Int] = [:]
        var following = follow
        let tasks: [String]
        if let task { tasks = [task] } else {
            tasks = try await client.tasks(of: id).map(\.taskName)
        }
        var printed = false
        var missing: [String] = []  // why some output cannot be read, once each
        var notKept: [String: Set<String>] = [:]  // task → streams it keeps nowhere
        var lastWaiting: String?
        var job = found
        while true {
            for t in tasks {
                let instances = try await client.instances(of: id, task: t)
                if task != nil && instances.isEmpty { throw fail("job \(name) (\(id)) has no task \(t); its tasks: \(try await taskNames(id, client))", err) }
                let chosen = instances.filter { node == nil || $0.instanceId == node }
                let label = chosen.count > 1 || node != nil || tasks.count > 1
                for instance in chosen {
                    let n = instance.instanceId
                    for s in streams {
                        let key = "\(t)/\(n)/\(s)"
                        let (text, why) = try await JobReader.readLog(client, job: id, task: t, node: n, stream: s, from: offsets[key] ?? 0)
                        if let why {
                            if (s == "stdout" ? instance.stdoutRedirectPath : instance.stderrRedirectPath).isEmpty {
                                notKept[t, default: []].insert(s)
                            } else if instance.state == .failed || instance.state == .stopped {
                                // Kept, but nothing was written: the instance ended before its command ran.
                                let code = instance.result.errorCode
                                let reason = "task \(t), instance \(n): no log was written (it ended before its command ran\(code.isEmpty ? "" : ": \(code)"))"
                                if !missing.contains(reason) { missing.append(reason) }
                            } else if !missing.contains("\(s) of task \(t), instance \(n): \(why)") {
                                missing.append("\(s) of task \(t), instance \(n): \(why)")
                            }
                        }
                        offsets[key, default: 0] += text.utf8.count
                        guard !text.isEmpty else { continue }
                        printed = true
                        let who = tasks.count > 1 ? "\(t) \(n)" : "node \(n)"
                        let prefix = label ? "[\(who)\(s == "stderr" ? " stderr" : "")] " : (s == "stderr" ? "[stderr] " : "")
                        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                        if lines.last == "" { lines.removeLast() }
                        for line in lines { print(prefix + line) }
                    }
                }
            }
            fflush(nil)
            job = try await client.job(id)
            let state = job.state
            if following, state == .waiting {
                // Not silence: what it waits for, again whenever that changes.
                let why = (try? await JobReader.detail(job, client: client))?.waiting ?? "the job has not started"
                if why != lastWaiting {
                    printError("waiting: \(why)")
                    lastWaiting = why
                }
            }
            if !following || state.isEnded {
                if following {  // once more: what the nodes wrote between the last read and the end
                    following = false
                    continue
                }
                break
            }
            try await Task.sleep(nanoseconds: 500_000_000)
        }
        for (t, streams) in notKept.sorted(by: { $0.key < $1.key }) {
            let fields = streams.sorted(by: >).map { "\($0)RedirectPath" }.joined(separator: " or ")
            missing.insert("task \(t) keeps no \(streams.count > 1 ? "output" : streams.first!) (it sets no \(fields)): "
                           + "it can be read only while an instance runs", at: 0)
        }
        try await finish(job, name: name, id: id, printed: printed, missing: missing, client: client, err: err)
    }

    /// After the output: a job that wrote nothing says so and why; a failed job's reason ends
    /// it, with exit 1.
    func finish(_ job: JobStatus, name: String, id: String, printed: Bool, missing: [String], client: BatchComputeClient,
                err: Terminal) async throws {
        let state = job.state
        let message = job.message
        if !printed {
            var what = node.map { "node \($0) of " } ?? ""
            what += "job \(name) (\(id))"
            let streamText = stream == "both" ? "no output" : "nothing on \(stream)"
            switch state {
            case .waiting:
                let why = (try? await JobReader.detail(job, client: client))?.waiting
                printError("\(what) has \(streamText) yet; it is waiting\(why.map { ": \($0)" } ?? "")")
            case .running:
                printError("\(what) has \(streamText) yet (\(state.rawValue))")
            case .finished, .failed, .stopped:
                printError("\(what) wrote \(streamText) (\(state.rawValue))")
            }
            for m in missing.prefix(5) { printError("  \(m)") }
            if missing.count > 5 { printError("  … and \(missing.count - 5) more") }
        }
        if state == .failed {
            throw fail("job \(name) (\(id)) failed: \(message.isEmpty ? "no reason given" : message)", err)
        }
        if state == .finished, !message.isEmpty, !printed {
            printError("  \(message)")
        }
    }

    func taskNames(_ id: String, _ client: BatchComputeClient) async throws -> String {
        try await client.tasks(of: id).map(\.taskName).joined(separator: ", ")
    }

    /// `--call`: the call's own stdout and stderr (its last attempt, per shard), from its
    /// directory on OSS where the runner keeps them, found through the run's metadata.
    func callLogs(_ name: String, client: BatchComputeClient, err: Terminal) async throws {
        let run: WorkflowRunReader.Run
        do { run = try await WorkflowRunReader.read(job, workspace: workspace, client: client) } catch { throw fail("\(error)", err) }
        guard run.metadata != nil else { throw fail("\(run.job.name) (\(run.job.id)) has reported no calls yet", err) }
        let matching = run.calls.filter { $0.isNamed(name) && (shard == nil || $0.shard == shard) }
        guard !matching.isEmpty else {
            let names = Set(run.calls.map(\.name)).sorted().joined(separator: ", ")
            throw fail("\(run.job.name) has no call \(name)\(shard.map { " shard \($0)" } ?? "")\(names.isEmpty ? "" : "; its calls: \(names)")", err)
        }
        var last: [Int: WorkflowRunReader.Call] = [:]
        for c in matching where (last[c.shard]?.attempt ?? 0) <= c.attempt { last[c.shard] = c }
        let oss = OSSClient(client)
        let streams = stream == "both" ? ["stdout", "stderr"] : [stream]
        for (_, c) in last.sorted(by: { $0.key < $1.key }) {
            for s in streams {
                guard let url = s == "stdout" ? c.stdout : c.stderr else { continue }
                let text: String
                do { text = String(decoding: try await oss.get(url), as: UTF8.self) } catch {
                    printError("\(s) of \(c.name)\(c.shard >= 0 ? " shard \(c.shard)" : ""): cannot read \(url): \(error)")
                    continue
                }
                let who = c.shard >= 0 ? "\(c.name) shard \(c.shard)" : c.name
                let prefix = last.count > 1 ? "[\(who)\(s == "stderr" ? " stderr" : "")] " : (s == "stderr" ? "[stderr] " : "")
                var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                if lines.last == "" { lines.removeLast() }
                for line in lines { print(prefix + line) }
            }
        }
        if matching.contains(where: { $0.state == "Failed" }) { throw ExitCode(1) }
    }
}
