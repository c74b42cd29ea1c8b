import CSpawn
import Foundation

/// One process to start on this host: an instance's command line, ready to run.
struct ProcessLaunch: Sendable {
    var commandLine: String
    var workingDirectory: String
    var environment: [String: String]
    var stdoutPath: String
    var stderrPath: String
    var timeoutSeconds: Int
    /// Where the instance's exit status is written when it ends (by `bcops-keeper`), for an
    /// engine that is not there to see it.
    var statusPath: String? = nil
}

/// How a process ended.
enum ProcessOutcome: Sendable, Equatable {
    case exited(Int32)
    case timedOut
    case failedToStart(String)
    /// The instance ended out of the engine's sight and left no status (or its keeper died
    /// before saying whether it started): what it did is unknown, so it runs again.
    case unknown
}

/// The processes of the instances running on this host, each in its own process group so a
/// timeout or a stop kills everything it started. One task drives it (the local executor's run
/// loop): it starts, kills and adopts processes, sends what it asked the keeper in one write
/// per turn (`flush`), and hands back every `Event` it was delivered, learning how processes
/// ended. Nothing waits per instance: an instance is an entry in a table, its end one message
/// among those of a read, its deadline one alarm for the earliest of them all (a task or a
/// continuation per instance cost each instance several more thread hand-offs).
///
/// Instances are started by the engine's `bcops-keeper` (`Keeper`), which keeps each
/// instance's status until the engine has recorded it, and writes it to the instance's status
/// file if the engine dies first, so a restarted engine records what ended while it was down
/// instead of running it again. Without the keeper (not built beside the running binary, or it
/// cannot start), the engine spawns instances itself and a thread waits for each, and an
/// instance that ends while the engine is down runs again (at-least-once).
final class HostProcesses {
    enum Event: Sendable {
        /// What the keeper of `generation` said, in one read.
        case keeper([Keeper.Message], generation: Int)
        /// A process a thread waited for (spawned without the keeper, or adopted) ended.
        case ended(InstanceID, ProcessOutcome)
        /// The earliest deadline is due.
        case deadline
    }

    private enum Handle {
        /// The keeper runs it, under this id.
        case keeper(UInt64, generation: Int)
        /// A thread waits for this process group's leader, and enforces its deadline itself.
        case watched(pid_t)
    }

    private struct Entry {
        var handle: Handle
        var statusPath: String
        var deadline: ContinuousClock.Instant?
        var timedOut = false
    }

    private let keeperPath: String?
    /// Between SIGTERM and SIGKILL when an instance is ended (stopped, or past its deadline).
    private let stopGrace: Duration
    /// The data directory in every instance's environment (`ownerVariable`): where the
    /// instances of a keeper that died are looked for. nil: nowhere (they count as unknown).
    private let owner: String?
    private let deliver: @Sendable (Event) -> Void
    private var keeper: Keeper?
    private var generation = 0
    private var retryAfter: ContinuousClock.Instant?
    /// The keeper's ids: never reused, across keepers too.
    private var nextId: UInt64 = 1
    private var running: [InstanceID: Entry] = [:]
    private var byKeeperId: [UInt64: InstanceID] = [:]
    /// Ends the keeper reported that the engine has not recorded yet: the keeper holds them,
    /// to write their status files if the engine dies first.
    private var unrecorded: [InstanceID: (id: UInt64, generation: Int)] = [:]
    private var outbox = Keeper.Frames()
    private var alarm: Task<Void, Never>?
    private var alarmAt: ContinuousClock.Instant?

    /// `keeper`: the `bcops-keeper` program (by default the one beside the running binary),
    /// started now; nil runs instances directly. `deliver` gets the events to hand back, from
    /// other threads.
    init(keeper path: String? = HostProcesses.findKeeper(), owner: String? = nil, stopGrace: Duration = EngineLimits.defaultStopGrace,
         deliver: @escaping @Sendable (Event) -> Void) {
        keeperPath = path
        self.stopGrace = stopGrace
        self.owner = owner
        self.deliver = deliver
        connect()
    }

    /// The keeper goes on without this engine: instances still running are left to it, and the
    /// statuses of ends not recorded go to their files.
    deinit {
        alarm?.cancel()
        keeper?.disconnect()
    }

    /// `bcops-keeper` beside the running binary (`/proc/self/exe`), if built; says once when not.
    static func findKeeper() -> String? {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = (exe as NSString).deletingLastPathComponent + "/bcops-keeper"
        if access(path, X_OK) == 0 { return path }
        Keeper.warnOnce("bcops-keeper is not beside \(exe): instances run directly, and one that ends while the engine is down runs again")
        return nil
    }

