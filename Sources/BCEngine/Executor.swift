import CSpawn
import Foundation
import Logging

/// What an executor needs to run one instance.
public struct InstanceLaunch: Sendable {
    public var commandLine: String
    public var workingDirectory: String
    public var environment: [String: String]
    public var stdoutPath: String
    public var stderrPath: String
    public var timeoutSeconds: Int
    /// Where the instance's exit status is written when it ends (by `bcops-keeper`), for an
    /// engine that is not there to see it.
    public var statusPath: String? = nil
}

/// How an instance ended.
public enum InstanceOutcome: Sendable, Equatable {
    case exited(Int32)
    case timedOut
    case failedToStart(String)
    /// The instance ended out of the engine's sight and left no status (or its keeper died
    /// before saying whether it started): what it did is unknown, so it runs again.
    case unknown
}

/// Runs instances. The scheduler decides what runs where; executors only run processes,
/// so Grid Engine and Slurm fit behind the same protocol.
public protocol InstanceExecutor: Sendable {
    /// Runs the instance; `started` receives its process group as soon as it exists.
    func run(_ launch: InstanceLaunch, started: @Sendable (Int32) async -> Void) async -> InstanceOutcome
}

/// Processes on this host, each in its own process group so a timeout or a stop kills
/// everything it started.
///
/// Instances are started by the engine's `bcops-keeper` (one per engine process, see
/// `Keeper`), which writes each instance's exit status to its status file when it ends, so
/// a restarted engine records what ended while it was down instead of running it again.
/// Without the keeper (not built beside the running binary, or it cannot start), the engine
/// spawns and reaps instances itself, and an instance that ends while the engine is down runs
/// again (at-least-once).
public struct LocalExecutor: InstanceExecutor {
    /// The engine's keeper; nil: instances are spawned directly.
    let keeper: Keeper?

    /// `keeper`: the `bcops-keeper` program (by default the one beside the running binary);
    /// nil runs instances directly. One keeper is started per program and process, however
    /// many executors share it.
    public init(keeper path: String? = LocalExecutor.findKeeper()) {
        keeper = path.map { Keeper.shared(at: $0) }
    }

