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
