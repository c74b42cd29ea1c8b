import BCAPI
import Foundation

/// One reconciliation, as `/api/status` and `bcctl status` list it.
public struct Reconciliation: Sendable, Equatable, Codable {
    public enum Result: String, Sendable, Codable { case succeeded, noChanges, failed, stalled, driftReported }

    public var revision: String
    public var started: Date
    public var duration: Double
    /// The plan's sentence (`Plan: 1 to run, 2 to add, …`) or the error.
    public var actions: String
    public var result: Result
    public var trigger: String

    public init(revision: String, started: Date, duration: Double, actions: String, result: Result, trigger: String) {
        self.revision = revision; self.started = started; self.duration = duration; self.actions = actions
        self.result = result; self.trigger = trigger
    }
}

/// The last `capacity` reconciliations, newest first.
public struct History: Sendable, Equatable, Codable {
    public static let capacity = 20
    public private(set) var entries: [Reconciliation] = []

    public init() {}

    public mutating func record(_ r: Reconciliation) {
        entries.insert(r, at: 0)
        if entries.count > History.capacity { entries.removeLast(entries.count - History.capacity) }
    }
}

/// The history on disk, `DATA/controller/history.json`, so `bcctl status` shows the last
/// reconciliations across a restart. Written after every reconciliation to a temporary file,
/// synced and renamed over the old one: a crash leaves the old history or the new, never half.
struct HistoryFile: Sendable {
    let path: String

    private struct Entry: Codable {
        var revision: String
        var started: String
        var durationSeconds: Double
        var actions: String
        var result: Reconciliation.Result
        var trigger: String
    }

    private struct Saved: Codable { var version = 1; var history: [Entry] }

    /// The saved history, newest first; empty when there is none or it cannot be read.
    func load() -> History {
        guard let data = FileManager.default.contents(atPath: path), let saved = try? JSONDecoder().decode(Saved.self, from: data) else { return History() }
        var history = History()
        for e in saved.history.prefix(History.capacity).reversed() {
            guard let started = WireTime.parse(e.started) else { continue }
            history.record(Reconciliation(revision: e.revision, started: started, duration: e.durationSeconds, actions: e.actions,
                                          result: e.result, trigger: e.trigger))
        }
        return history
    }

    func save(_ history: History) throws(PersistError) {
        let saved = Saved(history: history.entries.map {
            Entry(revision: $0.revision, started: WireTime.format($0.started), durationSeconds: $0.duration, actions: $0.actions,
                  result: $0.result, trigger: $0.trigger)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(saved) } catch { throw PersistError(path: path, reason: "\(error)") }
        try AtomicFile.write(data, to: path)
    }
}

/// Replaces a file whole: a temporary file beside it, fsync, rename, fsync of the directory.
enum AtomicFile {
    static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws(PersistError) {
        func failed(_ step: String) -> PersistError { PersistError(path: path, reason: "\(step): \(String(cString: strerror(errno)))") }
        let directory = (path as NSString).deletingLastPathComponent
        // A directory that cannot be made fails the open just below, which is reported.
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failed("open \(temporary)") }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard written, fsync(fd) == 0 else {
            let error = failed(written ? "fsync" : "write")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failed("rename")
            unlink(temporary)
            throw error
        }
        // The rename is done; syncing the directory only hurries its durability along.
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}

/// A controller file (`state.json`, `history.json`) that could not be written.
struct PersistError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot write \(path): \(reason)" }
}
