import Foundation
import Testing
@testable import BCEngine

/// The local executor's processes, for real: what a command line means must not depend on
/// whether the shell was skipped.
@Suite struct LocalExecutorTests {
    @Test(arguments: [
        ("/bin/true", ["/bin/true"]),
        ("python3 main.py --n 3 a,b x:y", ["python3", "main.py", "--n", "3", "a,b", "x:y"]),
        ("  gatk   HaplotypeCaller  ", ["gatk", "HaplotypeCaller"]),
    ])
    func plainCommandLinesRunWithoutAShell(_ line: String, _ words: [String]) {
        #expect(HostProcesses.directWords(line) == words)
    }

    @Test(arguments: ["echo $HOME", "a=b cmd", "exit 3", "cd /tmp", "ls *.txt", "echo 'x'", "cmd > out", "a && b", "a; b",
                      "echo ~", "time sleep 1", "x\\ y", "cmd # note", ""])
    func anythingAShellWouldInterpretGoesThroughIt(_ line: String) {
        #expect(HostProcesses.directWords(line) == nil)
    }

    @Test func programsResolveOnThePathLikeTheShellFindsThem() {
        #expect(HostProcesses.resolve("true", path: "/nonexistent:/usr/bin:/bin", in: "/") == "/usr/bin/true")
        #expect(HostProcesses.resolve("no-such-program-bcops", path: "/usr/bin:/bin", in: "/") == nil)
        #expect(HostProcesses.resolve("./missing", path: nil, in: "/tmp") == nil)
    }

    func launch(_ line: String, timeout: Int = 30) throws -> (ProcessLaunch, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-exec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (ProcessLaunch(commandLine: line, workingDirectory: dir, environment: ["PATH": "/usr/bin:/bin"],
                               stdoutPath: dir + "/out", stderrPath: dir + "/err", timeoutSeconds: timeout), dir)
    }

    /// Runs one process as the local executor's loop does, to its end. `record: false` leaves
    /// its end unrecorded, as an engine that dies before its commit would.
    static func run(_ launch: ProcessLaunch, keeper: String? = HostProcesses.findKeeper(), record: Bool = true,
                    grace: Duration = EngineLimits.defaultStopGrace) async -> ProcessOutcome {
        let (events, sink) = AsyncStream.makeStream(of: HostProcesses.Event.self)
        let processes = HostProcesses(keeper: keeper, stopGrace: grace) { sink.yield($0) }
        let id = InstanceID(jobId: "job-test", task: "t", index: 0)
        if let outcome = processes.start(id, launch) { return outcome }
        processes.flush()
        for await event in events {
            let ends = processes.handle(event)
            processes.flush()
            guard let end = ends.first(where: { $0.0 == id }) else { continue }
            if record { _ = processes.recorded([id]) }
            processes.flush()
            return end.1
        }
        return .unknown
    }

    @Test func exitCodesAndMissingProgramsMatchTheShell() async throws {
        let (f, _) = try launch("false")
        #expect(await Self.run(f) == .exited(1))
        let (missing, dir) = try launch("no-such-program-bcops --flag")
        #expect(await Self.run(missing) == .exited(127))
        #expect(try String(contentsOfFile: dir + "/err", encoding: .utf8).contains("not found"))
    }

    @Test func theDeadlineKillsTheWholeProcessGroup() async throws {
        let (l, dir) = try launch("sh -c 'sleep 30 & echo $! > child; wait'", timeout: 1)
        let started = Date()
        #expect(await Self.run(l) == .timedOut)
        #expect(Date().timeIntervalSince(started) < 20)
        let child = try #require(Int32(try String(contentsOfFile: dir + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(nanoseconds: 100_000_000)
        // Gone, or a zombie waiting for init to reap it (it was reparented when its shell died).
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
        #expect(state == nil || state == "Z", "the background child of a timed-out instance must be gone, is \(state ?? "?")")
    }