    /// `bcops-keeper` beside the running binary (`/proc/self/exe`), if built; says once when not.
    public static func findKeeper() -> String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = (exe as NSString).deletingLastPathComponent + "/bcops-keeper"
        if access(path, X_OK) == 0 { return path }
        Keeper.warnOnce("bcops-keeper is not beside \(exe): instances run directly, and one that ends while the engine is down runs again")
        return nil
    }

    public func run(_ launch: InstanceLaunch, started: @Sendable (Int32) async -> Void) async -> InstanceOutcome {
        if let keeper {
            let (program, arguments) = LocalExecutor.command(launch)
            switch await keeper.spawn(Keeper.request(program: program, arguments: arguments, launch)) {
            case .started(let id, let pid):
                await started(pid)
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

    /// Takes over an instance a killed engine left running: waits for it (it is not our child
    /// but an earlier keeper's, so through its pidfd), kills its group at the deadline, and
    /// reads its status file.
    public func adopt(pid: pid_t, statusPath: String, timeoutSeconds: Int) async -> InstanceOutcome {
        await withTaskCancellationHandler {
            await LocalExecutor.watch(pid, statusPath: statusPath, timeoutSeconds: max(0, timeoutSeconds))
        } onCancel: {
            kill(-pid, SIGKILL)
        }
    }

    /// Waits through its pidfd for a process that is not our child to end, up to the deadline
    /// (none: no limit; at the deadline its group is killed and the outcome is a timeout), then
    /// reads the status its keeper wrote.
    static func watch(_ pid: pid_t, statusPath: String, timeoutSeconds: Int?) async -> InstanceOutcome {
        await withCheckedContinuation { (continuation: CheckedContinuation<InstanceOutcome, Never>) in
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
                    continuation.resume(returning: LocalExecutor.readStatus(statusPath).map { .exited($0) } ?? .unknown)
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
    public static func recordedStatus(_ path: String) -> Int32? {
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
    static func command(_ launch: InstanceLaunch) -> (program: String, arguments: [String]) {
        if let words = directWords(launch.commandLine), let path = resolve(words[0], path: launch.environment["PATH"], in: launch.workingDirectory) {
            return (path, words)  // nothing for a shell to do: skip it
        }
        return ("/bin/sh", ["/bin/sh", "-c", launch.commandLine])
    }

    /// Starts the command line in the working directory, in a new process group (the engine's
    /// own spawn, without a keeper).
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

    /// A process group a killed engine left running: the instance it runs, from its environment.
    public struct Orphan: Sendable {
        public var group: pid_t
        public var jobId: String
        public var task: String
        public var index: Int
        public var key: String { "\(jobId)/\(task)/\(index)" }
    }

    /// Every process group whose leader's environment says it belongs to the engine of
    /// `dataDirectory`: what an earlier engine left running. Reading the marker from /proc
    /// instead of recording each process group at start saves a transaction per instance.
    ///
    /// An earlier engine's `bcops-keeper` is never among them: it is started with an empty
    /// environment, without the marker (and without `BATCH_COMPUTE_DAG_*`, so it could not be
    /// taken for an instance either), in a session of its own. Neither this nor `killOrphans`
    /// nor a restarted engine's recovery ever kills it, on purpose: killing it would gain
    /// nothing, since it exits by itself once the engine is gone and its last instance has
    /// ended (killing the instances' groups, as `killOrphans` does, is enough to make it
    /// exit: it records their ends and leaves), and it would lose the status of every
    /// instance still running, which would then run again.
    public static func orphans(of dataDirectory: String) -> [Orphan] {
        defer { scanTime.withLock { $0 = Date() } }
        let marker = "\(ownerVariable)=\(dataDirectory)"
        let own = getpgrp()
        var out: [pid_t: Orphan] = [:]
        var groups = Set<pid_t>()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            var variables: [Substring: Substring] = [:]
            let text = String(decoding: environ, as: UTF8.self)
            guard text.contains(marker) else { continue }
            for item in text.split(separator: "\0") {
                guard let eq = item.firstIndex(of: "=") else { continue }
                variables[item[..<eq]] = item[item.index(after: eq)...]
            }
            let group = getpgid(pid)
            guard variables[Substring(ownerVariable)].map(String.init) == dataDirectory, group > 1, group != own else { continue }
            groups.insert(group)
            if pid == group, let job = variables["BATCH_COMPUTE_DAG_JOB_ID"], let task = variables["BATCH_COMPUTE_DAG_TASK_ID"],
               let index = variables["BATCH_COMPUTE_DAG_INSTANCE_ID"].flatMap({ Int($0) }) {
                out[group] = Orphan(group: group, jobId: String(job), task: String(task), index: index)
            }
        }
        // A group whose leader is gone (or had no instance variables) still counts, unnamed.
        for group in groups where out[group] == nil { out[group] = Orphan(group: group, jobId: "", task: "", index: -1) }
        return Array(out.values)
    }

    /// Ends (SIGKILL) every process group an earlier engine of `dataDirectory` left running.
    public static func killOrphans(of dataDirectory: String) -> Int {
        let groups = orphans(of: dataDirectory)
        for o in groups { kill(-o.group, SIGKILL) }
        return groups.count
    }

    /// Quotes a word for /bin/sh.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// A value behind a lock, for the little state shared outside actors.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// The engine's side of its `bcops-keeper` (Sources/bcops-keeper/main.c): one small C process
/// per engine, started once, that spawns every instance and writes its status file when it
/// ends. Running each instance under a wrapper of its own did the same at the cost of one more
/// exec per instance (of a program SwiftPM links with the Swift runtime): 1.8–2.9× `xargs -P2`
/// on `bench/dispatch.sh` instead of about 1.1×.
///
/// The keeper runs in a session of its own with an empty environment and nothing of the
/// engine's but one end of a Unix stream socket (its descriptor 3). The engine sends a request
/// per instance; one reader thread turns the keeper's answers into messages, and this actor
/// resumes whoever waits for them: the pid (or why it could not start), then the end. If the
/// engine dies, the keeper goes on reaping and recording its instances and exits after the
/// last; the next engine starts a keeper of its own and adopts the earlier one's instances
/// through their pidfds and status files (`LocalExecutor.adopt`). If the keeper dies, its
/// running instances are watched as adopted ones, and a new keeper starts a second later
/// (meanwhile, or for 10 s after a failed start, instances are spawned directly).
actor Keeper {
    enum Spawned: Sendable {
        case started(UInt64, pid_t)
        case failed(String)
        /// The keeper died before answering: the instance may or may not have started.
        case lost
        /// No keeper to ask (it cannot start, or the request did not reach it): spawn directly.
        case unavailable
    }

    enum Message: Sendable {
        case started(UInt64, pid_t)
        case failed(UInt64, String)
        case ended(UInt64, Int32)
        case gone
    }

    private struct Pending {
        var spawned: CheckedContinuation<Spawned, Never>?
        var generation: Int
        var statusPath: String
        var pid: pid_t = 0
        var waiter: CheckedContinuation<InstanceOutcome, Never>?
        var outcome: InstanceOutcome?
        var timedOut = false
        var deadline: ContinuousClock.Instant?
    }

    private struct Link {
        var fd: Int32
        var generation: Int
    }

    nonisolated let path: String
    private var link: Link?
    private var generation = 0
    private var retryAfter: ContinuousClock.Instant?
    private var pending: [UInt64: Pending] = [:]
    private var nextId: UInt64 = 1
    /// One task kills instances past their deadline, asleep until the earliest (a task per
    /// instance cost two more scheduler jobs for each).
    private var sweeper: Task<Void, Never>?
    private var sweepAt: ContinuousClock.Instant?

    init(path: String) { self.path = path }

    static let logger = Logger(label: "bcops.engine")
    private static let warned = Locked<Set<String>>([])
    private static let keepers = Locked<[String: Keeper]>([:])

    /// Logs a warning the first time it is given.
    nonisolated static func warnOnce(_ message: String) {
        if warned.withLock({ $0.insert(message).inserted }) { logger.warning("\(message)") }
    }

    /// The keeper of this process for `path`, started now (at the engine's start) if it is not yet.
    static func shared(at path: String) -> Keeper {
        keepers.withLock { keepers in
            if let known = keepers[path] { return known }
            let keeper = Keeper(path: path)
            keepers[path] = keeper
            Task { await keeper.connect() }
            return keeper
        }
    }

    /// Starts the keeper if none runs; false when there is none to use.
    @discardableResult
    func connect() -> Bool {
        if link != nil { return true }
        if let retryAfter, ContinuousClock.now < retryAfter { return false }
        switch Keeper.launch(path) {
        case .failure(let why):
            Keeper.warnOnce("cannot start \(path) (\(why.message)): instances run directly, and one that ends while the engine is down runs again")
            retryAfter = .now + .seconds(10)
            return false
        case .success(let (fd, pid)):
            generation += 1
            let generation = self.generation
            link = Link(fd: fd, generation: generation)
            let (messages, sink) = AsyncStream.makeStream(of: [Message].self)
            let reader = Thread { Keeper.read(fd, keeper: pid, into: sink) }
            reader.stackSize = 256 << 10
            reader.start()
            Task { for await batch in messages { self.received(batch, generation: generation) } }
            return true
        }
    }

    /// Asks the keeper to start an instance (`request`: `Keeper.request`).
    func spawn(_ request: (body: [UInt8], statusPath: String)) async -> Spawned {
        // Past the keeper's limit on a request (64 MiB) the exec would fail anyway (E2BIG): say so from here.
        guard request.body.count < 60 << 20, connect(), let link else { return .unavailable }
        let id = nextId
        nextId += 1
        let idField = Array(String(id).utf8) + [0]
        var frame = [UInt8]()
        frame.reserveCapacity(4 + idField.count + request.body.count)
        withUnsafeBytes(of: UInt32(idField.count + request.body.count).littleEndian) { frame.append(contentsOf: $0) }
        frame += idField
        frame += request.body
        return await withCheckedContinuation { (continuation: CheckedContinuation<Spawned, Never>) in
            pending[id] = Pending(spawned: continuation, generation: link.generation, statusPath: request.statusPath)
            if !Keeper.send(frame, to: link.fd) {
                // It never got the whole request, so it started nothing: the reader will see it gone.
                pending[id] = nil
                continuation.resume(returning: .unavailable)
            }
        }
    }

    /// Waits for the end of a started instance; at the deadline kills its group and, once the
    /// keeper has seen it end, says it timed out.
    func end(of id: UInt64, timeoutSeconds: Int) async -> InstanceOutcome {
        guard let entry = pending[id] else { return .unknown }
        if let outcome = entry.outcome {
            pending[id] = nil
            return outcome
        }
        let deadline = ContinuousClock.now + .seconds(max(1, timeoutSeconds))
        if sweepAt.map({ deadline < $0 }) ?? true { sweep(at: deadline) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<InstanceOutcome, Never>) in
            pending[id]?.waiter = continuation
            pending[id]?.deadline = deadline
        }
    }

    /// Wakes at `time` to kill the instances past their deadline, then sleeps until the next one.
    private func sweep(at time: ContinuousClock.Instant) {
        sweeper?.cancel()
        sweepAt = time
        sweeper = Task {
            var next: ContinuousClock.Instant? = time
            while let wake = next {
                do { try await Task.sleep(until: wake, clock: .continuous) } catch { return }  // replaced by an earlier one
                let now = ContinuousClock.now
                next = nil
                for (id, entry) in pending where entry.outcome == nil && !entry.timedOut {
                    guard let deadline = entry.deadline else { continue }
                    if deadline <= now {
                        pending[id]?.timedOut = true
                        kill(-entry.pid, SIGKILL)  // the keeper reports its end, which settles it
                    } else if next.map({ deadline < $0 }) ?? true {
                        next = deadline
                    }
                }
                sweepAt = next
            }
        }
    }

    private func finish(_ id: UInt64, _ outcome: InstanceOutcome) {
        guard var entry = pending[id], entry.spawned == nil else { return }
        let outcome = entry.timedOut ? .timedOut : outcome
        if let waiter = entry.waiter {
            pending[id] = nil
            waiter.resume(returning: outcome)
        } else {
            entry.outcome = outcome
            pending[id] = entry
        }
    }

    private func received(_ batch: [Message], generation: Int) {
        for message in batch {
            switch message {
            case .started(let id, let pid):
                guard let continuation = pending[id]?.spawned else { continue }
                pending[id]?.spawned = nil
                pending[id]?.pid = pid
                continuation.resume(returning: .started(id, pid))
            case .failed(let id, let why):
                guard let continuation = pending[id]?.spawned else { continue }
                pending[id] = nil
                continuation.resume(returning: .failed(why))
            case .ended(let id, let code):
                finish(id, .exited(code))
            case .gone:
                lost(generation)
            }
        }
    }

    /// The keeper of `generation` is gone (it died: an engine's keeper only exits after the
    /// engine). Its instances go on without it: they are watched as adopted ones are.
    private func lost(_ generation: Int) {
        if let link, link.generation == generation {
            close(link.fd)
            self.link = nil
            retryAfter = .now + .seconds(1)  // a keeper that keeps dying is not restarted for every instance
            Keeper.logger.warning("bcops-keeper exited while the engine runs; instances run directly for a second, then a new one starts")
        }
        for (id, entry) in pending where entry.generation == generation {
            if let continuation = entry.spawned {
                pending[id] = nil
                continuation.resume(returning: .lost)
            } else if entry.outcome == nil {
                let (pid, statusPath) = (entry.pid, entry.statusPath)
                Task {
                    let outcome = await LocalExecutor.watch(pid, statusPath: statusPath, timeoutSeconds: nil)
                    self.finish(id, outcome)
                }
            }
        }
    }

    /// A request's fields after its id (see main.c): program, working directory, stdout,
    /// stderr, status file, argc, argv…, envc, environment… Paths are made absolute (the keeper
    /// runs in /, and a program is looked up after the chdir). A NUL ends a string, as in C.
    nonisolated static func request(program: String, arguments: [String], _ launch: InstanceLaunch) -> (body: [UInt8], statusPath: String) {
        var body = [UInt8]()
        body.reserveCapacity(512 + launch.environment.count * 32)
        func field<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes { if b == 0 { break }; body.append(b) }
            body.append(0)
        }
        func absolute(_ path: String) -> String {
            path.isEmpty || path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        let statusPath = absolute(launch.statusPath ?? "")
        field(absolute(program).utf8)
        field(absolute(launch.workingDirectory).utf8)
        field(absolute(launch.stdoutPath).utf8)
        field(absolute(launch.stderrPath).utf8)
        field(statusPath.utf8)
        field(String(arguments.count).utf8)
        for a in arguments { field(a.utf8) }
        field(String(launch.environment.count).utf8)
        for (k, v) in launch.environment { field(k.utf8 + [UInt8(ascii: "=")] + v.utf8) }
        return (body, statusPath)
    }

    /// Starts the keeper process: our end of the socket and its pid.
    nonisolated static func launch(_ path: String) -> Result<(Int32, pid_t), LocalExecutor.SpawnError> {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            return .failure(.init(message: "socketpair: " + String(cString: strerror(errno))))
        }
        // The keeper's end goes to its descriptor 3; kept above 2 first, so opening /dev/null on
        // 0, 1 and 2 cannot replace it, and above 3, so the dup2 clears its close-on-exec.
        let theirs = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
        close(ends[1])
        guard theirs >= 0 else {
            close(ends[0])
            return .failure(.init(message: "fcntl: " + String(cString: strerror(errno))))
        }
        defer { close(theirs) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, theirs, 3)
        bc_spawn_addclosefrom(&actions, 4)
        bc_spawn_addchdir(&actions, "/")
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, bc_spawn_setsid_flag() | Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(String(getpid())), nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]  // nothing that could mark it as an instance
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            close(ends[0])
            return .failure(.init(message: String(cString: strerror(rc))))
        }
        return .success((ends[0], pid))
    }

    /// Writes all of `bytes`; false when the keeper is gone.
    nonisolated static func send(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }

    /// The reader thread: the keeper's lines, as messages, until it closes the socket; then it
    /// reaps the keeper (the engine's child).
    nonisolated static func read(_ fd: Int32, keeper: pid_t, into sink: AsyncStream<[Message]>.Continuation) {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer += chunk[0..<n]
            var messages: [Message] = []
            var start = 0
            while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if let m = parse(buffer[start..<newline]) { messages.append(m) }
                start = newline + 1
            }
            buffer.removeFirst(start)
            if !messages.isEmpty { sink.yield(messages) }
        }
        sink.yield([.gone])
        sink.finish()
        var status: Int32 = 0
        while waitpid(keeper, &status, 0) < 0 && errno == EINTR {}
    }

    /// `P ID PID`, `F ID MESSAGE`, `X ID CODE`.
    nonisolated static func parse(_ line: ArraySlice<UInt8>) -> Message? {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, let id = UInt64(String(decoding: parts[1], as: UTF8.self)) else { return nil }
        let rest = String(decoding: parts[2], as: UTF8.self)
        switch parts[0].first {
        case UInt8(ascii: "P"): return Int32(rest).map { .started(id, $0) }
        case UInt8(ascii: "F"): return .failed(id, rest)
        case UInt8(ascii: "X"): return Int32(rest).map { .ended(id, $0) }
        default: return nil
        }
    }
}
