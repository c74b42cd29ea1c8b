import BCModel

/// What a reconcile session reports while it runs, as it happens, for the caller to print or
/// count. Failures are thrown as `ReconcileError` once the lock is given back; these come
/// first, because a person waiting on a lock (or on a big set of manifests) should not wait to
/// learn what is already known.
public struct SessionObserver: Sendable {
    /// Problems of the manifests, found while the lock is still being taken.
    public var problems: @Sendable ([String]) -> Void
    /// The lock is held by someone else (and `-lock-timeout` ran out).
    public var lockRefused: @Sendable (LockError) -> Void
    /// The journal holds operations a killed apply left in flight; this apply finds what they
    /// created by its labels.
    public var resuming: @Sendable ([ApplyJournal.Entry]) -> Void
    /// The first mutating call is about to go out.
    public var applying: @Sendable () -> Void
    /// The apply's progress, one event per operation started, still running, done or skipped.
    public var progress: @Sendable (ApplyEvent) -> Void

    public init(problems: @escaping @Sendable ([String]) -> Void = { _ in }, lockRefused: @escaping @Sendable (LockError) -> Void = { _ in },
                resuming: @escaping @Sendable ([ApplyJournal.Entry]) -> Void = { _ in }, applying: @escaping @Sendable () -> Void = {},
                progress: @escaping @Sendable (ApplyEvent) -> Void = { _ in }) {
        self.problems = problems
        self.lockRefused = lockRefused
        self.resuming = resuming
        self.applying = applying
        self.progress = progress
    }
}
