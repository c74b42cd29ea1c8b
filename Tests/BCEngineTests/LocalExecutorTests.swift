import Foundation
import Testing
@testable import BCEngine

/// The local executor on real processes: what a command line means must not depend on
/// whether the shell was skipped.
@Suite struct LocalExecutorTests {
    @Test(arguments: [
        ("/bin/true", ["/bin/true"]),
        ("python3 main.py --n 3 a,b x:y", ["python3", "main.py", "--n", "3", "a,b", "x:y"]),
        ("  gatk   HaplotypeCaller  ", ["gatk", "HaplotypeCaller"]),
    ])
    func plainCommandLinesRunWithoutAShell(_ line: String, _ words: [String]) {
        #expect(LocalExecutor.directWords(line) == words)
    }

    @Test(arguments: ["echo $HOME", "a=b cmd", "exit 3", "cd /tmp", "ls *.txt", "echo 'x'", "cmd > out", "a && b", "a; b",
                      "echo ~", "time sleep 1", "x\\ y", "cmd # note", ""])
    func anythingAShellWouldInterpretGoesThroughIt(_ line: String) {
        #expect(LocalExecutor.directWords(line) == nil)
    }

    @Test func programsResolveOnThePathLikeTheShellFindsThem() {
        #expect(LocalExecutor.resolve("true", path: "/nonexistent:/usr/bin:/bin", in: "/") == "/usr/bin/true")
        #expect(LocalExecutor.resolve("no-such-program-bcops", path: "/usr/bin:/bin", in: "/") == nil)
        #expect(LocalExecutor.resolve("./missing", path: nil, in: "/tmp") == nil)
    }

    func launch(_ line: String, timeout: Int = 30) throws -> (InstanceLaunch, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-exec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (InstanceLaunch(commandLine: line, workingDirectory: dir, environment: ["PATH": "/usr/bin:/bin"],
                               stdoutPath: dir + "/out", stderrPath: dir + "/err", timeoutSeconds: timeout), dir)
    }

    @Test func exitCodesAndMissingProgramsMatchTheShell() async throws {
        let (f, _) = try launch("false")
        #expect(await LocalExecutor().run(f) { _ in } == .exited(1))
        let (missing, dir) = try launch("no-such-program-bcops --flag")
        #expect(await LocalExecutor().run(missing) { _ in } == .exited(127))
        #expect(try String(contentsOfFile: dir + "/err", encoding: .utf8).contains("not found"))
    }

    @Test func theDeadlineKillsTheWholeProcessGroup() async throws {
        let (l, dir) = try launch("sh -c 'sleep 30 & echo $! > child; wait'", timeout: 1)
        let started = Date()
        #expect(await LocalExecutor().run(l) { _ in } == .timedOut)
        #expect(Date().timeIntervalSince(started) < 20)
        let child = try #require(Int32(try String(contentsOfFile: dir + "/child", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(nanoseconds: 100_000_000)
        // Gone, or a zombie waiting for init to reap it (it was reparented when its shell died).
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
        #expect(state == nil || state == "Z", "the background child of a timed-out instance must be gone, is \(state ?? "?")")
    }
}
