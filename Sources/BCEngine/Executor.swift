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
        // The deadline kills the whole process group; so does cancelling the task (a stopped job).
        let started = Date()
        let timeout = Task {
            try await Task.sleep(nanoseconds: UInt64(max(1, launch.timeoutSeconds)) * 1_000_000_000)
            kill(-pid, SIGKILL)
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<InstanceOutcome, Never>) in
                // A blocking waitpid on a thread of its own reports the exit the moment it happens.
                let thread = Thread { continuation.resume(returning: LocalExecutor.wait(pid)) }
                thread.stackSize = 256 << 10
                thread.start()
            }
        } onCancel: {
            kill(-pid, SIGKILL)
        }
        timeout.cancel()
        let timedOut = outcome == .exited(128 + SIGKILL) && !Task.isCancelled
            && Date().timeIntervalSince(started) >= Double(launch.timeoutSeconds) - 0.05
        return timedOut ? .timedOut : outcome
    }

    struct SpawnError: Error { var message: String }

    /// Starts `/bin/sh -c CommandLine` in the working directory, in a new process group.
    static func spawn(_ launch: InstanceLaunch) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, launch.stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, launch.stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        bc_spawn_addchdir(&actions, launch.workingDirectory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let arguments: [String] = ["/bin/sh", "-c", launch.commandLine]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { (s: String) in strdup(s) } + [nil]
        let variables: [String] = launch.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        return rc == 0 ? .success(pid) : .failure(SpawnError(message: String(cString: strerror(rc))))
    }

    /// Waits for the process to end.
    static func wait(_ pid: pid_t) -> InstanceOutcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .failedToStart("waitpid failed") }
        }
        // A killed process reports its signal as a shell would (128 + signal).
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .exited(128 + (status & 0x7f))
    }

    /// Quotes a word for /bin/sh.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
