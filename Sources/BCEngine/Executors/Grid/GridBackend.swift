import Foundation

/// What the Grid Engine and Slurm executor needs of a batch scheduler. Everything goes through
/// the scheduler's own command-line clients (`qsub`/`qstat`/`qdel`, `sbatch`/`scontrol`/
/// `scancel`): they are the stable interface both projects document, they work the same against
/// a remote cluster, and they need no library of ours linked against the scheduler's.
///
/// A backend is an actor: it keeps what it learns between calls (the Grid Engine accounting
/// file's cursor and the ends read from it), and the executor's poll loop and its submissions
/// may call it at the same time.
protocol GridBackend: Actor {
    /// The scheduler's name as messages give it ("Grid Engine", "Slurm").
    nonisolated var scheduler: String { get }
    /// The command that deletes a job, as messages about jobs deleted outside bcops name it.
    nonisolated var deleteCommand: String { get }

    /// Submits one array job of `count` tasks, numbered 1…count, running `script`; returns the
    /// scheduler's job id.
    func submit(_ array: GridArraySubmission) async throws(GridError) -> String

    /// How the tasks of these arrays (by job id) stand, as far as the scheduler still knows them:
    /// queued, running, or ended (and how). A task it does not know at all is absent.
    func observe(_ arrays: Set<String>) async throws(GridError) -> [String: [Int: GridTaskState]]

    /// Deletes an array job (or one task of it): queued tasks never run, running ones are killed.
    func cancel(_ arrayId: String, task: Int?) async throws(GridError)

    /// The job ids of the arrays the scheduler knows (queued, running, or ended and still on
    /// record) whose names start with `prefix`: how a restarted engine finds an array it
    /// submitted but died before noting the id of.
    func find(namePrefix prefix: String) async throws(GridError) -> [String: String]

    /// Where a reader of the scheduler's records of ended jobs is now (the Grid Engine
    /// accounting file's size), noted with each array, and where a restarted engine reads from
    /// again to learn the ends it missed.
    func cursor() async -> Int64
    func rewind(to cursor: Int64) async

    /// How tasks of an array ended that `observe` no longer knows, from the scheduler's records
    /// of ended jobs: Slurm's controller forgets a job `MinJobAge` after its end, its jobcomp
    /// file (`sacct -c`) does not. `directory` is the array's, where each task noted the
    /// scheduler's own id for it (`array.sh`). Tasks it has no record of are absent.
    func recordedEnds(_ arrayId: String, name: String, directory: String, tasks: [Int]) async throws(GridError) -> [Int: GridEnd]
}

extension GridBackend {
    /// Grid Engine: `observe` reads the accounting file already, which keeps every end.
    func recordedEnds(_ arrayId: String, name: String, directory: String, tasks: [Int]) async throws(GridError) -> [Int: GridEnd] { [:] }
}

/// One array job to submit.
struct GridArraySubmission: Sendable {
    /// Deterministic (`bcops-<engine>-<job>-<task>-<n>`): a restarted engine finds it by name.
    var name: String
    /// The array's script: it runs the launch of task number `$SGE_TASK_ID`/`$SLURM_ARRAY_TASK_ID`.
    var script: String
    var count: Int
    /// Where the scheduler writes the script's own output, one file per task, and its working directory.
    var directory: String
    var timeoutSeconds: Int?
    /// The Grid Engine queue or Slurm partition; nil: the scheduler's default.
    var queue: String?
}

/// A task of an array job, as the scheduler reports it.
enum GridTaskState: Sendable, Equatable {
    case queued
    case running
    case ended(GridEnd)
}

/// How a task of an array job ended, as the scheduler recorded it.
enum GridEnd: Sendable, Equatable {
    /// The launch ran and exited with this code (128 + n for signal n).
    case exited(Int32)
    /// The scheduler killed it at its time limit (`h_rt`, `--time`).
    case timedOut
    /// Deleted (`qdel`, `scancel`) while queued or running; what the scheduler says about it.
    case deleted(String)
    /// The scheduler could not run it (a Grid Engine `failed` code, a Slurm NODE_FAIL…).
    case failed(String)
}

/// A scheduler command that failed: which scheduler, the command, and what it said. This is what
/// an instance's failure shows when the scheduler is down, so it names all three.
struct GridError: Error, Sendable, Equatable, CustomStringConvertible {
    var scheduler: String
    var command: String
    var output: String
    var status: Int32?

    var description: String {
        let said = output.trimmingCharacters(in: .whitespacesAndNewlines)
        let how = status.map { "exited with \($0)" } ?? "could not be run"
        return "\(scheduler): `\(command)` \(how)" + (said.isEmpty ? "" : ": " + said.split(separator: "\n").prefix(3).joined(separator: " / "))
    }
}

/// Runs a scheduler client. Outputs go to files, not pipes (a large `qstat -xml` would fill a
/// pipe before the process exits), and the process is awaited through its termination handler,
/// so no thread blocks; a client that hangs (a qmaster that accepts and never answers) is killed
/// after `timeout`, which makes it a failed command rather than a hang.
enum GridCommand {
    static let timeout: Duration = .seconds(30)

    static func run(_ scheduler: String, _ arguments: [String], environment: [String: String]? = nil) async throws(GridError) -> String {
        let shown = arguments.joined(separator: " ")
        let base = FileManager.default.temporaryDirectory.path + "/bcops-grid-\(UUID().uuidString)"
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer { unlink(outPath); unlink(errPath) }
        guard FileManager.default.createFile(atPath: outPath, contents: nil), FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            throw GridError(scheduler: scheduler, command: shown, output: "cannot create files for its output in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? out.close(); try? err.close() }  // written by the child only
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        var watchdog: Task<Void, Never>?
        let status: Int32? = await withCheckedContinuation { (done: CheckedContinuation<Int32?, Never>) in
            process.terminationHandler = { done.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                done.resume(returning: nil)
                return
            }
            let pid = process.processIdentifier
            watchdog = Task.detached {
                // Cancelled as soon as the client exits, so a pid that may be reused is never signalled.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                kill(pid, SIGKILL)
            }
        }
        watchdog?.cancel()
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard let status else {
            throw GridError(scheduler: scheduler, command: shown, output: "\(arguments.first ?? "") is not installed or cannot be started")
        }
        guard status == 0 else {
            let said = ((try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "") + output
            let why = process.terminationReason == .uncaughtSignal ? "no answer within \(timeout.components.seconds) s; " : ""
            throw GridError(scheduler: scheduler, command: shown, output: why + said, status: status)
        }
        return output
    }

    /// Task numbers as schedulers write sets of them: `3`, `3-50`, `3-50:2` (Grid Engine's
    /// step), `1,4-6`, `3-50%4` (Slurm's limit of tasks running at once).
    static func taskNumbers(_ text: String) -> [Int] {
        var numbers: [Int] = []
        for part in text.split(separator: ",") {
            let range = part.split(separator: "%")[0]
            let stepParts = range.split(separator: ":")
            let step = stepParts.count > 1 ? max(1, Int(stepParts[1]) ?? 1) : 1
            let bounds = stepParts[0].split(separator: "-")
            guard let first = Int(bounds[0]) else { continue }
            let last = bounds.count > 1 ? Int(bounds[1]) ?? first : first
            numbers += Array(stride(from: first, through: last, by: step))
        }
        return numbers
    }
}
