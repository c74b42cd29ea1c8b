import Foundation
import Synchronization

/// Each instance's worker log: timestamped lines of what the engine's worker did for it
/// (dispatched, started, asked to stop, exited, uploaded what, how it ended), kept in
/// `DATA/worker-logs/<job>/<task>.<n>` across retries, and served by the instance log route as
/// stream `worker` while the instance runs and after.
///
/// Appending is on the executor's hot path (its loop runs in the scheduler's isolation, and
/// `bench/dispatch.sh` runs 1,000 `/bin/true` through it), so a line only goes to the
/// instance's buffer in memory, stamped without Foundation's formatter. The buffer is written
/// to the file by one writer task, once per end of the instance (`ended`), and for instances
/// that run long, whenever the load sampler passes (`flushAll`): one open and write per
/// instance, off the loop. A reader sees the file and the buffer as one log, under the same
/// lock the writer holds while it moves a buffer to its file, so no line is missed or doubled.
final class WorkerLogs: Sendable {
    let directory: String
    private let buffers = Mutex<[InstanceID: [UInt8]]>([:])
    /// Instances whose buffers are due to be written.
    private let due = Mailbox<InstanceID>()

    init(dataDirectory: String) {
        directory = dataDirectory + "/worker-logs"
    }

    /// Adds a line, stamped with the time now, to the instance's worker log; returns at once.
    func append(_ id: InstanceID, _ text: String) {
        var line = Self.stamp()
        line += text.utf8
        line.append(UInt8(ascii: "\n"))
        buffers.withLock { $0[id, default: []] += line }
    }

    /// The instance ended (for now: a retry may run it again): its lines go to its file.
    func ended(_ id: InstanceID) { due.send(id) }

    /// Every buffered line goes to its file (the sampler calls this as it passes, so a long
    /// instance's log survives the engine being killed up to the last pass).
    func flushAll() {
        due.send(contentsOf: buffers.withLock { Array($0.keys) })
    }

    /// `Offset`-based reading of the log as one: the file, then what is still buffered. With
    /// `tail`, its last `tail` bytes. Returns the bytes and the offset they start at.
    func read(job: String, task: String, index: Int, from asked: UInt64, tail: UInt64? = nil, upTo limit: Int) -> (bytes: [UInt8], start: UInt64) {
        let id = InstanceID(jobId: job, task: task, index: index)
        return buffers.withLock { b in
            var out: [UInt8] = []
            var fileSize: UInt64 = 0
            var offset = asked
            if let handle = FileHandle(forReadingAtPath: path(id)) {
                defer { try? handle.close() }  // read-only: closing cannot lose anything
                fileSize = (try? handle.seekToEnd()) ?? 0
                if let tail {
                    let total = fileSize + UInt64(b[id]?.count ?? 0)
                    offset = total > tail ? total - tail : 0
                }
                if offset < fileSize {
                    try? handle.seek(toOffset: offset)
                    out = Array((try? handle.read(upToCount: limit)) ?? Data())
                }
            }
            if let tail, fileSize == 0 {
                let total = UInt64(b[id]?.count ?? 0)
                offset = total > tail ? total - tail : 0
            }
            if out.count < limit, let buffered = b[id] {
                let skip = offset > fileSize ? Int(min(offset - fileSize, UInt64(buffered.count))) : 0
                out += buffered.dropFirst(skip).prefix(limit - out.count)
            }
            return (out, offset)
        }
    }

    /// The file of an instance's worker log. The task name is the user's text: percent-encoded
    /// so it is one file name.
    func path(_ id: InstanceID) -> String {
        directory + "/" + Self.fileName(id.jobId) + "/" + Self.fileName(id.task) + "." + String(id.index)
    }

    static func fileName(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x5f {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A deleted job's worker logs go with it.
    func remove(job: String) {
        buffers.withLock { b in b = b.filter { $0.key.jobId != job } }
        try? FileManager.default.removeItem(atPath: directory + "/" + Self.fileName(job))
    }

    /// Writes the buffers that are due, until the task is cancelled; then every buffer.
    func run() async {
        while case let ids = await due.take(), !ids.isEmpty {
            for id in Set(ids) { write(id) }
        }
        for id in buffers.withLock({ Array($0.keys) }) { write(id) }
    }

    /// Moves an instance's buffer to its file, holding the lock so a reader sees one or the other.
    private func write(_ id: InstanceID) {
        let path = path(id)
        buffers.withLock { b in
            guard let bytes = b[id], !bytes.isEmpty else { return }
            var fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 && errno == ENOENT {
                try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                         attributes: [.posixPermissions: 0o700])
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            }
            // The worker log is an aid: a line that cannot be written never fails an instance; it stays buffered.
            guard fd >= 0 else { return }
            defer { close(fd) }
            var at = 0
            while at < bytes.count {
                let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + at, $0.count - at) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                at += n
            }
            if at == bytes.count { b[id] = nil } else { b[id] = Array(bytes[at...]) }
        }
    }

    /// `2026-12-06T18:30:01.123Z ` from the clock, without a formatter (Foundation's costs
    /// microseconds per line on Linux).
    static func stamp() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var t = tm()
        gmtime_r(&seconds, &t)
        var out: [UInt8] = []
        out.reserveCapacity(96)
        func digits(_ v: Int, _ n: Int) {
            var d = [UInt8](repeating: 0x30, count: n)
            var v = v
            for i in stride(from: n - 1, through: 0, by: -1) { d[i] = UInt8(0x30 + v % 10); v /= 10 }
            out += d
        }
        digits(Int(t.tm_year) + 1900, 4); out.append(0x2d); digits(Int(t.tm_mon) + 1, 2); out.append(0x2d); digits(Int(t.tm_mday), 2)
        out.append(0x54); digits(Int(t.tm_hour), 2); out.append(0x3a); digits(Int(t.tm_min), 2); out.append(0x3a); digits(Int(t.tm_sec), 2)
        out.append(0x2e); digits(Int(now.tv_nsec) / 1_000_000, 3); out.append(0x5a); out.append(0x20)
        return out
    }
}

private extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
