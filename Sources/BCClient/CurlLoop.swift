import CCurl
import Foundation
import Synchronization

/// One libcurl multi handle and the thread that drives it.
///
/// libcurl's easy and multi handles may be used by one thread at a time, and
/// `curl_multi_poll` blocks, so the handles belong to a thread of their own rather than to an
/// actor on Swift's cooperative pool (which is as wide as the machine: a blocked pool thread
/// would stall other tasks). Callers hand transfers in through `inbox` (the one lock, held for
/// an append) and `curl_multi_wakeup`; the thread resumes each transfer's continuation when it
/// ends. The multi handle's connection cache is what keeps connections alive between requests.
final class CurlLoop: @unchecked Sendable {
    private struct Inbox {
        var transfers: [CurlTransfer] = []
        var closing = false
    }

    /// Shared with callers.
    private let inbox = Mutex(Inbox())
    private let multi: UnsafeMutableRawPointer

    // The loop thread's own: touched by no other thread (hence `@unchecked Sendable`).
    private let maxConnections: Int
    private var waiting: [CurlTransfer] = []
    private var waitingStart = 0
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [EasyHandle] = []

    init(maxConnections: Int) {
        CurlLoop.globalInit
        self.maxConnections = maxConnections
        multi = curl_multi_init()
        // Keep as many connections as may be in use at once (libcurl's default keeps 4 per
        // transfer in flight, so a burst would otherwise close most of its connections after).
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnections)
        let thread = Thread { [self] in run() }
        thread.name = "bcops-http"
        thread.start()
    }

    /// `curl_global_init` before any other call, once per process (it is not thread-safe).
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    func submit(_ transfer: CurlTransfer) {
        inbox.withLock {
            $0.transfers.append(transfer)
            // Under the lock: the loop frees `multi` only after it has seen `closing` under it.
            _ = curl_multi_wakeup(multi)
        }
    }

    func shutdown() {
        inbox.withLock {
            $0.closing = true
            _ = curl_multi_wakeup(multi)
        }
    }

    private func run() {
        var stillRunning: Int32 = 0
        while true {
            let (incoming, closing) = inbox.withLock { inbox in
                defer { inbox.transfers = [] }
                return (inbox.transfers, inbox.closing)
            }
            waiting += incoming
            startWaiting()
            if closing && running.isEmpty && waitingStart == waiting.count { break }
            _ = curl_multi_perform(multi, &stillRunning)
            if finishDone() && waitingStart < waiting.count { continue }
            // Until a socket is ready, libcurl's next timeout, or a wakeup (one that came before
            // the call is not lost: it is a byte in libcurl's wakeup pipe). The long wait only
            // applies when idle: libcurl shortens it to its own timers while transfers run.
            _ = curl_multi_poll(multi, nil, 0, 60_000, nil)
        }
        for handle in idleHandles { curl_easy_cleanup(handle.easy) }
        curl_multi_cleanup(multi)
    }

    /// Starts waiting transfers while fewer than `maxConnections` run.
    private func startWaiting() {
        while running.count < maxConnections && waitingStart < waiting.count {
            let transfer = waiting[waitingStart]
            waitingStart += 1
            let handle = idleHandles.popLast() ?? EasyHandle()
            transfer.configure(handle)
            running[handle.easy] = transfer
            _ = curl_multi_add_handle(multi, handle.easy)
        }
        if waitingStart == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingStart = 0
        }
    }

    /// Completes the transfers libcurl reports done; true if any was.
    private func finishDone() -> Bool {
        var finished = false
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = running.removeValue(forKey: easy) else { continue }
            let result = message.pointee.data.result
            _ = curl_multi_remove_handle(multi, easy)
            idleHandles.append(transfer.finish(result))
            finished = true
        }
        return finished
    }
}

/// An easy handle and its error buffer (libcurl writes the detail of a failure there), reused
/// from transfer to transfer.
final class EasyHandle {
    let easy: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        easy = curl_easy_init()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    var errorText: String { String(cString: errorBuffer) }

    deinit { errorBuffer.deallocate() }
}
