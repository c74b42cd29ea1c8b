import ArgumentParser
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// `bcctl job NAME|ID`: everything about one job — whose manifest it is, its state and the
/// failure reason whole, each task's instances (state, exit code, retries, times, errors),
/// and where the logs are.
public struct JobCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Show one job: manifest, state, failure reason, tasks and instances, where the logs are.",
        discussion: "Works for DAG jobs, App jobs, render jobs and workflow runs' runner jobs (their calls: bcctl workflow status). A name means the newest job of that name.")

    @Argument(help: "A job's name (its newest run) or ID (job-…).") public var job: String
    @Option(name: .tf("workspace"), help: "Look the name up among this workspace's jobs only.") public var workspace: String?
    @Flag(name: .tf("json"), help: "Print JSON.") public var json = false

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        let detail: JobReader.Detail
        do {
            let found = try await JobReader.resolve(job, workspace: workspace, client: client)
            detail = try await JobReader.detail(found, client: client)
        } catch { throw fail("\(error)", err) }
        if json {
            print(detail.json.canonicalString)
        } else {
            print(JobView.text(detail), terminator: "")
        }
        if detail.summary.state == .failed { throw ExitCode(1) }
    }
}

/// `bcctl job` for a person.
enum JobView {
    static func text(_ d: JobReader.Detail, width: Int = TextWrap.terminalWidth) -> String {
        let s = d.summary
        let label = "          "
        func line(_ key: String, _ value: String) -> String { (key + ":").padding(toLength: label.count, withPad: " ", startingAt: 0) + value + "\n" }
        var out = "Job \(s.name) (\(s.id)): \(s.state.rawValue)\n"
        var kind = s.kind
        switch s.kind {
        case JobDescription.JobType.app.rawValue: kind = "App job on App \(s.app ?? "?")"
        case "render": kind = "render job (an App job on App \(s.app ?? "?"))"
        case "workflow": kind = "workflow run's runner (an App job on App \(s.app ?? "?"); each WDL call is a job of its own)"
        case JobDescription.JobType.dag.rawValue: kind = "DAG job, \(d.tasks.count) task\(d.tasks.count == 1 ? "" : "s")"
        default: break
        }
        out += line("kind", kind)
        out += line("manifest", s.address.map { "\($0) in workspace \(s.workspace ?? "?")" } ?? "none (not submitted by bcops)")
        var times = "created \(JobReader.shortTime(s.created))"
        if !s.started.isEmpty { times += ", started \(JobReader.shortTime(s.started))" }
        if !s.ended.isEmpty { times += ", ended \(JobReader.shortTime(s.ended))" }
        times += " UTC"
        if let seconds = JobReader.seconds(from: s.started, to: s.ended) {
            times += s.ended.isEmpty ? " (running for \(duration(seconds)))" : " (took \(duration(seconds)))"
        }
        out += line("times", times)
        out += line("tasks", "\(s.tasksDone)/\(s.tasksTotal) finished; instances: \(s.instancesText)")
        if let waiting = d.waiting { out += wrapped("waiting", waiting, label: label, width: width) }
        if !s.message.isEmpty && s.state != .waiting { out += wrapped("reason", s.message, label: label, width: width) }
        if s.kind != "DAG" {
            for (name, values) in [("inputs", d.inputs), ("outputs", d.outputs)] where !values.isEmpty {
                out += line(name, values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            }
        }
        for t in d.tasks {
            let instances = t.instances.count
            out += "\nTask \(t.name): \(t.state.rawValue), \(instances) instance\(instances == 1 ? "" : "s"), "
                + (t.cluster.map { "cluster \($0)" } ?? "auto cluster")
                + (t.upstream.isEmpty ? "" : ", after \(t.upstream.joined(separator: ", "))") + "\n"
            if let waiting = t.waiting, waiting != d.waiting { out += "  waiting: \(waiting)\n" }
            var rows = [["INSTANCE", "STATE", "EXIT", "RETRIES", "STARTED", "ENDED", "ERROR"]]
            var notes: [Int: String] = [:]
            for i in t.instances {
                if !i.errorMessage.isEmpty { notes[rows.count] = i.errorMessage }
                rows.append([String(i.index), i.state.rawValue, i.exitCode.map(String.init) ?? "-", String(i.retries),
                             JobReader.shortTime(i.started), JobReader.shortTime(i.ended), i.errorCode])
            }
            let table = JobViews.table(rows, indent: "  ").split(separator: "\n", omittingEmptySubsequences: false)
            for (r, row) in table.enumerated() where !row.isEmpty {
                out += row + "\n"
                if let note = notes[r] { out += TextWrap.wrap(note, width: width, indent: "      ").joined(separator: "\n") + "\n" }
            }
        }
        out += "\n" + logs(d)
        if s.kind == "render" { out += "Frames: bcctl render status \(s.name)\n" }
        if s.kind == "workflow" { out += "Calls: bcctl workflow status \(s.id) (each call's job, state and exit; bcctl logs \(s.id) --call CALL)\n" }
        return out
    }

    static func wrapped(_ key: String, _ text: String, label: String, width: Int) -> String {
        let lines = TextWrap.wrap(text, width: width, indent: label)
        let head = (key + ":").padding(toLength: label.count, withPad: " ", startingAt: 0)
        return lines.enumerated().map { $0 == 0 ? head + $1.dropFirst(label.count) : $1 }.joined(separator: "\n") + "\n"
    }

    /// Where each task's output is kept, and the `bcctl logs` commands that print it.
    static func logs(_ d: JobReader.Detail) -> String {
        var out = "Logs:\n"
        let id = d.summary.id
        let several = d.tasks.count > 1
        var kept = false
        for t in d.tasks {
            let who = several ? "task \(t.name) " : ""
            let stdout = t.instances.map(\.stdoutObject).filter { !$0.isEmpty }
            let stderr = t.instances.map(\.stderrObject).filter { !$0.isEmpty }
            if stdout.isEmpty && stderr.isEmpty {
                out += "  \(who)not kept: the \(d.summary.kind == "DAG" ? "task" : "job") sets no stdoutRedirectPath or stderrRedirectPath, "
                    + "so bcctl logs shows its output only while an instance runs\n"
                continue
            }
            kept = true
            for (stream, objects) in [("stdout", stdout), ("stderr", stderr)] where !objects.isEmpty {
                out += "  \(who)\(stream): " + pattern(objects) + "\n"
            }
        }
        guard kept || !d.summary.state.isEnded else { return out }
        out += "  print them: bcctl logs \(id)\(several ? " [--task TASK]" : "") [--node N] [--stream stdout|stderr]\n"
        if let failed = d.tasks.lazy.flatMap({ t in t.instances.filter { $0.state == .failed }.map { (t.name, $0.index) } }).first {
            out += "  a failed instance: bcctl logs \(id)\(several ? " --task \(failed.0)" : "") --node \(failed.1) --stream stderr\n"
        }
        return out
    }

    /// `oss://b/logs/stdout.job-….say.<0-2>` for the objects of instances 0, 1 and 2.
    static func pattern(_ objects: [String]) -> String {
        guard objects.count > 1, let first = objects.first, let dot = first.lastIndex(of: ".") else { return objects.first ?? "" }
        let base = first[..<dot]
        let indexes = objects.compactMap { $0.hasPrefix(base + ".") ? Int($0.dropFirst(base.count + 1)) : nil }
        guard indexes.count == objects.count, let lo = indexes.min(), let hi = indexes.max() else { return objects.joined(separator: ", ") }
        return "\(base).<\(lo == hi ? "\(lo)" : "\(lo)-\(hi)")>"
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        return s < 3600 ? "\(s / 60)m\(s % 60)s" : "\(s / 3600)h\((s % 3600) / 60)m"
    }
}
