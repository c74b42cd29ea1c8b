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
    func run(_ launch: InstanceLaunch) async -> InstanceOutcome
}

/// Processes on this host, each in its own process group so a timeout kills everything it started.
public struct LocalExecutor: InstanceExecutor {
    public init() {}

    public func run(_ launch: InstanceLaunch) async -> InstanceOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<InstanceOutcome, Never>) in
            let thread = Thread { continuation.resume(returning: LocalExecutor.runBlocking(launch)) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    static func runBlocking(_ launch: InstanceLaunch) -> InstanceOutcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, launch.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, launch.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The command runs in its working directory through a shell, as BatchCompute's node agent does.
        let script = "cd \(shellQuote(launch.workingDirectory)) && exec /bin/sh -c \(shellQuote(launch.commandLine))"
        let arguments: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { (s: String) in strdup(s) } + [nil]
        let variables: [String] = launch.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        guard rc == 0 else { return .failedToStart(String(cString: strerror(rc))) }

        let deadline = Date().addingTimeInterval(TimeInterval(launch.timeoutSeconds))
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 { return .failedToStart("waitpid failed") }
            if Date() >= deadline {
                kill(-pid, SIGKILL)  // the whole process group
                _ = waitpid(pid, &status, 0)
                return .timedOut
            }
            usleep(2_000)
        }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .exited(128 + (status & 0x7f))
    }

    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
