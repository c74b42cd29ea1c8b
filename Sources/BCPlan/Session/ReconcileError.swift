import BCManifest
import BCModel

/// Why a reconcile session stopped short, by the step that failed. Each caller words it its
/// own way: bcplan and bcapply print an error and exit 1, the controller sets a condition.
/// Whatever the step, the workspace lock was already given back when one of these is thrown.
public enum ReconcileError: Error, Sendable {
    /// The manifests failed their checks; each problem was reported as it was found
    /// (`SessionObserver.problems`).
    case invalidManifests([String])
    /// Manifests that could not be lowered to API terms (also reported as found).
    case lowering([String])
    /// The plan's options were not valid (bcplan's -target, -replace).
    case options(any Error)
    /// No engine to reach: its configuration is missing or wrong.
    case noEngine(any Error)
    /// Taking the workspace lock failed: held by someone else (`LockError`) or the engine refused.
    case lock(any Error)
    /// Reading the workspace or its inventory, under the lock, failed.
    case read(any Error)
    /// Refreshing the live state, or asking other workspaces about what the plan creates, failed.
    case refresh(any Error)
    /// Objects the plan would create that another workspace owns, and where their manifests
    /// name them.
    case collisions([WorkspaceCollision], located: [ResourceAddress: (file: String, mark: SourceMark?)])
    /// A saved plan made for another lineage of the workspace.
    case lineageChanged(workspace: String, saved: String, now: String)
    /// A saved plan made before another apply moved the workspace's serial on.
    case stale(saved: Int, now: Int)
    /// A saved plan whose full refresh (for the mass-delete guard) failed.
    case savedRefresh(any Error)
    /// The apply journal could not be opened.
    case journal(directory: String, any Error)
    /// The mass-delete guard refused the plan.
    case refused(ApplyRefusal)
}
