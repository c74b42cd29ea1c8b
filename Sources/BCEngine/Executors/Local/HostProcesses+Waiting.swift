import CSpawn
import Foundation

/// Waiting for processes the keeper does not report: those the engine spawned itself, and
/// those an earlier engine's keeper runs; and the status files keepers write.
extension HostProcesses {
    /// Runs `body` on a thread of its own, with a small stack: for a wait that blocks.
    static func onThread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Waits through its pidfd for a process that is not our child to end, up to the deadline
    /// (none: no limit; at the deadline its group is killed and the outcome is a timeout), then
    /// reads the status its keeper wrote. Blocks: run it on a thread of its own.
    static func watch(_ pid: pid_t, statusPath: String, timeoutSeconds: Int?, grace: Duration) -> ProcessOutcome {
        let pidfd = bc_pidfd_open(pid)
        var timedOut = false
        if pidfd >= 0 {
            let deadline = timeoutSeconds.map { Date().addingTimeInterval(Double($0)) }
            var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            while true {
                var wait: Int32 = -1
                if let left = deadline?.timeIntervalSinceNow {
                    if left <= 0 { timedOut = true; break }
                    wait = Int32(min(left * 1000 + 1, Double(Int32.max)))
                }
                let rc = poll(&entry, 1, wait)
                if rc > 0 || (rc < 0 && errno != EINTR) { break }
            }
            // Exited; a keeper without its engine writes the status, then reaps it: wait for the
            // reap (up to 10 s, for a keeper that is slow or gone, when init reaps it and no status comes).
            let reapDeadline = Date().addingTimeInterval(10)
            while !timedOut && bc_pidfd_send_signal(pidfd, 0) == 0 && Date() < reapDeadline { usleep(1_000) }
            close(pidfd)
        }
        if timedOut {
            terminate(group: pid, grace: grace)
            return .timedOut
        }
        return readStatus(statusPath).map { .exited($0) } ?? .unknown
    }

    /// The exit status the keeper wrote, if it did: for an instance a restarted engine did not
    /// find running (`orphans(of:)`). One found missing just after that scan may have exited
    /// just before it, its status still being written (a keeper whose engine is gone writes the
    /// ends that engine did not record as soon as it sees its socket close, and any later one
    /// as soon as the instance exits, before it reaps it); so a missing status is looked for
    /// again once 100 ms have passed since the last scan (a wait paid once per recovery, not
    /// per instance).
    static func recordedStatus(_ path: String) -> Int32? {
        if let code = readStatus(path) { return code }
        let since = scanTime.withLock { $0 }.map { Date().timeIntervalSince($0) } ?? .infinity
        guard since < 0.1 else { return nil }
        usleep(useconds_t((0.1 - since) * 1_000_000))
        return readStatus(path)
    }

    static func readStatus(_ path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// When `orphans(of:)` last scanned /proc.
    static let scanTime = Locked<Date?>(nil)

    /// Ends a process group as a stop or a deadline does: SIGTERM (and SIGCONT, for a stopped
    /// one) now, SIGKILL once `grace` has passed, so what runs there can say how it ended. The
    /// SIGKILL goes to the group even when its leader is gone: a member that ignored SIGTERM is
    /// still in it, and a group id is not reused while any member lives.
    static func terminate(group: pid_t, grace: Duration) {
        guard grace > .zero else {
            kill(-group, SIGKILL)
            return
        }
        kill(-group, SIGTERM)
        kill(-group, SIGCONT)
        Task.detached {
            try? await Task.sleep(for: grace)  // never cancelled
            kill(-group, SIGKILL)
        }
    }

    /// Waits for the process to end; at the deadline, ends its process group (`terminate`) and
    /// reports a timeout however the process then exits.
    static func wait(_ pid: pid_t, timeoutSeconds: Int, grace: Duration) -> ProcessOutcome {
        var timedOut = false
        let deadline = Date().addingTimeInterval(Double(max(1, timeoutSeconds)))
        let pidfd = bc_pidfd_open(pid)
        if pidfd >= 0 {
            defer { close(pidfd) }
            var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
            while true {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { timedOut = true; break }
                let rc = poll(&entry, 1, Int32(min(left * 1000 + 1, Double(Int32.max))))
                if rc > 0 { break }
                if rc < 0 && errno != EINTR { break }
            }
        } else {
            // No pidfds (an old kernel): a timer ends the group instead.
            let timer = DispatchWorkItem { terminate(group: pid, grace: grace) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(max(1, timeoutSeconds)), execute: timer)
            defer { timer.cancel() }
            let outcome = reap(pid)
            return Date() >= deadline ? .timedOut : outcome
        }
        if timedOut { terminate(group: pid, grace: grace) }
        let outcome = reap(pid)
        return timedOut ? .timedOut : outcome
    }

    /// Collects the exit status of an ended (or ending) process.
    static func reap(_ pid: pid_t) -> ProcessOutcome {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .failedToStart("waitpid failed") }
        }
        // A killed process reports its signal as a shell would (128 + signal).
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .exited(128 + (status & 0x7f))
    }
}

