import CSpawn
import Foundation

/// One process to start on this host: an instance's command line, ready to run.
struct ProcessLaunch: Sendable {
    var commandLine: String
    var workingDirectory: String
    var environment: [String: String]
    var stdoutPath: String
    var stderrPath: String
    var timeoutSeconds: Int
    /// Where the instance's exit status is written when it ends (by `bcops-keeper`), for an
    /// engine that is not there to see it.
    var statusPath: String? = nil
}

/// How a process ended.
enum ProcessOutcome: Sendable, Equatable {
    case exited(Int32)
    case timedOut
    case failedToStart(String)
    /// The instance ended out of the engine's sight and left no status (or its keeper died
    /// before saying whether it started): what it did is unknown, so it runs again.
    case unknown
}

/// Processes on this host, each in its own process group so a timeout or a stop kills
/// everything it started: what `LocalExecutor` runs an instance's command line with.
///
/// Instances are started by the engine's `bcops-keeper` (one per engine process, see
/// `Keeper`), which writes each instance's exit status to its status file when it ends, so
/// a restarted engine records what ended while it was down instead of running it again.
/// Without the keeper (not built beside the running binary, or it cannot start), the engine
/// spawns and reaps instances itself, and an instance that ends while the engine is down runs
/// again (at-least-once).
struct HostProcesses: Sendable {
    /// The engine's keeper; nil: instances are spawned directly.
    let keeper: Keeper?

    /// `keeper`: the `bcops-keeper` program (by default the one beside the running binary);
    /// nil runs instances directly. One keeper is started per program and process, however
    /// many runners share it.
    init(keeper path: String? = HostProcesses.findKeeper()) {
        keeper = path.map { Keeper.shared(at: $0) }
    }

