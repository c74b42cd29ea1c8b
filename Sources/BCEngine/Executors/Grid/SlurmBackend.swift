import Foundation

/// Slurm through `sbatch --array`, `scontrol show job` and `scancel`.
///
/// `scontrol -o show job` gives every job the controller knows, one line each, with its state
/// and exit code, ended ones included for `MinJobAge` (300 s in the setup): one command per
/// look for states and ends alike. Without slurmdbd, `sacct` knows nothing; `sacct -c` reads
/// the jobcomp file (`JobCompType=jobcomp/filetxt`), which keeps every end but lists an array's
/// tasks under their raw job ids only (it does not know the file's `ArrayJobId`/`ArrayTaskId`
/// and says so on stderr). So each task notes its raw id (`SLURM_JOB_ID`) in the array's
/// directory as it starts (`slurm.<task>.jobid`, written by `array.sh`), and an end the
/// controller has forgotten (an engine down for longer than MinJobAge) is read from `sacct -c`
/// by that id, checked against the array's name (`recordedEnds`).
actor SlurmBackend: GridBackend {
    nonisolated let scheduler = "Slurm"
    nonisolated let deleteCommand = "scancel"
    /// The clients' environment; nil: the engine's.
    let environment: [String: String]?
    /// A test seam: with `BCOPS_TEST_SLURM_FORGET_ENDED=1` in the clients' environment, ended
    /// jobs are left out of `scontrol`'s answers, as the controller does MinJobAge (300 s) after
    /// an end; their ends can then only come from `sacct -c`.
    let forgetsEnded: Bool

    init(environment: [String: String]? = nil) {
        self.environment = environment
        forgetsEnded = environment?["BCOPS_TEST_SLURM_FORGET_ENDED"] == "1"
    }

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
        let jobs = SlurmBackend.parse(out)
        guard forgetsEnded else { return jobs }
        return jobs.filter { if case .ended? = SlurmBackend.state($0) { false } else { true } }
    }

    func recordedEnds(_ arrayId: String, name: String, directory: String, tasks: [Int]) async throws(GridError) -> [Int: GridEnd] {
        // Only tasks that started have a raw id (and a record); a task whose file is missing is left to the caller.
        var taskOf: [String: Int] = [:]
        for task in tasks {
            guard let text = try? String(contentsOfFile: "\(directory)/slurm.\(task).jobid", encoding: .utf8) else { continue }
            let raw = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !raw.isEmpty, raw.allSatisfy(\.isNumber) { taskOf[raw] = task }
        }
        guard !taskOf.isEmpty else { return [:] }
        // From the epoch: sacct's default window starts at midnight. Its stderr ("Unknown type
        // ArrayJobId: …", one line per array task in the file) is not an error; it exits 0.
        let out = try await GridCommand.run(scheduler, ["sacct", "-c", "-P", "-n", "-S", "1970-01-01T00:00:00", "-o", "jobid,jobname,state,exitcode",
                                                        "-j", taskOf.keys.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }.joined(separator: ",")],
                                            environment: environment)
        var ends: [Int: GridEnd] = [:]
        for record in SlurmBackend.parseCompletions(out) {
            // The name guards against a raw id Slurm gave out again (its counter restarts with a new state directory).
            guard record.name == name, let task = taskOf[record.jobId], case .ended(let end)? = SlurmBackend.state(record.job) else { continue }
            ends[task] = end
        }
        return ends
    }

    /// A line of `sacct -c -P -o jobid,jobname,state,exitcode`: the raw job id (an array task's
    /// own, not `<array>_<task>`), its name, its end state and `code:signal`.
    struct Completion: Equatable {
        var jobId: String
        var name: String
        var state: String
        var exitCode: String
        /// As `state(_:)` reads it; `CANCELLED by 0` is `CANCELLED`.
        var job: Job {
            Job(arrayId: jobId, tasks: [], name: name, state: String(state.split(separator: " ").first ?? ""), reason: "from the jobcomp file", exitCode: exitCode)
        }
    }

    /// Parses `sacct -c -P` output: `|`-separated, with or without its header line; lines that are
    /// not records (stderr mixed in, blank lines) are skipped. A job id may read `4_2` when a
    /// future sacct learns array ids: its raw form is kept as it is.
    static func parseCompletions(_ text: String) -> [Completion] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 4, let first = f[0].first, first.isNumber else { return nil }
            return Completion(jobId: f[0], name: f[1], state: f[2], exitCode: f[3])
        }
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
