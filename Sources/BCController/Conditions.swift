import Foundation

/// kstatus-style conditions, as Flux reports them: `Ready`, `Reconciling` and `Stalled`, each
/// true or false with a reason a machine can switch on and a message a person can read.
public struct Condition: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case Ready, Reconciling, Stalled }

    public var type: Kind
    public var status: Bool
    public var reason: String
    public var message: String
    public var lastTransitionTime: Date

    public init(type: Kind, status: Bool, reason: String, message: String, at time: Date) {
        self.type = type; self.status = status; self.reason = reason; self.message = message; lastTransitionTime = time
    }
}

/// The reasons the controller reports.
public enum Reason {
    public static let succeeded = "ReconciliationSucceeded"
    public static let progressing = "Progressing"
    public static let progressingWithRetry = "ProgressingWithRetry"
    public static let validationFailed = "ValidationFailed"
    public static let applyFailed = "ApplyFailed"
    public static let dependencyNotReady = "DependencyNotReady"
    public static let planNotReviewed = "PlanNotReviewed"
    public static let gitFailed = "GitOperationFailed"
    public static let suspended = "Suspended"
    public static let driftDetected = "DriftDetected"
}

/// The three conditions together, kept consistent: Ready is false while reconciling or stalled.
public struct ConditionSet: Sendable, Equatable, Codable {
    public private(set) var items: [Condition.Kind: Condition] = [:]

    public init() {}

    public subscript(_ kind: Condition.Kind) -> Condition? { items[kind] }

    /// Sets a condition, keeping its transition time when only the message changes.
    public mutating func set(_ kind: Condition.Kind, _ status: Bool, _ reason: String, _ message: String, at time: Date) {
        if let old = items[kind], old.status == status {
            items[kind] = Condition(type: kind, status: status, reason: reason, message: message, at: old.lastTransitionTime)
        } else {
            items[kind] = Condition(type: kind, status: status, reason: reason, message: message, at: time)
        }
    }

    public mutating func remove(_ kind: Condition.Kind) { items[kind] = nil }

    /// A reconciliation started.
    public mutating func progressing(_ message: String, retrying: Bool, at time: Date) {
        set(.Reconciling, true, retrying ? Reason.progressingWithRetry : Reason.progressing, message, at: time)
        set(.Ready, false, retrying ? Reason.progressingWithRetry : Reason.progressing, message, at: time)
    }

    /// It ended well: Ready, nothing reconciling, nothing stalled.
    public mutating func ready(_ message: String, at time: Date) {
        set(.Ready, true, Reason.succeeded, message, at: time)
        remove(.Reconciling)
        remove(.Stalled)
    }

    /// It cannot go on without a change from a person (a bad manifest, an unreviewed plan).
    public mutating func stalled(_ reason: String, _ message: String, at time: Date) {
        set(.Stalled, true, reason, message, at: time)
        set(.Ready, false, reason, message, at: time)
        remove(.Reconciling)
    }

    /// It failed and will be retried with backoff.
    public mutating func failed(_ reason: String, _ message: String, at time: Date) {
        set(.Ready, false, reason, message, at: time)
        set(.Reconciling, true, Reason.progressingWithRetry, message, at: time)
        remove(.Stalled)
    }

    public var sorted: [Condition] { Condition.Kind.allCases.compactMap { items[$0] } }
}
