/// The API's wakeups for the scheduler, raised after a change it should react to: a job
/// created, stopped, restarted or deleted, a cluster created, changed or deleted, an App
/// created. The scheduler waits on them instead of looking every few milliseconds; raises that
/// come while it is busy fold into one, since a pass looks at everything.
public final class WakeFlag: Sendable {
    let raised: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (raised, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func raise() {
        continuation.yield()
    }
}