    /// Starts the keeper if none runs; false when there is none to use.
    @discardableResult
    private func connect() -> Bool {
        if keeper != nil { return true }
        guard let keeperPath else { return false }
        if let retryAfter, ContinuousClock.now < retryAfter { return false }
        generation += 1
        let (generation, deliver) = (self.generation, self.deliver)
        switch Keeper.start(keeperPath, stopGrace: stopGrace, deliver: { deliver(.keeper($0, generation: generation)) }) {
        case .failure(let why):
            Keeper.warnOnce("cannot start \(keeperPath) (\(why.message)): instances run directly, and one that ends while the engine is down runs again")
            retryAfter = .now + .seconds(10)
            return false
        case .success(let started):
            keeper = started
            return true
        }
    }

    /// The keeper is gone or cannot be written to: instances run directly for a second (a
    /// keeper that keeps dying is not restarted for every instance), then a new one starts.
    private func dropKeeper() {
        guard keeper != nil else { return }
        keeper = nil
        retryAfter = .now + .seconds(1)
        Keeper.logger.warning("bcops-keeper exited while the engine runs; instances run directly for a second, then a new one starts")
    }

    /// Starts an instance's process. nil: it runs, and how it ends comes back through `handle`;
    /// otherwise why it could not start.
    func start(_ id: InstanceID, _ launch: ProcessLaunch) -> ProcessOutcome? {
        let (program, arguments) = HostProcesses.command(launch)
        let statusPath = launch.statusPath ?? ""
        if connect() {
            let request = Keeper.request(program: program, arguments: arguments, launch)
            // Past the keeper's limit on a request (64 MiB) the exec would fail anyway (E2BIG): say so from here.
            guard request.count < 60 << 20 else { return .failedToStart(String(cString: strerror(E2BIG))) }
            let keeperId = nextId
            nextId += 1
            outbox.start(keeperId, request)
            byKeeperId[keeperId] = id
            let deadline = ContinuousClock.now + .seconds(max(1, launch.timeoutSeconds))
            running[id] = Entry(handle: .keeper(keeperId, generation: generation), statusPath: statusPath, deadline: deadline)
            wake(at: deadline)
            return nil
        }
        switch HostProcesses.spawn(launch) {
        case .failure(let why): return .failedToStart(why.message)
        case .success(let pid):
            let grace = stopGrace
            watch(id, Entry(handle: .watched(pid), statusPath: statusPath)) { HostProcesses.wait(pid, timeoutSeconds: launch.timeoutSeconds, grace: grace) }
            return nil
        }
    }

    /// Takes over an instance a killed engine left running: it is not our child but an earlier
    /// keeper's, so a thread waits through its pidfd, kills its group at the deadline, and reads
    /// the status that keeper wrote.
    func adopt(_ id: InstanceID, group: pid_t, statusPath: String, timeoutSeconds: Int) {
        let grace = stopGrace
        watch(id, Entry(handle: .watched(group), statusPath: statusPath)) {
            HostProcesses.watch(group, statusPath: statusPath, timeoutSeconds: max(0, timeoutSeconds), grace: grace)
        }
    }

    private func watch(_ id: InstanceID, _ entry: Entry, until end: @escaping @Sendable () -> ProcessOutcome) {
        running[id] = entry
        let deliver = self.deliver
        HostProcesses.onThread { deliver(.ended(id, end())) }
    }

    /// Ends the process groups of these instances (their job was stopped): SIGTERM, then
    /// SIGKILL after the grace period; their ends come back as any other.
    func killGroups(of ids: [InstanceID]) {
        var keeperIds: [UInt64] = []
        for id in ids {
            switch running[id]?.handle {
            case .keeper(let keeperId, _): keeperIds.append(keeperId)  // one a dead keeper ran is unknown to the next: ignored
            case .watched(let pid): HostProcesses.terminate(group: pid, grace: stopGrace)
            case nil: break  // ended already
            }
        }
        if !keeperIds.isEmpty { outbox.kill(keeperIds) }
    }

    /// The engine recorded these ends: the keeper forgets them. Returns the others: ends the
    /// keeper of this engine did not report (adopted instances, ended while the engine was
    /// down, spawned directly), whose status files, if any, are the caller's to remove.
    func recorded(_ ids: [InstanceID]) -> [InstanceID] {
        var keeperIds: [UInt64] = []
        var others: [InstanceID] = []
        for id in ids {
            if let held = unrecorded.removeValue(forKey: id) {
                if held.generation == generation && keeper != nil { keeperIds.append(held.id) }
            } else {
                others.append(id)
            }
        }
        if !keeperIds.isEmpty { outbox.recorded(keeperIds) }
        return others
    }

