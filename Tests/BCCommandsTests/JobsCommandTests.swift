import BCTestSupport
import Foundation
import Testing

/// `bcctl jobs`, `bcctl job` and `bcctl logs` as a user runs them, against a real engine with
/// jobs applied by bcapply: one that succeeds, one that fails with output, one that fails
/// without keeping any output, and one held on a cluster with no nodes.
@Suite(.serialized) struct JobsCommandTests {
    final class Farm: @unchecked Sendable {
        let engine: EngineProcess
        let dir: URL
        init() throws {
            engine = try EngineProcess()
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-jobs-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        deinit { engine.stop(); try? FileManager.default.removeItem(at: dir) }

        func write(_ name: String, _ text: String) throws {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        @discardableResult
        func run(_ tool: String, _ args: [String]) throws -> ProcessRunner.Output {
            try ProcessRunner.run(ProcessRunner.product(tool), args, environment: engine.clientEnvironment)
        }

        func apply() throws -> ProcessRunner.Output { try run("bcapply", [dir.path, "-no-color", "-auto-approve"]) }

        func jobs(_ args: String...) throws -> [[String: Any]] {
            let r = try run("bcctl", ["jobs", "-json"] + args)
            return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]) ?? []
        }

        /// Waits until the named jobs are in the given states.
        func wait(_ states: [String: String], timeout: Double = 60) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let now = Dictionary(try jobs().map { ($0["name"] as? String ?? "", $0["state"] as? String ?? "") }) { a, _ in a }
                if states.allSatisfy({ now[$0.key] == $0.value }) { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    static func cluster(_ name: String, nodes: Int) -> String {
        """
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: \(name)
        spec:
          imageId: img-ubuntu
          instanceType: ecs.sn1.medium
          runtime: host
          groups:
            main:
              desiredCount: \(nodes)

        """
    }

    static func job(_ name: String, cluster: String = "host-pool", command: String, instances: Int = 1, logs: Bool = true) -> String {
        """
        apiVersion: bcops.io/v1
        kind: Job
        metadata:
          name: \(name)
        spec:
          tasks:
            say:
              cluster: \(cluster)
              instanceCount: \(instances)
              command: \(command)
        \(logs ? "      stdoutRedirectPath: oss://jobs/logs/\n      stderrRedirectPath: oss://jobs/logs/\n" : "")
        """
    }

    /// The four jobs, applied and settled.
    static func farm() throws -> Farm {
        let f = try Farm()
        try f.write("clusters.yaml", cluster("host-pool", nodes: 1) + "---\n" + cluster("empty-pool", nodes: 0))
        try f.write("ok.yaml", job("ok", command: "echo hello from $BATCH_COMPUTE_DAG_INSTANCE_ID", instances: 2))
        try f.write("broken.yaml", job("broken", command: "echo about to fail; echo no such file >&2; exit 3"))
        try f.write("mute.yaml", job("mute", command: "exit 4", logs: false))
        try f.write("stuck.yaml", job("stuck", cluster: "empty-pool", command: "echo at last"))
        let applied = try f.apply()
        precondition(applied.status == 0, applied.combined)
        try f.wait(["ok": "Finished", "broken": "Failed", "mute": "Failed", "stuck": "Waiting"])
        return f
    }

    @Test func jobsListsEveryJobNewestFirstWithFiltersAndJSON() throws {
        let f = try Self.farm()
        let table = try f.run("bcctl", ["jobs"])
        #expect(table.status == 0, "\(table.combined)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true)
                == ["NAME", "ID", "STATE", "KIND", "TASKS", "INSTANCES", "CREATED", "ENDED", "REASON"], "\(table.stdout)")
        let names = lines.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(Set(names) == ["ok", "broken", "mute", "stuck"], "\(table.stdout)")
        let broken = try #require(lines.first { $0.hasPrefix("broken ") })
        #expect(broken.contains("Failed") && broken.contains("DAG") && broken.contains("0/1") && broken.contains("1 failed")
                && broken.hasSuffix("instance exited with code 3: no such file"), "\(broken)")
        #expect(lines.first { $0.hasPrefix("ok ") }?.contains("2 finished") == true)

        // Newest first: by creation time, as the API pages them.
        let all = try f.jobs()
        let created = all.compactMap { $0["created"] as? String }
        #expect(created.count == 4 && created == created.sorted(by: >), "\(created)")
        let ok = try #require(all.first { $0["name"] as? String == "ok" })
        #expect(ok["kind"] as? String == "DAG" && ok["address"] as? String == "Job/ok" && ok["workspace"] as? String == "default")
        #expect(ok["tasksDone"] as? Int == 1 && ok["tasksTotal"] as? Int == 1)
        #expect((ok["instances"] as? [String: Int])?["finished"] == 2)

