import Foundation

/// Slurm through `sbatch --array`, `scontrol show job` and `scancel`.
///
/// `scontrol -o show job` gives every job the controller knows, one line each, with its state
/// and exit code, ended ones included for `MinJobAge` (300 s in the setup): one command per
/// look for states and ends alike. Without slurmdbd, `sacct` knows nothing, and `sacct -c` (the
/// jobcomp file) lists array tasks under raw job ids only; a restarted engine that was down for
/// longer than MinJobAge runs the instances whose ends it missed again.
actor SlurmBackend: GridBackend {
    nonisolated let scheduler = "Slurm"
    nonisolated let deleteCommand = "scancel"
    /// The clients' environment; nil: the engine's.
    let environment: [String: String]?

    init(environment: [String: String]? = nil) { self.environment = environment }

    func submit(_ array: GridArraySubmission) async throws(GridError) -> String {
        var args = ["sbatch", "--parsable", "--array=1-\(array.count)", "--job-name=\(array.name)", "--chdir=\(array.directory)",
                    "--output=\(array.directory)/scheduler.%a.out", "--no-requeue"]
        // Slurm's limits are whole minutes: a timeout is rounded up to the next minute.
        if let t = array.timeoutSeconds, t > 0 { args.append("--time=\((t + 59) / 60)") }
        if let p = array.queue { args.append("--partition=\(p)") }
        args.append(array.script)
        let out = try await GridCommand.run(scheduler, args, environment: environment)
        // `--parsable` prints `id` or `id;cluster`.
        let id = String(out.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != ";" })
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw GridError(scheduler: scheduler, command: args.joined(separator: " "), output: "unexpected answer: \(out)", status: 0)
        }
        return id
    }

    func observe(_ arrays: Set<String>) async throws(GridError) -> [String: [Int: GridTaskState]] {
        var result: [String: [Int: GridTaskState]] = [:]
        for job in try await jobs() where arrays.contains(job.arrayId) {
            guard let state = SlurmBackend.state(job) else { continue }
            for task in job.tasks { result[job.arrayId, default: [:]][task] = state }
        }
        return result
    }

    func cancel(_ arrayId: String, task: Int?) async throws(GridError) {
        _ = try await GridCommand.run(scheduler, ["scancel", arrayId + (task.map { "_\($0)" } ?? "")], environment: environment)
    }

    func find(namePrefix prefix: String) async throws(GridError) -> [String: String] {
        var found: [String: String] = [:]
        for job in try await jobs() where job.name.hasPrefix(prefix) { found[job.name] = job.arrayId }
        return found
    }

    func cursor() async -> Int64 { 0 }
    func rewind(to cursor: Int64) async {}

    /// A job record of `scontrol -o show job`.
    struct Job: Equatable {
        var arrayId: String
        var tasks: [Int]
        var name: String
        var state: String
        var reason: String
        var exitCode: String
    }

    private func jobs() async throws(GridError) -> [Job] {
        let out = try await GridCommand.run(scheduler, ["scontrol", "-o", "show", "job"], environment: environment)
        return SlurmBackend.parse(out)
    }

    /// One record per line, `Key=Value` words. An array's queued tasks share one record
    /// (`ArrayTaskId=3-50`); each started task has its own.
    static func parse(_ text: String) -> [Job] {
        text.split(separator: "\n").compactMap { line in
            var fields: [Substring: Substring] = [:]
            for word in line.split(separator: " ") {
                guard let eq = word.firstIndex(of: "=") else { continue }
                let key = word[..<eq]
                if fields[key] == nil { fields[key] = word[word.index(after: eq)...] }
            }
            guard let jobId = fields["JobId"] else { return nil }
            let arrayId = fields["ArrayJobId"].map(String.init) ?? String(jobId)
            let tasks = fields["ArrayTaskId"].map { GridCommand.taskNumbers(String($0)) } ?? [1]
            return Job(arrayId: arrayId, tasks: tasks, name: String(fields["JobName"] ?? ""), state: String(fields["JobState"] ?? ""),
                       reason: String(fields["Reason"] ?? ""), exitCode: String(fields["ExitCode"] ?? "0:0"))
        }
    }

    /// A record's state as the executor sees it; nil for a state that says nothing yet.
    static func state(_ job: Job) -> GridTaskState? {
        switch job.state {
        case "PENDING", "REQUEUED", "SUSPENDED", "RESV_DEL_HOLD", "REQUEUE_HOLD", "REQUEUE_FED": return .queued
        case "RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING", "STOPPED": return .running
        case "COMPLETED", "FAILED":
            // `ExitCode=code:signal`: a signal is reported as the shell would, 128 + n.
            let parts = job.exitCode.split(separator: ":").map { Int32($0) ?? 0 }
            let (code, signal) = (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
            return .ended(.exited(signal > 0 ? 128 + signal : code))
        case "TIMEOUT", "DEADLINE": return .ended(.timedOut)
        case "CANCELLED": return .ended(.deleted("state CANCELLED (reason \(job.reason))"))
        case "": return nil
        default: return .ended(.failed("Slurm ended it in state \(job.state) (reason \(job.reason), exit code \(job.exitCode))"))
        }
    }
}