    /// A deadline (as a stop) ends an instance with SIGTERM first: a process that traps it says
    /// how it ended, through the keeper and without it.
    @Test(arguments: [true, false])
    func theDeadlineSendsSIGTERMBeforeSIGKILL(throughTheKeeper: Bool) async throws {
        let (l, dir) = try launch("sh -c 'trap \"echo terminated > last-word; exit 7\" TERM; sleep 30 & wait'", timeout: 1)
        let keeper = throughTheKeeper ? HostProcesses.findKeeper() : nil
        let outcome = await Self.run(l, keeper: keeper, grace: .seconds(30))
        #expect(outcome == .timedOut)
        #expect((try? String(contentsOfFile: dir + "/last-word", encoding: .utf8)) == "terminated\n")
    }

    /// What ignores SIGTERM gets SIGKILL once the grace has passed, even a member of the group
    /// whose leader ended at the SIGTERM.
    @Test(arguments: [true, false])
    func whatIgnoresSIGTERMIsKilledAfterTheGrace(throughTheKeeper: Bool) async throws {
        let (l, dir) = try launch("sh -c '(trap \"\" TERM; exec sleep 30) & echo $! > child; wait'", timeout: 1)
        let started = Date()
        let keeper = throughTheKeeper ? HostProcesses.findKeeper() : nil
        let outcome = await Self.run(l, keeper: keeper, grace: .seconds(1))
        #expect(outcome == .timedOut)
        let child = try #require(Int32(try String(contentsOfFile: dir + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var state: Substring?
        repeat {
            try await Task.sleep(nanoseconds: 100_000_000)
            state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
        } while state != nil && state != "Z" && Date().timeIntervalSince(started) < 20
        #expect(state == nil || state == "Z", "a member that ignored SIGTERM outlived the grace: \(state ?? "?")")
    }

    /// Through the engine's bcops-keeper (built beside the test binary): the instance inherits
    /// nothing of the keeper's: no descriptor but 0, 1 and 2, no blocked or ignored signal (the
    /// keeper blocks SIGCHLD and ignores SIGPIPE).
    @Test func theKeeperPassesNothingOn() async throws {
        try #require(HostProcesses.findKeeper() != nil, "bcops-keeper is built beside the tests")
        let (l, dir) = try launch("sh -c 'grep -E \"^(SigBlk|SigIgn)\" /proc/self/status; ls /proc/self/fd; exit 3'")
        #expect(await Self.run(l) == .exited(3))
        let out = try String(contentsOfFile: dir + "/out", encoding: .utf8).split(separator: "\n")
        // Signals 1–31 (glibc keeps 32 and 33 for itself, and posix_spawn cannot reset them).
        let masks = out.filter { $0.hasPrefix("Sig") }.compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2 && masks.allSatisfy { $0 & 0x7fff_ffff == 0 }, "\(out)")
        #expect(out.filter { !$0.hasPrefix("Sig") }.sorted() == ["0", "1", "2", "3"], "stdin, stdout, stderr and ls's directory: \(out)")
    }

    /// The keeper holds an end until the engine has recorded it: recorded, no status file is
    /// written; not recorded when the engine goes away, the keeper writes it, for the next engine.
    @Test func theKeeperWritesTheStatusOfEndsTheEngineDidNotRecord() async throws {
        try #require(HostProcesses.findKeeper() != nil, "bcops-keeper is built beside the tests")
        var (recorded, first) = try launch("exit 3")
        recorded.statusPath = first + "/exit"
        #expect(await Self.run(recorded) == .exited(3))
        var (unrecorded, second) = try launch("exit 4")
        unrecorded.statusPath = second + "/exit"
        #expect(await Self.run(unrecorded, record: false) == .exited(4))
        // The runner is gone, and with it the link: the keeper writes the status and leaves.
        let deadline = Date().addingTimeInterval(10)
        while HostProcesses.readStatus(second + "/exit") == nil, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(HostProcesses.readStatus(second + "/exit") == 4)
        #expect(HostProcesses.readStatus(first + "/exit") == nil, "a recorded end leaves no file")
    }

    /// Without a keeper (none built, or it cannot start) instances still run, spawned directly.
    @Test func withoutAKeeperInstancesRunDirectly() async throws {
        for keeper in [nil, "/nonexistent/bcops-keeper"] {
            let (f, _) = try launch("false")
            #expect(await Self.run(f, keeper: keeper) == .exited(1))
            let (l, _) = try launch("sleep 30", timeout: 1)
            #expect(await Self.run(l, keeper: keeper) == .timedOut)
        }
    }
}
