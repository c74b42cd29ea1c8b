import BCAPI

/// Cromwell's workflow states (`WorkflowState.scala`), spelled as its API spells them: `On Hold`
/// with its space.
public enum WorkflowStatus: String, Codable, Sendable, CaseIterable {
    case onHold = "On Hold"
    case submitted = "Submitted"
    case running = "Running"
    case aborting = "Aborting"
    case aborted = "Aborted"
    case succeeded = "Succeeded"
    case failed = "Failed"

    public var isTerminal: Bool { self == .aborted || self == .succeeded || self == .failed }

    /// A workflow's state from what bcops knows of it: its record (held, queued, aborted before
    /// it ran) and, once launched, its runner job's state. A runner job still waiting for a slot
    /// is `Submitted`, as Cromwell says of a workflow it has not picked up.
    static func of(_ record: WorkflowRecord, job: JobState?) -> WorkflowStatus {
        switch record.phase {
        case .onHold: return .onHold
        case .queued: return .submitted
        case .abortedBeforeLaunch: return .aborted
        case .launched:
            switch job {
            case nil, .waiting?: return record.abortRequested ? .aborting : .submitted
            case .running?: return record.abortRequested ? .aborting : .running
            case .finished?: return .succeeded
            case .failed?: return record.abortRequested ? .aborted : .failed
            case .stopped?: return .aborted
            }
        }
    }
}