    /// Sends the keeper what was asked of it since the last call, in one write.
    func flush() {
        guard !outbox.isEmpty else { return }
        let frames = outbox
        outbox = Keeper.Frames()
        // A keeper that cannot be written to has died: its reader reports it gone, and the
        // instances it may not have started are looked for then (`lost`).
        if let keeper, !keeper.send(frames) { dropKeeper() }
    }

    /// Takes what happened; returns the processes that ended, and how.
    func handle(_ event: Event) -> [(InstanceID, ProcessOutcome)] {
        switch event {
        case .ended(let id, let outcome):
            guard running.removeValue(forKey: id) != nil else { return [] }
            return [(id, outcome)]
        case .deadline:
            expire()
            return []
        case .keeper(let messages, let generation):
            var ends: [(InstanceID, ProcessOutcome)] = []
            for message in messages {
                switch message {
                case .failed(let keeperId, let why):
                    guard let id = byKeeperId.removeValue(forKey: keeperId) else { continue }
                    running[id] = nil
                    ends.append((id, .failedToStart(why)))
                case .ended(let keeperId, let code):
                    guard let id = byKeeperId.removeValue(forKey: keeperId), let entry = running.removeValue(forKey: id) else { continue }
                    unrecorded[id] = (keeperId, generation)
                    ends.append((id, entry.timedOut ? .timedOut : .exited(code)))
                case .gone:
                    ends += lost(generation)
                }
            }
            return ends
        }
    }

    /// The keeper of `generation` died. Its instances go on without it: those still running
    /// (found by the marker in their environment) are watched as adopted ones; the others
    /// ended unseen, or never started: their status, if a file has it, else unknown (they run
    /// again).
    private func lost(_ generation: Int) -> [(InstanceID, ProcessOutcome)] {
        if generation == self.generation { dropKeeper() }
        unrecorded = unrecorded.filter { $0.value.generation != generation }
        let orphaned = running.filter {
            if case .keeper(_, generation) = $0.value.handle { return true }
            return false
        }
        guard !orphaned.isEmpty else { return [] }
        var groups: [InstanceID: pid_t] = [:]
        for o in owner.map(HostProcesses.orphans(of:)) ?? [] { if let id = o.id { groups[id] = o.group } }
        var ends: [(InstanceID, ProcessOutcome)] = []
        for (id, entry) in orphaned {
            if case .keeper(let keeperId, _) = entry.handle { byKeeperId[keeperId] = nil }
            if let group = groups[id] {
                let left = entry.deadline.map { Int((($0 - .now) / .seconds(1)).rounded(.up)) }
                let grace = stopGrace
                watch(id, Entry(handle: .watched(group), statusPath: entry.statusPath)) {
                    HostProcesses.watch(group, statusPath: entry.statusPath, timeoutSeconds: left.map { max(0, $0) }, grace: grace)
                }
            } else {
                running[id] = nil
                ends.append((id, HostProcesses.readStatus(entry.statusPath).map { .exited($0) } ?? .unknown))
            }
        }
        return ends
    }

    /// Sets the alarm for `deadline` unless an earlier one is set.
    private func wake(at deadline: ContinuousClock.Instant) {
        if let alarmAt, alarmAt <= deadline { return }
        alarm?.cancel()
        alarmAt = deadline
        let deliver = self.deliver
        alarm = Task.detached {
            // Cancelled when an earlier deadline replaces it, or when the executor stops.
            guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
            deliver(.deadline)
        }
    }

    /// Kills the instances past their deadline (their ends, once the keeper has seen them, are
    /// timeouts), and sets the alarm for the next deadline.
    private func expire() {
        alarm = nil
        alarmAt = nil
        let now = ContinuousClock.now
        var due: [UInt64] = []
        var next: ContinuousClock.Instant?
        for (id, entry) in running where !entry.timedOut {
            guard let deadline = entry.deadline, case .keeper(let keeperId, _) = entry.handle else { continue }
            if deadline <= now {
                running[id]?.timedOut = true
                due.append(keeperId)
            } else if next.map({ deadline < $0 }) ?? true {
                next = deadline
            }
        }
        if !due.isEmpty { outbox.kill(due) }
        if let next { wake(at: next) }
    }
}
