@testable import BCEngine
import Foundation
import Testing

/// The node-load sampler's parts without an engine: /proc parsing, tree sums, the answer of an
/// engine that does not sample (Grid Engine, Slurm), and worker-log reading across its buffer.
@Suite struct NodeLoadTests {
    @Test func anEngineThatDoesNotSampleSaysSo() {
        let answer = NodeLoads().answer(job: "job-1")
        #expect(!answer.sampled && answer.instances.isEmpty)
        #expect(answer.note.hasPrefix("not sampled: ") && answer.note.contains("Grid Engine or Slurm"))
    }

    @Test func aProcessTreeIsSummedOverItsDescendants() throws {
        // This process, a shell child and its sleeping grandchild, in a group of their own.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "sleep 10 & sleep 10; wait"]
        try child.run()
        var table = ProcessTable.read()
        for _ in 0..<50 where (table.children[child.processIdentifier] ?? []).count < 2 {
            usleep(20_000)
            table = ProcessTable.read()
        }
        defer {
            for pid in table.children[child.processIdentifier] ?? [] { kill(pid, SIGKILL) }
            child.terminate()
        }
        let me = try #require(table.entries[getpid()])
        #expect(me.residentPages > 0 && me.ticks > 0)
        let tree = table.tree(of: child.processIdentifier)
        #expect(tree.count == 3, "the shell and its two sleeps: \(tree.map(\.pid))")
        #expect(Set(tree.map(\.parent)).contains(child.processIdentifier))
        let series = NodeLoads.sample(NodeLoads.Tree(leader: child.processIdentifier, entries: tree, uptime: table.uptime), after: nil)
        #expect(series.samples.count == 1 && series.samples[0].rssBytes > 0 && series.samples[0].processes == 3)
    }

    @Test func aCommandNameWithSpacesAndParenthesesParses() throws {
        // /proc/PID/stat puts the command name in parentheses; it may hold both.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-stat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let odd = dir.appendingPathComponent("a (b) c").path
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: odd)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: odd)
        p.arguments = ["10"]
        try p.run()
        defer { p.terminate() }
        usleep(50_000)
        let e = try #require(ProcessTable.stat(p.processIdentifier))
        #expect(e.parent == getpid() && e.residentPages > 0)
    }

    @Test func theWorkerLogReadsAsOneAcrossItsFileAndItsBuffer() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-wl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let logs = WorkerLogs(dataDirectory: data)
        let writer = Task { await logs.run() }
        let id = InstanceID(jobId: "job-1", task: "odd/task name", index: 2)
        logs.append(id, "one")
        logs.ended(id)
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: logs.path(id)) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(logs.path(id).hasSuffix("/worker-logs/job-1/odd%2Ftask%20name.2"))
        logs.append(id, "two")  // buffered, not yet written
        let all = String(decoding: logs.read(job: "job-1", task: "odd/task name", index: 2, from: 0, upTo: 1 << 20).bytes, as: UTF8.self)
        let lines = all.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasSuffix(" one") && lines[1].hasSuffix(" two"), "\(all)")
        #expect(lines[0].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z one$"#, options: .regularExpression) != nil, "\(lines[0])")
        // From an offset inside the buffer, and past the end.
        let firstLength = UInt64(lines[0].utf8.count + 1)
        #expect(String(decoding: logs.read(job: "job-1", task: "odd/task name", index: 2, from: firstLength, upTo: 100).bytes, as: UTF8.self) == lines[1] + "\n")
        #expect(logs.read(job: "job-1", task: "odd/task name", index: 2, from: 10_000, upTo: 100).bytes.isEmpty)
        // Its tail, across the file and the buffer.
        let tail = logs.read(job: "job-1", task: "odd/task name", index: 2, from: 0, tail: 6, upTo: 100)
        #expect(String(decoding: tail.bytes, as: UTF8.self) == lines[1].suffix(5) + "\n" && tail.start == UInt64(all.utf8.count - 6))
        writer.cancel()
        _ = await writer.value
        // Cancelled, the writer wrote what was buffered.
        #expect(try String(contentsOfFile: logs.path(id), encoding: .utf8) == all)
        logs.remove(job: "job-1")
        #expect(!FileManager.default.fileExists(atPath: data + "/worker-logs/job-1"))
    }
}
