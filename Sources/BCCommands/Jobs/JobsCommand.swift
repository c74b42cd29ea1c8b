import ArgumentParser
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// `bcctl jobs`: every job on the engine, newest first — DAG jobs, App jobs, render jobs —
/// with its state, progress and the first line of its failure reason.
public struct JobsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "List the jobs on the engine, newest first: state, kind, tasks, instances, failure reason.",
        discussion: "Read through the API, as bcplan reads live state. `bcctl job NAME|ID` shows one job whole.")

    @Option(name: .customLong("state"), help: "Only jobs in this state: Waiting, Running, Finished, Failed or Stopped (repeatable, or a comma list).")
    public var state: [String] = []
    @Option(name: .tf("workspace"), help: "Only jobs bcops runs for this workspace's manifests.")
    public var workspace: String?
    @Option(name: .tf("limit"), help: "At most this many jobs (0: all).")
    public var limit: Int = 100
    @Flag(name: .tf("json"), help: "Print a JSON array.") public var json = false

    public init() {}

    /// The states asked for, spelt as the API spells them.
    var states: Set<JobState> {
        Set(state.flatMap { $0.split(separator: ",") }.compactMap { s in
            JobState.allCases.first { $0.rawValue.lowercased() == s.trimmingCharacters(in: .whitespaces).lowercased() }
        })
    }

    public func validate() throws {
        for s in state.flatMap({ $0.split(separator: ",") }) {
            let word = s.trimmingCharacters(in: .whitespaces)
            guard JobState.allCases.contains(where: { $0.rawValue.lowercased() == word.lowercased() }) else {
                throw ValidationError("--state: \"\(word)\" is not one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        guard limit >= 0 else { throw ValidationError("-limit must be 0 (all) or more") }
    }

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        let jobs: [JobReader.Summary]
        do { jobs = try await JobReader.list(client: client, states: states, workspace: workspace, limit: limit) } catch {
            throw fail("\(error)", err)
        }
        if json {
            print(JSONValue.array(jobs.map(\.json)).canonicalString)
            return
        }
        guard !jobs.isEmpty else {
            var filters: [String] = []
            if !states.isEmpty { filters.append("in state \(JobState.allCases.filter(states.contains).map(\.rawValue).joined(separator: " or "))") }
            if let workspace { filters.append("in workspace \(workspace)") }
            print("No jobs\(filters.isEmpty ? "" : " " + filters.joined(separator: " ")).")
            return
        }
        var rows = [["NAME", "ID", "STATE", "KIND", "TASKS", "INSTANCES", "CREATED", "ENDED", "REASON"]]
        for j in jobs {
            rows.append([j.name, j.id, j.state.rawValue, j.kind, "\(j.tasksDone)/\(j.tasksTotal)", j.instancesText,
                         JobReader.shortTime(j.created), JobReader.shortTime(j.ended), j.reasonFirstLine])
        }
        print(JobViews.table(rows), terminator: "")
        if limit > 0 && jobs.count == limit { print("(the newest \(limit); -limit 0 lists all)") }
    }
}

/// Tables and wrapped text of the job commands.
enum JobViews {
    /// Columns padded to their widest cell, two spaces apart; the last one is not padded.
    static func table(_ rows: [[String]], indent: String = "") -> String {
        guard let first = rows.first else { return "" }
        let widths = first.indices.map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            indent + row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }.joined(separator: "\n") + "\n"
    }
}
