import CSpawn
import Foundation

/// What an executor needs to run one instance.
public struct InstanceLaunch: Sendable {
    public var commandLine: String
    public var workingDirectory: String
    public var environment: [String: String]
    public var stdoutPath: String
    public var stderrPath: String
    public var timeoutSeconds: Int
}

/// How an instance ended.
public enum InstanceOutcome: Sendable, Equatable {
    case exited(Int32)
    case timedOut
    case failedToStart(String)
}

/// Runs instances. The scheduler decides what runs where; executors only run processes,
/// so Grid Engine and Slurm fit behind the same protocol.
public protocol InstanceExecutor: Sendable {
    /// Runs the instance; `started` receives its process group as soon as it exists.
    func run(_ launch: InstanceLaunch, started: @Sendable (Int32) async -> Void) async -> InstanceOutcome
}

/// Processes on this host, each in its own process group so a timeout or a stop kills
/// everything it started.
public struct LocalExecutor: InstanceExecutor {
    public init() {}

    public func run(_ launch: InstanceLaunch, started: @Sendable (Int32) async -> Void) async -> InstanceOutcome {
        let pid: pid_t
        switch LocalExecutor.spawn(launch) {
        case .success(let p): pid = p
        case .failure(let why): return .failedToStart(why.message)
        }
        await started(pid)
        // One thread per instance waits for its exit or its deadline, whichever comes first;
        // cancelling the task (a stopped job) kills the whole process group.
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<InstanceOutcome, Never>) in
                let thread = Thread { continuation.resume(returning: LocalExecutor.wait(pid, timeoutSeconds: launch.timeoutSeconds)) }
                thread.stackSize = 256 << 10
                thread.start()
            }
        } onCancel: {
            kill(-pid, SIGKILL)
        }
    }

    struct SpawnError: Error { var message: String }

    /// Starts the command line in the working directory, in a new process group: through
    /// `/bin/sh -c`, or directly when the shell would only split it into words.
    static func spawn(_ launch: InstanceLaunch) -> Result<pid_t, SpawnError> {
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
        let arguments: [String]
        let program: String
        if let words = directWords(launch.commandLine), let path = resolve(words[0], path: launch.environment["PATH"], in: launch.workingDirectory) {
            (program, arguments) = (path, words)  // nothing for a shell to do: skip it
        } else {
            (program, arguments) = ("/bin/sh", ["/bin/sh", "-c", launch.commandLine])
        }
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
    static func wait(_ pid: pid_t, timeoutSeconds: Int) -> InstanceOutcome {
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
    static func reap(_ pid: pid_t) -> InstanceOutcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .failedToStart("waitpid failed") }
        }
        // A killed process reports its signal as a shell would (128 + signal).
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .exited(128 + (status & 0x7f))
    }

    /// Set in every instance's environment to the engine's data directory; inherited by
    /// everything the instance starts.
    public static let ownerVariable = "BCOPS_ENGINE_DATA"

    /// Ends (SIGKILL) the process group of every process whose environment says it belongs to
    /// the engine of `dataDirectory`: what a killed engine left running. Returns how many groups.
    /// Reading the marker from /proc instead of recording each process group at start saves
    /// a transaction per instance.
    public static func killOrphans(of dataDirectory: String) -> Int {
        let marker = Array("\(ownerVariable)=\(dataDirectory)".utf8) + [0]
        let own = getpgrp()
        var groups = Set<pid_t>()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let bytes = [UInt8](environ)
            let isOurs = bytes.starts(with: marker) || bytes.indices.contains { i in
                bytes[i] == 0 && bytes[(i + 1)...].starts(with: marker)
            }
            let group = getpgid(pid)
            if isOurs, group > 1, group != own { groups.insert(group) }
        }
        for group in groups { kill(-group, SIGKILL) }
        return groups.count
    }

    /// Quotes a word for /bin/sh.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
