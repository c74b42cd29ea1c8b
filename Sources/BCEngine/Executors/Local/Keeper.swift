import CSpawn
import Foundation
import Logging

/// The engine's link to its `bcops-keeper` (Sources/bcops-keeper/main.c): one small C process
/// per engine that spawns every instance and holds its status until the engine has recorded
/// it. Running each instance under a wrapper of its own did the same at the cost of one more
/// exec per instance (of a program SwiftPM links with the Swift runtime): 1.8–2.9× `xargs -P2`
/// on `bench/dispatch.sh` instead of about 1.1×.
///
/// The keeper runs in a session of its own with an empty environment and nothing of the
/// engine's but one end of a Unix stream socket (its descriptor 3). One reader thread turns its
/// answers into messages and hands each read's worth, in one call, to whoever drives the
/// instances (`HostProcesses`), which alone sends requests: a start is not answered, so an
/// instance costs the engine one message (its end), not a pid and then an end; kills and
/// recorded ends go by the engine's id, so the engine needs no pids. If the engine dies, the
/// keeper writes the status of every end the engine did not record to its file, goes on
/// reaping and recording its instances, and exits after the last; the next engine starts a
/// keeper of its own and adopts the earlier one's instances through their pidfds and status
/// files (`HostProcesses.watch`).
///
/// The descriptor is closed when neither the driver nor the reader holds the link any more,
/// so a request can never go to a descriptor number reused by something else.
final class Keeper: Sendable {
    enum Message: Sendable {
        /// The instance of this id could not start: why.
        case failed(UInt64, String)
        /// The instance of this id ended with this status (its exit code, or 128 + the signal).
        case ended(UInt64, Int32)
        /// The keeper closed its end: it died (an engine's keeper only exits after the engine).
        case gone
    }

    let fd: Int32
    let pid: pid_t

    private init(fd: Int32, pid: pid_t) {
        self.fd = fd
        self.pid = pid
    }

    deinit { close(fd) }

    static let logger = Logger(label: "bcops.engine")
    private static let warned = Locked<Set<String>>([])

    /// Logs a warning the first time it is given.
    static func warnOnce(_ message: String) {
        if warned.withLock({ $0.insert(message).inserted }) { logger.warning("\(message)") }
    }

    /// Starts a keeper; its messages go to `deliver`, from a thread of its own, a read at a time.
    static func start(_ path: String, stopGrace: Duration, deliver: @escaping @Sendable ([Message]) -> Void) -> Result<Keeper, HostProcesses.SpawnError> {
        launch(path, stopGrace: stopGrace).map { fd, pid in
            let keeper = Keeper(fd: fd, pid: pid)
            let reader = Thread { keeper.read(into: deliver) }
            reader.stackSize = 256 << 10
            reader.start()
            return keeper
        }
    }

    /// Ends the link from the engine's side: the keeper then behaves as if the engine had died
    /// (the instances still running go on, their statuses go to their files).
    func disconnect() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// A request frame: its length, then its fields, each ending with a NUL.
    struct Frames {
        private(set) var bytes: [UInt8] = []
        var isEmpty: Bool { bytes.isEmpty }

        /// Starts an instance: `request` is `Keeper.request(…)`.
        mutating func start(_ id: UInt64, _ request: [UInt8]) {
            frame { $0.field("S"); $0.field(String(id)); $0.bytes += request }
        }

        /// Ends the process groups of these instances: SIGTERM, and SIGKILL after the keeper's grace.
        mutating func kill(_ ids: [UInt64]) {
            frame { f in f.field("K"); for id in ids { f.field(String(id)) } }
        }

        /// The engine recorded these ends: the keeper forgets them.
        mutating func recorded(_ ids: [UInt64]) {
            frame { f in f.field("R"); for id in ids { f.field(String(id)) } }
        }

        private mutating func field(_ s: String) {
            bytes += s.utf8
            bytes.append(0)
        }

        private mutating func frame(_ fill: (inout Frames) -> Void) {
            let start = bytes.count
            bytes += [0, 0, 0, 0]
            fill(&self)
            let length = UInt32(bytes.count - start - 4).littleEndian
            withUnsafeBytes(of: length) { for (i, b) in $0.enumerated() { bytes[start + i] = b } }
        }
    }

    /// Writes the frames, all of them; false when the keeper is gone (a frame it did not get
    /// whole, it does not act on).
    func send(_ frames: Frames) -> Bool {
        frames.bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }

    /// A start request's fields after its id (see main.c): program, working directory, stdout,
    /// stderr, status file, argc, argv…, envc, environment… Paths are made absolute (the keeper
    /// runs in /, and a program is looked up after the chdir). A NUL ends a string, as in C.
    static func request(program: String, arguments: [String], _ launch: ProcessLaunch) -> [UInt8] {
        var body = [UInt8]()
        body.reserveCapacity(512 + launch.environment.count * 48)
        func field(_ string: String) {
            var string = string
            string.withUTF8 { bytes in body.append(contentsOf: bytes.prefix { $0 != 0 }) }  // a copy, not a byte at a time
            body.append(0)
        }
        func absolute(_ path: String) -> String {
            path.isEmpty || path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        field(absolute(program))
        field(absolute(launch.workingDirectory))
        field(absolute(launch.stdoutPath))
        field(absolute(launch.stderrPath))
        field(absolute(launch.statusPath ?? ""))
        field(String(arguments.count))
        for a in arguments { field(a) }
        field(String(launch.environment.count))
        for (k, v) in launch.environment {
            field(k)
            body[body.count - 1] = UInt8(ascii: "=")  // the NUL after the name becomes the `=`
            field(v)
        }
        return body
    }

    /// Starts the keeper process: our end of the socket and its pid.
    private static func launch(_ path: String, stopGrace: Duration) -> Result<(Int32, pid_t), HostProcesses.SpawnError> {
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
        let graceMilliseconds = stopGrace.components.seconds * 1000 + stopGrace.components.attoseconds / 1_000_000_000_000_000
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), strdup(String(getpid())), strdup(String(graceMilliseconds)), nil]
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

    /// The reader thread: the keeper's lines, as messages, until it closes the socket; then it
    /// reaps the keeper (the engine's child).
    private func read(into deliver: @Sendable ([Message]) -> Void) {
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
                if let m = Keeper.parse(buffer[start..<newline]) { messages.append(m) }
                start = newline + 1
            }
            buffer.removeFirst(start)
            if !messages.isEmpty { deliver(messages) }
        }
        deliver([.gone])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// `F ID MESSAGE`, `X ID CODE`.
    static func parse(_ line: ArraySlice<UInt8>) -> Message? {
        let parts = line.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 1, let id = UInt64(String(decoding: parts[1], as: UTF8.self)) else { return nil }
        let rest = String(decoding: parts[2], as: UTF8.self)
        switch parts[0].first {
        case UInt8(ascii: "F"): return .failed(id, rest)
        case UInt8(ascii: "X"): return Int32(rest).map { .ended(id, $0) }
        default: return nil
        }
    }
}