    /// `bcops-keeper` beside the running binary (`/proc/self/exe`), if built; says once when not.
    static func findKeeper() -> String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = (exe as NSString).deletingLastPathComponent + "/bcops-keeper"
        if access(path, X_OK) == 0 { return path }
        Keeper.warnOnce("bcops-keeper is not beside \(exe): instances run directly, and one that ends while the engine is down runs again")
        return nil
    }

    /// Runs the process to its end: it exits, its deadline kills its group, or cancelling the
    /// task (a stopped job) does.
    func run(_ launch: ProcessLaunch) async -> ProcessOutcome {
        if let keeper {
            let (program, arguments) = HostProcesses.command(launch)
            switch await keeper.spawn(Keeper.request(program: program, arguments: arguments, launch)) {
            case .started(let id, let pid):
                // The keeper says when it ended; the deadline is the engine's. Cancelling the task
                // (a stopped job) kills the whole process group, and the keeper reports its end.
                return await withTaskCancellationHandler {
                    await keeper.end(of: id, timeoutSeconds: launch.timeoutSeconds)
                } onCancel: {
                    kill(-pid, SIGKILL)
                }
            case .failed(let why): return .failedToStart(why)
            case .lost: return .unknown
            case .unavailable: break  // spawned here instead
            }
        }
        let pid: pid_t
        switch HostProcesses.spawn(launch) {
        case .success(let p): pid = p
        case .failure(let why): return .failedToStart(why.message)
        }
        // One thread per instance waits for its exit or its deadline, whichever comes first;
        // cancelling the task (a stopped job) kills the whole process group.
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProcessOutcome, Never>) in
                let thread = Thread { continuation.resume(returning: HostProcesses.wait(pid, timeoutSeconds: launch.timeoutSeconds)) }
                thread.stackSize = 256 << 10
                thread.start()
            }
        } onCancel: {
            kill(-pid, SIGKILL)
        }
    }

    /// Takes over an instance a killed engine left running: waits for it (it is not our child
    /// but an earlier keeper's, so through its pidfd), kills its group at the deadline, and
    /// reads its status file.
    func adopt(pid: pid_t, statusPath: String, timeoutSeconds: Int) async -> ProcessOutcome {
        await withTaskCancellationHandler {
            await HostProcesses.watch(pid, statusPath: statusPath, timeoutSeconds: max(0, timeoutSeconds))
        } onCancel: {
            kill(-pid, SIGKILL)
        }
    }

    /// Waits through its pidfd for a process that is not our child to end, up to the deadline
    /// (none: no limit; at the deadline its group is killed and the outcome is a timeout), then
    /// reads the status its keeper wrote.
    static func watch(_ pid: pid_t, statusPath: String, timeoutSeconds: Int?) async -> ProcessOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<ProcessOutcome, Never>) in
            let thread = Thread {
                let pidfd = bc_pidfd_open(pid)
                var timedOut = false
                if pidfd >= 0 {
                    let deadline = timeoutSeconds.map { Date().addingTimeInterval(Double($0)) }
                    var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
                    while true {
                        var wait: Int32 = -1
                        if let left = deadline?.timeIntervalSinceNow {
                            if left <= 0 { timedOut = true; break }
                            wait = Int32(min(left * 1000 + 1, Double(Int32.max)))
                        }
                        let rc = poll(&entry, 1, wait)
                        if rc > 0 || (rc < 0 && errno != EINTR) { break }
                    }
                    // Exited; the keeper writes the status, then reaps it: wait for the reap (up to
                    // 10 s, for a keeper that is slow or gone, when init reaps it and no status comes).
                    let reapDeadline = Date().addingTimeInterval(10)
                    while !timedOut && bc_pidfd_send_signal(pidfd, 0) == 0 && Date() < reapDeadline { usleep(1_000) }
                    close(pidfd)
                }
                if timedOut {
                    kill(-pid, SIGKILL)
                    continuation.resume(returning: .timedOut)
                } else {
                    continuation.resume(returning: HostProcesses.readStatus(statusPath).map { .exited($0) } ?? .unknown)
                }
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    /// The exit status the keeper wrote, if it did: for an instance a restarted engine did not
    /// find running (`orphans(of:)`). One found missing just after that scan may have exited
    /// just before it, its status still being written (the keeper writes it as soon as the
    /// instance exits, before it reaps it); so a missing status is looked for again once 100 ms
    /// have passed since the last scan (a wait paid once per recovery, not per instance).
    static func recordedStatus(_ path: String) -> Int32? {
        if let code = readStatus(path) { return code }
        let since = scanTime.withLock { $0 }.map { Date().timeIntervalSince($0) } ?? .infinity
        guard since < 0.1 else { return nil }
        usleep(useconds_t((0.1 - since) * 1_000_000))
        return readStatus(path)
    }

    static func readStatus(_ path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// When `orphans(of:)` last scanned /proc.
    static let scanTime = Locked<Date?>(nil)

    struct SpawnError: Error { var message: String }

    /// What runs for a command line: the program itself when the shell would only split the
    /// line into words, else `/bin/sh -c`.
    static func command(_ launch: ProcessLaunch) -> (program: String, arguments: [String]) {
        if let words = directWords(launch.commandLine), let path = resolve(words[0], path: launch.environment["PATH"], in: launch.workingDirectory) {
            return (path, words)  // nothing for a shell to do: skip it
        }
        return ("/bin/sh", ["/bin/sh", "-c", launch.commandLine])
    }

    /// Starts the command line in the working directory, in a new process group (the engine's
    /// own spawn, without a keeper).
    static func spawn(_ launch: ProcessLaunch) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, launch.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, launch.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        bc_spawn_addchdir(&actions, launch.workingDirectory)
        bc_spawn_addclosefrom(&actions, 3)  // nothing of the engine's but stdin, stdout and stderr
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let (program, arguments) = command(launch)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { (s: String) in strdup(s) } + [nil]
        let variables: [String] = launch.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        return rc == 0 ? .success(pid) : .failure(SpawnError(message: String(cString: strerror(rc))))
    }

    /// The words of a command line that holds nothing a shell would interpret — no quotes,
    /// variables, globs, redirections, operators or escapes — so running it directly is what
    /// `sh -c` would do, one process fewer. nil otherwise.
    static func directWords(_ commandLine: String) -> [String]? {
        var words: [String] = []
        var word = ""
        for byte in commandLine.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if !word.isEmpty { words.append(word); word = "" }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ","), UInt8(ascii: ":"),
                 UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: "%"):
                word.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                return nil
            }
        }
        if !word.isEmpty { words.append(word) }
        // `a=b cmd` is an assignment, and keywords and builtins (`exit 3`, `cd dir`, `time …`)
        // mean something else to a shell than any program of that name: leave those to it.
        guard let first = words.first, !first.hasPrefix("-"), !first.contains("="), !shellWords.contains(first) else { return nil }
        return words
    }

    static let shellWords: Set<String> = [
        "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done", "in", "function", "time",
        "cd", "exit", "export", "set", "unset", "shift", "exec", "eval", ".", "source", "alias", "unalias", "read", "wait",
        "trap", "return", "break", "continue", "umask", "ulimit", "readonly", "local", "type", "command", "hash", "getopts",
        "jobs", "fg", "bg", "times",
    ]

    /// The file `sh` would run for `program`: as given when it names a path, else the first
    /// executable match on PATH. nil (and the shell reports it) when there is none.
    static func resolve(_ program: String, path: String?, in directory: String) -> String? {
        if program.contains("/") {
            let full = program.hasPrefix("/") ? program : directory + "/" + program
            return access(full, X_OK) == 0 ? full : nil
        }
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") where dir.hasPrefix("/") {
            let full = dir + "/" + program
            var info = stat()
            if stat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(full, X_OK) == 0 { return full }
        }
        return nil
    }

    /// Waits for the process to end; at the deadline, kills its process group and reports a timeout.
    static func wait(_ pid: pid_t, timeoutSeconds: Int) -> ProcessOutcome {
        var timedOut = false
        let deadline = Date().addingTimeInterval(Double(max(1, timeoutSeconds)))
        let pidfd = bc_pidfd_open(pid)
        if pidfd >= 0 {
            defer { close(pidfd) }
            var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            while true {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { timedOut = true; break }
                let rc = poll(&entry, 1, Int32(min(left * 1000 + 1, Double(Int32.max))))
                if rc > 0 { break }
                if rc < 0 && errno != EINTR { break }
            }
        } else {
            // No pidfds (an old kernel): a timer kills the group instead.
            let timer = DispatchWorkItem { kill(-pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(max(1, timeoutSeconds)), execute: timer)
            defer { timer.cancel() }
            let outcome = reap(pid)
            return outcome == .exited(128 + SIGKILL) && Date() >= deadline ? .timedOut : outcome
        }
        if timedOut { kill(-pid, SIGKILL) }
        let outcome = reap(pid)
        return timedOut ? .timedOut : outcome
    }

    /// Collects the exit status of an ended (or ending) process.
    static func reap(_ pid: pid_t) -> ProcessOutcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .failedToStart("waitpid failed") }
        }
        // A killed process reports its signal as a shell would (128 + signal).
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .exited(128 + (status & 0x7f))
    }
}
