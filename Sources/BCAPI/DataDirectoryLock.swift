#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One engine per data directory: an `flock` on `DATA/engine.lock`, held for the life of the
/// process that serves the directory (`bcctl engine serve`, `bcctl controller
/// --embedded-engine`). The file says who holds it: `pid N`, then `address http://…` once the
/// engine listens. The kernel drops the lock when the process ends, however it ends, so a
/// SIGKILLed engine never blocks the next one; a file left behind says nothing by itself:
/// only a held lock counts.
public final class DataDirectoryLock: @unchecked Sendable {
    public static let fileName = "engine.lock"

    public let directory: String
    public var path: String { directory + "/" + Self.fileName }
    private let fd: Int32

    /// Who holds a directory's lock, as its file says (either may be missing while an engine
    /// starts).
    public struct Holder: Sendable, Equatable {
        public var pid: Int32?
        public var address: String?

        /// "the engine at http://127.0.0.1:18765 (pid 4242)", "an engine that is starting (pid 4242)".
        public var phrase: String {
            let pidText = pid.map { " (pid \($0))" } ?? ""
            if let address { return "the engine at \(address)\(pidText)" }
            return "an engine that is starting and not yet listening\(pidText)"
        }

        static func parse(_ text: String) -> Holder {
            var holder = Holder()
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                switch parts[0] {
                case "pid": holder.pid = Int32(parts[1])
                case "address": holder.address = parts[1]
                default: break
                }
            }
            return holder
        }
    }

    /// The directory is being served by another process.
    public struct InUse: Error, CustomStringConvertible, LocalizedError, Sendable {
        public var directory: String
        public var holder: Holder
        public var description: String {
            "\(directory) is in use by \(holder.phrase); stop it, or give this one another --data"
        }
        public var errorDescription: String? { description }
    }

    /// The lock file cannot be opened or locked for another reason than a holder.
    public struct Failed: Error, CustomStringConvertible, LocalizedError, Sendable {
        public var description: String
        public var errorDescription: String? { description }
    }

    private init(directory: String, fd: Int32) {
        self.directory = directory
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes `directory`'s lock (creating the directory 0700 and the file 0600 if missing) and
    /// writes this process's pid into it; `InUse` names the holder when another process has it.
    /// The descriptor is close-on-exec: no instance or keeper the engine starts inherits it.
    public static func acquire(_ directory: String) throws -> DataDirectoryLock {
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let path = directory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failed(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        // A client checking whether the lock is held takes it shared for an instant: retry
        // briefly before calling the directory busy.
        var attempt = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw Failed(description: "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            attempt += 1
            if attempt >= 10 {
                let holder = Holder.parse(Self.read(fd))
                close(fd)
                throw InUse(directory: directory, holder: holder)
            }
            usleep(20_000)
        }
        let lock = DataDirectoryLock(directory: directory, fd: fd)
        lock.write("pid \(getpid())\n")
        return lock
    }

    /// Records where this process's engine listens, beside its pid.
    public func recordListening(at address: String) {
        write("pid \(getpid())\naddress \(address)\n")
    }

    /// `DATA/endpoint`, where clients on this host (bcplan, bcapply, bcctl) find the engine.
    public var endpointFile: String { directory + "/endpoint" }

    /// The engine listens at `address`: writes `DATA/endpoint` (atomically) and the lock file.
    /// Throws when the endpoint file cannot be written (a full or read-only disk): clients on
    /// this host would not find the engine, and the caller must say so.
    public func publish(_ address: String) throws {
        recordListening(at: address)
        let tmp = endpointFile + ".tmp"
        try (address + "\n").write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, endpointFile) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(tmp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename \(tmp) to \(endpointFile): \(why)"])
        }
    }

    /// The engine stopped cleanly: removes `DATA/endpoint` if it still holds `address` (so a
    /// client is told that no engine serves the directory rather than sent to a dead
    /// address). The lock itself goes with the process.
    public func withdraw(_ address: String) {
        // Unreadable or gone: nothing of ours to remove.
        let written = (try? String(contentsOfFile: endpointFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if written == address { unlink(endpointFile) }
    }

    /// Who holds `directory`'s lock, or nil when no process holds it (none running, or the
    /// holder died: its file may still name it).
    public static func holder(of directory: String) -> Holder? {
        let fd = open(directory + "/" + fileName, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return Holder.parse(read(fd))
    }

    private func write(_ text: String) {
        _ = ftruncate(fd, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    private static func read(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
    }
}
