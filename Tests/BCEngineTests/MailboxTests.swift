import Foundation
import Testing
@testable import BCEngine

/// The local executor's command mailbox: what queued while its consumer was busy comes in one
/// take, in order; a consumer waiting is resumed by a send from another thread; and a cancelled
/// consumer stops waiting.
@Suite struct MailboxTests {
    @Test func whatQueuedComesInOneTakeInOrder() async {
        let mailbox = Mailbox<Int>()
        mailbox.send(1)
        mailbox.send(contentsOf: [2, 3])
        #expect(await mailbox.take() == [1, 2, 3])
        let waiting = Task { await mailbox.take() }
        Thread.detachNewThread { mailbox.send(4) }
        #expect(await waiting.value == [4])
    }

    @Test func aCancelledOrClosedConsumerStops() async {
        let mailbox = Mailbox<Int>()
        let waiting = Task { await mailbox.take() }
        waiting.cancel()
        #expect(await waiting.value == [])
        let closed = Mailbox<Int>()
        closed.close()
        closed.send(1)
        #expect(await closed.take() == [], "nothing is taken once closed")
    }
}
