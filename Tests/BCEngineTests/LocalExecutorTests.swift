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

    @Test func exitCodesAndMissingProgramsMatchTheShell() async throws {
        let (f, _) = try launch("false")
        #expect(await HostProcesses().run(f) == .exited(1))
        let (missing, dir) = try launch("no-such-program-bcops --flag")
        #expect(await HostProcesses().run(missing) == .exited(127))
        #expect(try String(contentsOfFile: dir + "/err", encoding: .utf8).contains("not found"))
    }

    @Test func theDeadlineKillsTheWholeProcessGroup() async throws {
        let (l, dir) = try launch("sh -c 'sleep 30 & echo $! > child; wait'", timeout: 1)
        let started = Date()
        #expect(await HostProcesses().run(l) == .timedOut)
        #expect(Date().timeIntervalSince(started) < 20)
        let child = try #require(Int32(try String(contentsOfFile: dir + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(nanoseconds: 100_000_000)
        // Gone, or a zombie waiting for init to reap it (it was reparented when its shell died).
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
        #expect(state == nil || state == "Z", "the background child of a timed-out instance must be gone, is \(state ?? "?")")
    }

    /// Through the engine's bcops-keeper (built beside the test binary): the status file is
    /// written, and the instance inherits nothing of the keeper's: no descriptor but 0, 1 and 2,
    /// no blocked or ignored signal (the keeper blocks SIGCHLD and ignores SIGPIPE).
    @Test func theKeeperRecordsTheStatusAndPassesNothingOn() async throws {
        try #require(HostProcesses.findKeeper() != nil, "bcops-keeper is built beside the tests")
        var (l, dir) = try launch("sh -c 'grep -E \"^(SigBlk|SigIgn)\" /proc/self/status; ls /proc/self/fd; exit 3'")
        l.statusPath = dir + "/exit"
        #expect(await HostProcesses().run(l) == .exited(3))
        #expect(HostProcesses.readStatus(dir + "/exit") == 3)
        let out = try String(contentsOfFile: dir + "/out", encoding: .utf8).split(separator: "\n")
        // Signals 1–31 (glibc keeps 32 and 33 for itself, and posix_spawn cannot reset them).
        let masks = out.filter { $0.hasPrefix("Sig") }.compactMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
        #expect(masks.count == 2 && masks.allSatisfy { $0 & 0x7fff_ffff == 0 }, "\(out)")
        #expect(out.filter { !$0.hasPrefix("Sig") }.sorted() == ["0", "1", "2", "3"], "stdin, stdout, stderr and ls's directory: \(out)")
    }

    /// Without a keeper (none built, or it cannot start) instances still run, spawned directly.
    @Test func withoutAKeeperInstancesRunDirectly() async throws {
        for processes in [HostProcesses(keeper: nil), HostProcesses(keeper: "/nonexistent/bcops-keeper")] {
            let (f, _) = try launch("false")
            #expect(await processes.run(f) == .exited(1))
            let (l, _) = try launch("sleep 30", timeout: 1)
            #expect(await processes.run(l) == .timedOut)
        }
    }
}