        // Filters: a state, several (repeated or a comma list, any case), a workspace.
        #expect(try f.jobs("--state", "Failed").compactMap { $0["name"] as? String }.sorted() == ["broken", "mute"])
        #expect(try f.jobs("--state", "failed,waiting").compactMap { $0["name"] as? String }.sorted() == ["broken", "mute", "stuck"])
        #expect(try f.jobs("--state", "Finished", "--state", "Waiting").compactMap { $0["name"] as? String }.sorted() == ["ok", "stuck"])
        #expect(try f.jobs("-workspace", "default").count == 4)
        #expect(try f.jobs("-workspace", "elsewhere").isEmpty)
        #expect(try f.jobs("-limit", "1").compactMap { $0["name"] as? String } == [all[0]["name"] as? String ?? "?"])
        let none = try f.run("bcctl", ["jobs", "--state", "Stopped"])
        #expect(none.status == 0 && none.stdout == "No jobs in state Stopped.\n", "\(none.combined)")
        let bad = try f.run("bcctl", ["jobs", "--state", "Done"])
        #expect(bad.status == 64 && bad.stderr.contains("\"Done\" is not one of Waiting, Running, Finished, Failed, Stopped"), "\(bad.combined)")
    }

    @Test func jobShowsAFailedDAGJobsExitCodeReasonAndLogs() throws {
        let f = try Self.farm()
        let r = try f.run("bcctl", ["job", "broken"])
        #expect(r.status == 1, "a failed job exits 1: \(r.combined)")
        let out = r.stdout
        #expect(out.hasPrefix("Job broken (job-") && out.contains("): Failed\n"), "\(out)")
        #expect(out.contains("kind:     DAG job, 1 task"), "\(out)")
        #expect(out.contains("manifest: Job/broken in workspace default"), "\(out)")
        #expect(out.contains("reason:   instance exited with code 3: no such file"), "\(out)")
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix("  0 ") })
        #expect(row.split(separator: " ").prefix(4) == ["0", "Failed", "3", "0"], "instance, state, exit code, retries: \(row)")
        #expect(row.hasSuffix("NonZeroExitCode"), "\(row)")
        #expect(out.contains("stderr: oss://jobs/logs/stderr.job-") && out.contains(".say.0"), "\(out)")
        #expect(out.contains("a failed instance: bcctl logs job-") && out.contains("--node 0 --stream stderr"), "\(out)")

        let json = try f.run("bcctl", ["job", "broken", "-json"])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(o["reason"] as? String == "instance exited with code 3: no such file")
        let instance = try #require(((o["tasks"] as? [[String: Any]])?.first?["instances"] as? [[String: Any]])?.first)
        #expect(instance["exitCode"] as? Int == 3 && instance["errorCode"] as? String == "NonZeroExitCode", "\(instance)")
        #expect((instance["stdout"] as? String)?.hasPrefix("oss://jobs/logs/stdout.job-") == true)

        // By ID too; an unknown name is an error that says where to look.
        let id = try #require(o["id"] as? String)
        #expect(try f.run("bcctl", ["job", id]).stdout.hasPrefix("Job broken (\(id)): Failed"))
        let missing = try f.run("bcctl", ["job", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no job named nope; bcctl jobs lists them"), "\(missing.combined)")
    }

    @Test func aNameOfJobsOfDifferentOwnersIsAmbiguous() throws {
        let f = try Self.farm()
        // A job of the same name submitted by hand with the official SDK (as `bcs sub` would),
        // on the cluster of bcops' own: which one is meant must be said.
        let mine = try #require(try JSONSerialization.jsonObject(with: Data(try f.run("bcctl", ["job", "ok", "-json"]).stdout.utf8)) as? [String: Any])
        let cluster = try #require((mine["tasks"] as? [[String: Any]])?.first?["cluster"] as? String)
        let python = ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessRunner.root.appendingPathComponent(".build-venv/bin/python").path
        let submit = try ProcessRunner.run(python, ["-c", """
            import sys
            from batchcompute import Client
            Client.register_region('local', '127.0.0.1', int(sys.argv[1]))
            c = Client('127.0.0.1', sys.argv[2], sys.argv[3])
            print(c.create_job({'Name': 'ok', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True, 'DAG': {
                'Tasks': {'t': {'InstanceCount': 1, 'ClusterId': sys.argv[4], 'MaxRetryCount': 0, 'Timeout': 60,
                                'Parameters': {'Command': {'CommandLine': 'echo by hand', 'PackagePath': ''},
                                               'StdoutRedirectPath': 'oss://jobs/logs/', 'StderrRedirectPath': 'oss://jobs/logs/'}}},
                'Dependencies': {}}}).Id)
            """, String(f.engine.port), f.engine.credentials.accessKeyId, f.engine.credentials.accessKeySecret, cluster])
        #expect(submit.status == 0, "\(submit.combined)")
        let byHand = submit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let r = try f.run("bcctl", ["job", "ok"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("2 jobs are named ok, of different owners; give a job ID (or -workspace)"), "\(r.stderr)")
        #expect(r.stderr.contains("\(byHand): not managed by bcops"), "\(r.stderr)")
        #expect(r.stderr.contains("\(mine["id"] as? String ?? "?"): Job/ok in workspace default"), "\(r.stderr)")
        let narrowed = try f.run("bcctl", ["job", "ok", "-workspace", "default"])
        #expect(narrowed.status == 0 && narrowed.stdout.contains("manifest: Job/ok in workspace default"), "\(narrowed.combined)")
        let logs = try f.run("bcctl", ["logs", "ok"])
        #expect(logs.status == 1 && logs.stderr.contains("2 jobs are named ok"), "logs resolves names the same way: \(logs.combined)")
    }

    @Test func logsOfAFailedJobWithoutOutputSaySoAndExitNonZero() throws {
        let f = try Self.farm()
        let mute = try f.run("bcctl", ["logs", "mute"])
        #expect(mute.status == 1, "\(mute.combined)")
        #expect(mute.stdout.isEmpty)
        #expect(mute.stderr.contains("job mute (job-") && mute.stderr.contains(") wrote no output (Failed)"), "\(mute.stderr)")
        #expect(mute.stderr.contains("task say keeps no output (it sets no stdoutRedirectPath or stderrRedirectPath)"), "\(mute.stderr)")
        #expect(mute.stderr.contains("failed: instance exited with code 4"), "\(mute.stderr)")

        // Output, then the reason, and still a failure.
        let broken = try f.run("bcctl", ["logs", "broken"])
        #expect(broken.status == 1)
        #expect(broken.stdout == "about to fail\n[stderr] no such file\n", "\(broken.combined)")
        #expect(broken.stderr.contains("failed: instance exited with code 3: no such file"), "\(broken.stderr)")
        let stdoutOnly = try f.run("bcctl", ["logs", "ok", "--stream", "stderr"])
        #expect(stdoutOnly.status == 0 && stdoutOnly.stderr.contains("wrote nothing on stderr (Finished)"), "\(stdoutOnly.combined)")
        let ok = try f.run("bcctl", ["logs", "ok"])
        #expect(ok.status == 0 && ok.stdout == "[node 0] hello from 0\n[node 1] hello from 1\n", "\(ok.combined)")
        let noTask = try f.run("bcctl", ["logs", "ok", "--task", "app"])
        #expect(noTask.status == 1 && noTask.stderr.contains("has no task app; its tasks: say"), "\(noTask.combined)")
    }

    @Test func followingAWaitingJobSaysWhyAndCanBeStopped() throws {
        let f = try Self.farm()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcctl"))
        p.arguments = ["logs", "stuck", "-f"]
        p.environment = ProcessInfo.processInfo.environment.merging(f.engine.clientEnvironment) { $1 }
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        var said = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && !said.contains("\n") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said += String(decoding: chunk, as: UTF8.self)
        }
        #expect(said.hasPrefix("waiting: cluster cls-") && said.contains("(empty-pool) has 0 nodes"), "\(said)")
        #expect(p.isRunning, "it keeps following")
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal || p.terminationStatus != 0)

        // Followed while the cluster gets a node: the job runs, its output is printed, it ends.
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcctl"))
        follow.arguments = ["logs", "stuck", "-f"]
        follow.environment = p.environment
        let out2 = Pipe(), err2 = Pipe()
        follow.standardOutput = out2
        follow.standardError = err2
        try follow.run()
        // Never hang the suite: a follower that does not end is stopped (and the checks below fail).
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) { if follow.isRunning { follow.terminate() } }
        Thread.sleep(forTimeInterval: 1)
        try f.write("clusters.yaml", Self.cluster("host-pool", nodes: 1) + "---\n" + Self.cluster("empty-pool", nodes: 1))
        #expect(try f.apply().status == 0)
        let stdout = out2.fileHandleForReading.readDataToEndOfFile()
        follow.waitUntilExit()
        #expect(follow.terminationStatus == 0)
        #expect(String(decoding: stdout, as: UTF8.self) == "at last\n")
        #expect(String(decoding: err2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("waiting: cluster cls-"))
    }
}
