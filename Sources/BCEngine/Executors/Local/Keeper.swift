import CSpawn
import Foundation
import Logging

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
/// through their pidfds and status files (`HostProcesses.adopt`). If the keeper dies, its
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
        var waiter: CheckedContinuation<ProcessOutcome, Never>?
        var outcome: ProcessOutcome?
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
    func end(of id: UInt64, timeoutSeconds: Int) async -> ProcessOutcome {
        guard let entry = pending[id] else { return .unknown }
        if let outcome = entry.outcome {
            pending[id] = nil
            return outcome
        }
        let deadline = ContinuousClock.now + .seconds(max(1, timeoutSeconds))
        if sweepAt.map({ deadline < $0 }) ?? true { sweep(at: deadline) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<ProcessOutcome, Never>) in
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

    private func finish(_ id: UInt64, _ outcome: ProcessOutcome) {
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
                    let outcome = await HostProcesses.watch(pid, statusPath: statusPath, timeoutSeconds: nil)
                    self.finish(id, outcome)
                }
            }
        }
    }

    /// A request's fields after its id (see main.c): program, working directory, stdout,
    /// stderr, status file, argc, argv…, envc, environment… Paths are made absolute (the keeper
    /// runs in /, and a program is looked up after the chdir). A NUL ends a string, as in C.
    nonisolated static func request(program: String, arguments: [String], _ launch: ProcessLaunch) -> (body: [UInt8], statusPath: String) {
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
    nonisolated static func launch(_ path: String) -> Result<(Int32, pid_t), HostProcesses.SpawnError> {
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
