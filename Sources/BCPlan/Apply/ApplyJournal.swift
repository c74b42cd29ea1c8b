import BCAPI
import BCModel
import Foundation

/// A line per mutating call, written before the call (intent, with its idempotency token)
/// and after it (done or failed). A killed apply leaves intents without an outcome; the next
/// apply reports them, and finds what they created through the ownership labels.
///
/// Written with plain write(2): the file survives the process being killed, which is what
/// the journal is for (the machine crashing is the engine's store's business).
///
/// A class written under a lock, not an actor: an operation records twice, and each record was
/// a hop to the actor and back on the cooperative pool (as wide as the cores), which cost more
/// than the write itself. Each line is one write(2) under the lock, so lines never mix.
public final class ApplyJournal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()

    public struct Entry: Codable, Sendable {
        public var time: String
        public var event: String  // intent | done | failed
        public var address: String
        public var action: String
        public var call: String
        public var token: String?
        public var detail: String?
    }

    /// Opens the workspace's journal, returning the intents a previous apply left unfinished.
    public static func open(directory: String, workspace: String) throws -> (ApplyJournal, interrupted: [Entry]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/\(workspace).jsonl"
        var open: [String: Entry] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            for line in data.split(separator: UInt8(ascii: "\n")) {
                // A line cut short by a kill mid-write is the only kind that does not decode.
                guard let e = try? JSONDecoder().decode(Entry.self, from: Data(line)) else { continue }
                let key = e.address + " " + e.call
                if e.event == "intent" { open[key] = e } else { open[key] = nil }
            }
        }
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        return (ApplyJournal(path: path, fd: fd), open.values.sorted { $0.time < $1.time })
    }

    init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    public func record(_ event: String, _ address: ResourceAddress, action: PlanAction, call: String, token: String? = nil, detail: String? = nil) {
        let e = Entry(time: WireTime.format(Date()), event: event, address: address.description, action: action.rawValue,
                      call: call, token: token, detail: detail)
        // An entry of strings always encodes.
        guard var line = try? JSONEncoder().encode(e) else { return }
        line.append(UInt8(ascii: "\n"))
        // A line that cannot be written (a full disk) does not stop the apply: the journal only
        // tells the next apply what was in flight; what the calls created carries bcops' labels
        // and idempotency tokens, which is how the next plan finds it either way.
        lock.lock()
        defer { lock.unlock() }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
