import BCAPI

/// A piece of an instance's log: the bytes from the offset asked for, where to ask next, and
/// whether the log has ended (the instance ended and nothing is left to read).
public struct LogPage: Sendable, Equatable {
    public var bytes: [UInt8]
    public var nextOffset: Int
    public var complete: Bool

    public init(bytes: [UInt8], nextOffset: Int, complete: Bool) {
        self.bytes = bytes
        self.nextOffset = nextOffset
        self.complete = complete
    }

    /// The most a page holds: a page this full may have more behind it.
    public static let maxBytes = 1 << 20
}

/// The engine's live and kept instance logs (`/bcops/logs`).
extension BatchComputeClient {
    /// One page of an instance's `stream` (`stdout` or `stderr`) from `offset`. A task that keeps
    /// no log, or an instance with none yet, answers an `APIError` saying so.
    public func instanceLog(job: String, task: String, instance: Int, stream: String, offset: Int = 0) async throws -> LogPage {
        let response = try await exchange(Routes.instanceLog, [job, task, String(instance)],
                                          query: [(QueryName.stream, stream), (QueryName.offset, String(offset))], body: nil)
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
        return LogPage(bytes: response.body, nextOffset: Int(response.headers[LogHeaders.offset].first ?? "") ?? offset,
                       complete: response.headers[LogHeaders.complete].first == "true")
    }
}
