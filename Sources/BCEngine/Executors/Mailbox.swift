import Synchronization

/// Values for one consumer, which takes everything sent since its last turn at once, in its
/// own isolation.
///
/// The local executor's loop runs in the scheduler's isolation and takes its commands from here.
/// Iterating an `AsyncStream` there hopped off the actor and back for every element, even one
/// already buffered (its `next` is not isolated), so the commands of one scheduler turn (the
/// starts it chose, the ends it recorded) cost the loop two thread hand-offs each. Taking what
/// is queued is a plain call; the loop waits, and is resumed once, only when nothing is; and all
/// that queued meanwhile is one turn of the loop: one write to the keeper for all of it.
final class Mailbox<Element: Sendable>: Sendable {
    private struct State {
        var queued: [Element] = []
        var waiter: UnsafeContinuation<[Element], Never>?
        var closed = false
    }

    private let state = Mutex(State())

    init() {}

    /// Queues a value, and resumes the consumer if it waits. Ignored once the mailbox is closed.
    func send(_ element: Element) { send(contentsOf: CollectionOfOne(element)) }

    /// Queues values, for the consumer to take in one turn.
    func send<S: Sequence<Element>>(contentsOf elements: S) {
        let wake = state.withLock { s -> (UnsafeContinuation<[Element], Never>, [Element])? in
            guard !s.closed else { return nil }
            s.queued.append(contentsOf: elements)
            guard !s.queued.isEmpty else { return nil }
            guard let waiter = s.waiter else { return nil }
            s.waiter = nil
            defer { s.queued = [] }
            return (waiter, s.queued)
        }
        if let (waiter, values) = wake { waiter.resume(returning: values) }
    }

    /// No more values: the consumer's next take ends it.
    func close() {
        let waiter = state.withLock { s -> UnsafeContinuation<[Element], Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: [])
    }

    /// Everything sent since the last take, in order, waiting until there is something. Empty
    /// only when the mailbox is closed or the consumer's task is cancelled: the consumer stops.
    func take(isolation: isolated (any Actor)? = #isolation) async -> [Element] {
        if let ready = takeQueued() { return ready }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation(isolation: isolation) { (continuation: UnsafeContinuation<[Element], Never>) in
                let ready = state.withLock { s -> [Element]? in
                    if !s.queued.isEmpty || s.closed || Task.isCancelled {
                        defer { s.queued = [] }
                        return s.queued
                    }
                    s.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    private func takeQueued() -> [Element]? {
        state.withLock { s in
            guard !s.queued.isEmpty || s.closed || Task.isCancelled else { return nil }
            defer { s.queued = [] }
            return s.queued
        }
    }
}
