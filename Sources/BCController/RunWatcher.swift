import BCClient
import BCModel

/// How the controller follows one run kind of the applied revision, as Flux gives each kind
/// its own reconciler: RenderJob and WorkflowRun. After every pass the controller asks
/// each watcher what its runs do now, and serves the answer at `/api/status` under the
/// watcher's `statusKey`; what a kind does when a run ends (a RenderJob's frames downloaded)
/// is the watcher's business. A new kind is a new conforming type in `RunWatchers.all`,
/// without a line in `Controller`.
protocol RunWatcher: Actor {
    /// Where `/api/status` lists this kind's runs (`renders`).
    nonisolated var statusKey: String { get }

    /// The kinds of manifest `watch` reads: it is handed only those (copying all 10,000
    /// manifests for a watcher that reads a few was part of every commit's time).
    nonisolated var kinds: Set<Kind> { get }

    /// A revision was applied: follow the runs its manifests declare, and no others.
    func watch(_ manifests: [Manifest])

    /// What each followed run does now, one entry per run in name order; nil when there is
    /// nothing to follow or the runs cannot be read now (what was served stays).
    func follow(client: BatchComputeClient) async -> [JSONValue]?
}

/// The run kinds the controller follows, one watcher each.
enum RunWatchers {
    static func all() -> [any RunWatcher] { [RenderJobWatcher(), WorkflowRunWatcher()] }
}
