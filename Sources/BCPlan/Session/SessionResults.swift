import BCManifest
import Foundation

/// A plan made by a session, with what it was made from.
public struct Planned: Sendable {
    public var plan: Plan
    /// Owned objects that are not runs: what the mass-delete guard counts against.
    public var owned: Int
    /// The loaded manifests, the desired and the live objects, held for as long as this is: a
    /// command that keeps it until the process ends (`Terminal.exitNow`) frees none of it —
    /// freeing 10,000 YAML trees and objects one by one cost a plan 40 ms for nothing.
    let retained: (LoadResult?, [DesiredResource], LiveState, LiveState?)
}

/// What the caller decides once the plan is made, still under the lock.
public enum Decision<Stop: Sendable>: Sendable {
    /// Apply this plan: the one made, or it cut down (a controller without `--prune` leaves
    /// deletes out).
    case apply(Plan)
    /// Apply nothing, for this reason (nothing to do, not approved, drift to report only).
    case stop(Stop)
}

/// A plan that was applied, in part or in full.
public struct Applied: Sendable {
    /// The plan as the session made it, and the plan applied (what the caller decided).
    public var planned: Planned
    public var plan: Plan
    public var result: ApplyResult
    /// From the first mutating call to the workspace's serial moved on.
    public var seconds: Double
    /// Moving the workspace's serial on failed: plans saved before this apply are not refused
    /// as stale. The apply itself stands.
    public var serialError: (any Error)?
}

/// How a session that may apply ended: applied, or stopped by the caller's decision.
public enum Reconciled<Stop: Sendable>: Sendable {
    case stopped(Stop)
    case applied(Applied)
}
