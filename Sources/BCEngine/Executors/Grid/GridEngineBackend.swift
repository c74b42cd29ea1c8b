import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Grid Engine through `qsub -t`, `qstat -xml`, the accounting file and `qdel`.
///
/// Queued and running tasks come from `qstat -xml`; exit codes from the accounting file
/// (`$SGE_ROOT/$SGE_CELL/common/accounting`), read from a cursor on each look, so each record is
/// read once (the setup makes Grid Engine write it at once, `accounting_flush_time=0`). A
/// `qacct` per task would cost a process per instance. A task `qdel`ed while queued leaves no
/// record at all: the executor sees it vanish.
actor GridEngineBackend: GridBackend {
    nonisolated let scheduler = "Grid Engine"
    nonisolated let deleteCommand = "qdel"
    /// The names of this engine's arrays start so: records of other jobs are skipped.
    let prefix: String
    let accountingPath: String
    private var offset: Int64 = 0
    private var started = false
    /// Ends read from the accounting file, by job id and task, until their array is forgotten.
    private var ends: [String: [Int: GridEnd]] = [:]
    /// The names of this engine's arrays seen in the accounting file.
    private var namesSeen: [String: String] = [:]

    /// The clients' environment; nil: the engine's.
    let environment: [String: String]?

    init(prefix: String, accountingPath: String? = nil, environment: [String: String]? = nil) {
        self.prefix = prefix
        self.environment = environment
        let env = environment ?? ProcessInfo.processInfo.environment
        self.accountingPath = accountingPath
            ?? "\(env["SGE_ROOT"] ?? "/var/lib/gridengine")/\(env["SGE_CELL"] ?? "default")/common/accounting"
    }

    func submit(_ array: GridArraySubmission) async throws(GridError) -> String {
        var args = ["qsub", "-terse", "-t", "1-\(array.count)", "-N", array.name, "-S", "/bin/sh", "-wd", array.directory,
                    "-o", array.directory + "/scheduler.$TASK_ID.out", "-j", "y", "-r", "n"]
        if let t = array.timeoutSeconds, t > 0 { args += ["-l", "h_rt=\(t)"] }
        if let q = array.queue { args += ["-q", q] }
        args.append(array.script)
        let out = try await GridCommand.run(scheduler, args, environment: environment)
        // `-terse` prints `12.1-5:1` for an array: the job id is what comes before the dot.
        let id = String(out.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != "." })
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw GridError(scheduler: scheduler, command: args.joined(separator: " "), output: "unexpected answer: \(out)", status: 0)
        }
        return id
    }

    func observe(_ arrays: Set<String>) async throws(GridError) -> [String: [Int: GridTaskState]] {
        // qstat first: a task that ends between the two looks is then found in the accounting file.
        let xml = try await GridCommand.run(scheduler, ["qstat", "-xml", "-u", "*"], environment: environment)
        var result: [String: [Int: GridTaskState]] = [:]
        for job in QstatXML.parse(xml) where arrays.contains(job.number) {
            let state: GridTaskState
            if job.state.contains("E") {
                // Eqw: Grid Engine could not start it (a working directory it cannot enter…) and
                // would hold it forever; the executor deletes it and fails the instance.
                state = .ended(.failed("Grid Engine put the task in error state \(job.state)"))
            } else {
                state = job.state.contains("r") || job.state.contains("t") || job.state.contains("d") ? .running : .queued
            }
            for task in job.tasks { result[job.number, default: [:]][task] = state }
        }
        try readAccounting()
        for id in arrays {
            for (task, end) in ends[id] ?? [:] { result[id, default: [:]][task] = .ended(end) }
        }
        return result
    }

    func cancel(_ arrayId: String, task: Int?) async throws(GridError) {
        _ = try await GridCommand.run(scheduler, ["qdel", arrayId] + (task.map { ["-t", String($0)] } ?? []), environment: environment)
    }

    /// Arrays still in `qstat`, and those seen ended in the accounting file.
    func find(namePrefix prefix: String) async throws(GridError) -> [String: String] {
        let xml = try await GridCommand.run(scheduler, ["qstat", "-xml", "-u", "*"], environment: environment)
        try readAccounting()
        var found = namesSeen.filter { $0.key.hasPrefix(prefix) }
        for job in QstatXML.parse(xml) where job.name.hasPrefix(prefix) { found[job.name] = job.number }
        return found
    }

    func cursor() async -> Int64 {
        try? readAccounting()  // unreadable: the cursor stays where it was, and the next look says why
        return offset
    }

    func rewind(to cursor: Int64) async {
        offset = started ? min(offset, cursor) : cursor
        started = true
    }

    /// Reads the records appended since the cursor. Field 5 is the job name, 6 the job number,
    /// 12 `failed`, 13 `exit_status`, 36 the task number (accounting(5)).
    private func readAccounting() throws(GridError) {
        guard let handle = FileHandle(forReadingAtPath: accountingPath) else {
            throw GridError(scheduler: scheduler, command: "read \(accountingPath)", output: "the accounting file cannot be read")
        }
        defer { try? handle.close() }  // read-only
        if !started {
            // A fresh engine has submitted nothing before now: start at the end.
            started = true
            offset = Int64((try? handle.seekToEnd()) ?? 0)
            return
        }
        do {
            // Smaller than the cursor: the file was rotated (logchecker.sh); read the new one from its start.
            if Int64(try handle.seekToEnd()) < offset { offset = 0 }
            try handle.seek(toOffset: UInt64(offset))
            guard let data = try handle.readToEnd(), !data.isEmpty else { return }
            // Only whole lines: a record being written is read with the next look.
            guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return }
            let complete = data[data.startIndex...lastNewline]
            offset += Int64(complete.count)
            for line in complete.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
                let fields = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
                guard fields.count > 35 else { continue }
                let name = String(decoding: fields[4], as: UTF8.self)
                guard name.hasPrefix(prefix) else { continue }
                let job = String(decoding: fields[5], as: UTF8.self)
                guard let failed = Int(String(decoding: fields[11], as: UTF8.self)),
                      let status = Int32(String(decoding: fields[12], as: UTF8.self)),
                      let task = Int(String(decoding: fields[35], as: UTF8.self)) else { continue }
                namesSeen[name] = job
                ends[job, default: [:]][max(task, 1)] = GridEngineBackend.end(failed: failed, exitStatus: status)
            }
        } catch {
            throw GridError(scheduler: scheduler, command: "read \(accountingPath)", output: "\(error)")
        }
    }

    /// What a record's `failed` and `exit_status` mean: 0 is the job's own exit; 37 the
    /// qmaster enforcing `h_rt`; 100 with 137 a `qdel` of a running task ("assumedly after
    /// job"); other codes a failure before or around the job (sge_diagnostics(5)).
    static func end(failed: Int, exitStatus: Int32) -> GridEnd {
        switch failed {
        case 0: return .exited(exitStatus)
        case 37: return .timedOut
        case 100 where exitStatus == 137: return .deleted("killed while running (accounting: failed 100, exit_status 137)")
        case 100: return .exited(exitStatus)
        default: return .failed("Grid Engine could not run it (accounting: failed \(failed), exit_status \(exitStatus))")
        }
    }

    /// Drops what was kept of arrays the executor is done with.
    func forget(_ arrayId: String) {
        ends[arrayId] = nil
        namesSeen = namesSeen.filter { $0.value != arrayId }
    }
}

/// The job lists of `qstat -xml`: each entry a job with its state and its task numbers (a
/// running task has an entry of its own; queued tasks share one, `3-50:1`).
enum QstatXML {
    struct Job: Equatable {
        var number = ""
        var name = ""
        var state = ""
        var tasks: [Int] = []
    }

    static func parse(_ xml: String) -> [Job] {
        let delegate = Delegate()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = delegate
        _ = parser.parse()  // a truncated document still yields the jobs read so far
        return delegate.jobs
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var jobs: [Job] = []
        var current: Job?
        var text = ""

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if element == "job_list" { current = Job() }
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch element {
            case "JB_job_number": current?.number = value
            case "JB_name": current?.name = value
            case "state": current?.state = value
            case "tasks": current?.tasks = GridCommand.taskNumbers(value)
            case "job_list":
                if var job = current {
                    if job.tasks.isEmpty { job.tasks = [1] }  // not an array: one task
                    jobs.append(job)
                }
                current = nil
            default: break
            }
            text = ""
        }
    }
}
