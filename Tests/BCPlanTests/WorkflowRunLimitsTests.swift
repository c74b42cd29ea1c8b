import BCTestSupport
import Foundation
import Testing

/// The limits of a WorkflowRun, through bcapply and the real engine running real miniwdl: a
/// call's `timeout` ends that call and fails the run naming it; `spec.runner.timeout` ends the
/// whole run and its running call jobs; a SIGKILLed engine restarted on its data directory and
/// port lets the run complete without running a finished call again.
/// (Missing inputs at plan time are covered elsewhere.)
@Suite(.serialized) struct WorkflowRunLimitsTests {
    static let fixtures = ProcessRunner.root.appendingPathComponent("Tests/Fixtures/workflows")

    /// A WorkflowRun of `src/<wdl>` with the given extra spec lines (indented two spaces).
    static func manifest(_ name: String, wdl: String, bucket: String, tag: String, _ extra: String = "", runnerTimeout: Int = 300) -> String {
        """
        apiVersion: bcops.io/v1
        kind: WorkflowRun
        metadata:
          name: \(name)
        spec:
          workflow: src/\(wdl)
        \(extra)
          workingDir: oss://\(bucket)/work/
          outputsDir: oss://\(bucket)/out/
          runner:
            instanceType: ecs.sn1.medium
            timeout: \(runnerTimeout)
          tag: \(tag)
        """
    }

    /// The plan's lines that name `address` and say that it failed.
    static func failedRunLines(_ plan: String, _ address: String) -> [Substring] {
        plan.split(separator: "\n").filter { $0.contains(address) && $0.contains("failed") }
    }

    // MARK: - 1. The call's own timeout

    @Test func aCallTimeoutEndsTheCallAndFailsTheRunNamingIt() throws {
        let e = try WorkflowEstate()
        defer { e.close() }
        try e.copyFixture("slow.wdl")
        // slow.wdl's nap sleeps 30 s under `timeout: timeout_seconds` (2 by default).
        try e.write("run.yaml", Self.manifest("nap", wdl: "slow.wdl", bucket: "limits-call", tag: "calltimeout", runnerTimeout: 120))
        let start = Date()
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Runs: 1 submitted."), "\(applied.stdout)")

        let run = try e.waitForEnd("nap", seconds: 60)
        let elapsed = Date().timeIntervalSince(start)
        #expect(run["state"] as? String == "Failed", "\(run)")
        #expect(elapsed < 20, "the run failed after \(elapsed) s: the call's timeout is 2 s, its sleep 30 s")
        let reason = run["reason"] as? String ?? ""
        #expect(reason.contains("call slow.nap") && reason.contains("timeout of 2 s"), "the reason names the call and its timeout: \(reason)")

        // The call's own job: one, ended by the engine at its 2 s timeout.
        let calls = try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("calltimeout_") }
        #expect(calls.count == 1, "one job for the one call: \(calls)")
        if let call = calls.first {
            #expect((call["name"] as? String ?? "").hasSuffix("_nap"), "\(call)")
            #expect(call["state"] as? String == "Failed", "\(call)")
            #expect((call["reason"] as? String ?? "").contains("exceeded its timeout of 2 s"), "\(call)")
        }

        // The plan says the run failed, and why.
        let plan = try e.plan()
        #expect(plan.status == 0, "\(plan.combined)")
        let said = Self.failedRunLines(plan.stdout, "WorkflowRun/nap")
        #expect(said.contains { $0.contains("call slow.nap") && $0.contains("timeout of 2 s") }, "\(plan.stdout)")

        // The metadata in outputsDir: Failed, the call Failed, the failure naming nap.
        let metadata = try #require(try e.metadata(bucket: "limits-call"))
        #expect(metadata["status"] as? String == "Failed", "\(metadata)")
        let nap = ((metadata["calls"] as? [String: Any])?["slow.nap"] as? [[String: Any]])?.first
        #expect(nap?["executionStatus"] as? String == "Failed", "\(metadata)")
        let failure = ((metadata["failures"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
        #expect(failure.contains("slow.nap") && failure.contains("timeout"), "\(failure)")

        // Nothing of the call is left running.
        #expect(e.waitUntil(seconds: 5) { e.sleepers("sleep 30").isEmpty }, "sleep 30 still runs: \(e.sleepers("sleep 30"))")
    }

    // MARK: - 2. The whole run's timeout

    /// `spec.runner.timeout: 5` with a call allowed 600 s: the run ends after about 5 s, and its
    /// running call job with it.
    @Test func theRunnerTimeoutEndsTheWholeRunAndItsRunningCallJobs() throws {
        let e = try WorkflowEstate()
        defer { e.close() }
        try e.copyFixture("slow.wdl")
        try e.write("run.yaml", Self.manifest("nap", wdl: "slow.wdl", bucket: "limits-runner", tag: "runnertimeout", """
              inputs:
                slow.nap.timeout_seconds: 600
            """, runnerTimeout: 5))
        let start = Date()
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(e.waitUntil(seconds: 30) { !e.sleepers("sleep 30").isEmpty }, "the call never started")

        let run = try e.waitForEnd("nap", seconds: 30)
        let elapsed = Date().timeIntervalSince(start)
        #expect(run["state"] as? String == "Failed", "\(run)")
        #expect(elapsed < 12, "the run ended after \(elapsed) s; its timeout is 5 s")
        #expect((run["reason"] as? String ?? "").contains("timeout of 5 s"), "\(run)")

        // Within ~10 s of the submission the call's job has ended too, and its process is gone.
        let callEnded = e.waitUntil(seconds: max(1, 12 - Date().timeIntervalSince(start))) {
            try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("runnertimeout_") }
                .allSatisfy { ["Stopped", "Failed", "Finished"].contains($0["state"] as? String ?? "") }
        }
        let calls = try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("runnertimeout_") }
        // One call job, or none: given its SIGTERM, the runner aborts its call as Cromwell does
        // (StopJob, then DeleteJob).
        #expect(calls.count <= 1, "\(calls)")
        #expect(callEnded, "the run's timeout left its call job running: \(calls.map { "\($0["name"] ?? "") \($0["state"] ?? "")" })")
        let left = e.waitUntil(seconds: 2) { e.sleepers("sleep 30").isEmpty }
        #expect(left, "the run's timeout left its call's process running: sleep 30 pids \(e.sleepers("sleep 30"))")

        // The run's metadata does not say Running forever.
        var status = "none"
        let settled = e.waitUntil(seconds: 5) {
            status = try e.metadata(bucket: "limits-runner")?["status"] as? String ?? "none"
            return !["none", "Running"].contains(status)
        }
        // The engine ends a timed-out instance with SIGTERM and a grace period before SIGKILL:
        // the runner stops its calls and writes its last word.
        #expect(settled, "metadata of a run that ended by timeout: status \(status)")
        #expect(["Aborted", "Failed"].contains(status), "status \(status)")

        let plan = try e.plan()
        #expect(Self.failedRunLines(plan.stdout, "WorkflowRun/nap").contains { $0.contains("timeout of 5 s") }, "\(plan.stdout)")
    }

    /// The same end by another road: stopping the runner's job (`bcs stop`, the SDK's
    /// stop_job) stops the calls it runs.
    @Test func stoppingTheRunnerJobStopsItsRunningCallJobs() throws {
        let e = try WorkflowEstate()
        defer { e.close() }
        try e.copyFixture("slow.wdl")
        try e.write("run.yaml", Self.manifest("nap", wdl: "slow.wdl", bucket: "limits-stop", tag: "stopped", """
              inputs:
                slow.nap.timeout_seconds: 600
            """, runnerTimeout: 120))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(e.waitUntil(seconds: 30) { !e.sleepers("sleep 30").isEmpty }, "the call never started")
        let runner = try #require(try e.job("nap")["id"] as? String)
        try e.stopJob(runner)
        let run = try e.waitForEnd("nap", seconds: 20)
        #expect(run["state"] as? String == "Stopped", "\(run)")
        let callEnded = e.waitUntil(seconds: 10) {
            try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("stopped_") }
                .allSatisfy { ["Stopped", "Failed", "Finished"].contains($0["state"] as? String ?? "") }
        }
        let calls = try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("stopped_") }
        #expect(callEnded, "stopping the runner left its call job running: \(calls.map { "\($0["name"] ?? "") \($0["state"] ?? "")" })")
        #expect(e.waitUntil(seconds: 2) { e.sleepers("sleep 30").isEmpty }, "sleep 30 pids \(e.sleepers("sleep 30"))")
        // Cromwell's metadata of an aborted run says Aborted, not Running.
        var status = "none"
        let settled = e.waitUntil(seconds: 5) {
            status = try e.metadata(bucket: "limits-stop")?["status"] as? String ?? "none"
            return !["none", "Running"].contains(status)
        }
        #expect(settled, "metadata of a stopped run: status \(status)")
        #expect(status == "Aborted", "status \(status)")
    }

    // MARK: - 3. SIGKILL of the engine in the middle of a run

    /// Three calls in a chain; each appends its name to a file outside the engine and sleeps.
    static let chain = """
        version 1.0

        workflow chain {
          input {
            String counts
            Float pause = 1.5
          }
          call step as a { input: name = "a", counts = counts, pause = pause, previous = "start" }
          call step as b { input: name = "b", counts = counts, pause = pause, previous = read_string(a.out) }
          call step as c { input: name = "c", counts = counts, pause = pause, previous = read_string(b.out) }
          output {
            String last = read_string(c.out)
          }
        }

        task step {
          input {
            String name
            String counts
            Float pause
            String previous
          }
          command <<<
            echo "~{name}" >> "~{counts}/runs"
            sleep ~{pause}
            echo "~{previous} ~{name}" > out.txt
          >>>
          output {
            File out = "out.txt"
          }
        }
        """

    /// The engine is killed twice: while `b` runs, staying down until `b` has ended (the
    /// restarted engine records its end), and while `c` runs, back at once (it adopts `c`).
    /// The run completes; every call ran once, as one engine job, recorded as attempt 1.
    @Test func aRunSurvivesSIGKILLsOfTheEngineAndNoFinishedCallRunsAgain() throws {
        let e = try WorkflowEstate()
        defer { e.close() }
        let counts = e.scratch.appendingPathComponent("counts")
        try FileManager.default.createDirectory(at: counts, withIntermediateDirectories: true)
        let runs = counts.appendingPathComponent("runs").path
        try e.write("src/chain.wdl", Self.chain)
        try e.write("run.yaml", Self.manifest("chain", wdl: "chain.wdl", bucket: "limits-crash", tag: "crash", """
              inputs:
                chain.counts: \(counts.path)
              runtime:
                cluster: OnDemand ecs.sn1.medium img-ubuntu-vpc
            """))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        func started() -> [String] {
            ((try? String(contentsOfFile: runs, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        #expect(e.waitUntil(seconds: 60) { started().contains("b") }, "b never started: \(started())")
        let port = e.engine.port
        e.engine.kill()
        Thread.sleep(forTimeInterval: 2.5)  // b (1.5 s) ends while the engine is down
        try e.restart(log: "engine-1.log")
        #expect(e.engine.port == port)

        #expect(e.waitUntil(seconds: 60) { started().contains("c") }, "c never started: \(started())")
        e.engine.kill()
        try e.restart(log: "engine-2.log")

        let run = try e.waitForEnd("chain", seconds: 90)
        #expect(run["state"] as? String == "Finished", "\(run)")
        #expect(started() == ["a", "b", "c"], "each call ran once: \(started())")
        let first = try String(contentsOf: e.scratch.appendingPathComponent("engine-1.log"), encoding: .utf8)
        let second = try String(contentsOf: e.scratch.appendingPathComponent("engine-2.log"), encoding: .utf8)
        #expect(first.contains("recordedWhileDown=1") && first.contains("runAgain=0"), "\(first)")
        #expect(second.contains("runAgain=0"), "\(second)")

        // One engine job per call, each Finished.
        let jobs = try e.jobs().filter { ($0["name"] as? String ?? "").hasPrefix("crash_") }
        var byCall: [String: [[String: Any]]] = [:]
        for job in jobs { byCall[String((job["name"] as? String ?? "").split(separator: "_").last ?? ""), default: []].append(job) }
        #expect(byCall.mapValues(\.count) == ["a": 1, "b": 1, "c": 1], "jobs per call: \(jobs.map { $0["name"] ?? "" })")
        #expect(jobs.allSatisfy { $0["state"] as? String == "Finished" }, "\(jobs)")

        // The metadata: Succeeded, one attempt per call, Done, on that one job; the outputs.
        let metadata = try #require(try e.metadata(bucket: "limits-crash"))
        #expect(metadata["status"] as? String == "Succeeded", "\(metadata)")
        #expect((metadata["outputs"] as? [String: Any])?["chain.last"] as? String == "start a b c", "\(metadata["outputs"] ?? "")")
        let calls = metadata["calls"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(calls.keys) == ["chain.a", "chain.b", "chain.c"], "\(calls.keys)")
        for (name, entries) in calls {
            let call = String(name.dropFirst("chain.".count))
            #expect(entries.count == 1, "\(name): \(entries)")
            guard let entry = entries.first else { continue }
            #expect(entry["attempt"] as? Int == 1 && entry["executionStatus"] as? String == "Done" && entry["returnCode"] as? Int == 0, "\(name): \(entry)")
            #expect(entry["jobId"] as? String == byCall[call]?.first?["id"] as? String, "\(name): \(entry)")
            // Its call root holds rc 0 and the output, once (no attempt-2/).
            let root = try #require(entry["callRoot"] as? String)
            #expect(e.object(root + "rc")?.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(root)rc")
            #expect(e.object(root + "out.txt") != nil, "\(root)out.txt")
            #expect(!e.keys(under: root).contains { $0.hasPrefix("attempt-") }, "\(e.keys(under: root))")
        }
    }
}

/// A scratch GitOps repository and a real engine that can be SIGKILLed and started again on
/// the same data directory and port (the runner's BATCH_COMPUTE_OSS_HOST stays valid).
final class WorkflowEstate: @unchecked Sendable {
    private(set) var engine: EngineProcess
    let dir: URL
    /// Logs and files outside the repository.
    let scratch: URL

    /// `engineArguments`: more for `bcctl engine serve` (`--executor gridengine`).
    init(engineArguments: [String] = []) throws {
        engine = try EngineProcess(arguments: engineArguments)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-wflimits-\(UUID().uuidString)")
        dir = base.appendingPathComponent("repo")
        scratch = base.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("src"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func copyFixture(_ name: String) throws {
        try FileManager.default.copyItem(at: WorkflowRunLimitsTests.fixtures.appendingPathComponent(name),
                                         to: dir.appendingPathComponent("src/\(name)"))
    }

    func run(_ tool: String, _ args: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product(tool), args, environment: engine.clientEnvironment)
    }

    func plan() throws -> ProcessRunner.Output { try run("bcplan", [dir.path, "-no-color"]) }
    func apply() throws -> ProcessRunner.Output { try run("bcapply", [dir.path, "-no-color", "-auto-approve"]) }

    /// Every job on the engine (`bcctl jobs -json`).
    func jobs() throws -> [[String: Any]] {
        let r = try run("bcctl", ["jobs", "-json", "-limit", "0"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [[String: Any]] ?? []
    }

    /// `bcctl job NAME -json`.
    func job(_ name: String) throws -> [String: Any] {
        let r = try run("bcctl", ["job", name, "-json"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    /// The job once it has ended, or as it is after `seconds`.
    func waitForEnd(_ name: String, seconds: Double) throws -> [String: Any] {
        var last: [String: Any] = [:]
        _ = waitUntil(seconds: seconds) {
            last = try self.job(name)
            return ["Finished", "Failed", "Stopped"].contains(last["state"] as? String ?? "")
        }
        return last
    }

    /// Polls `condition` every 0.1 s for at most `seconds`; whether it held.
    func waitUntil(seconds: Double, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if (try? condition()) == true { return true }
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// An object of the engine's store, read where the engine keeps it.
    func object(_ url: String) -> String? {
        guard url.hasPrefix("oss://") else { return nil }
        return try? String(contentsOfFile: engine.dataDirectory + "/oss/" + url.dropFirst(6), encoding: .utf8)
    }

    /// The keys (relative) of the objects under an `oss://…/` prefix.
    func keys(under url: String) -> [String] {
        guard url.hasPrefix("oss://") else { return [] }
        let root = engine.dataDirectory + "/oss/" + url.dropFirst(6)
        return (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
    }

    /// The run's metadata JSON in `oss://<bucket>/out/` (`<workflow>.<run id>.metadata.json`).
    func metadata(bucket: String) throws -> [String: Any]? {
        let name = keys(under: "oss://\(bucket)/out/").first { $0.hasSuffix(".metadata.json") && !$0.contains("/") }
        guard let name, let text = object("oss://\(bucket)/out/\(name)") else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    /// Processes whose command line matches `pattern` (pgrep -f) and that this engine started
    /// (its data directory in their environment), so other engines' runs do not count.
    func sleepers(_ pattern: String) -> [pid_t] {
        guard let r = try? ProcessRunner.run("/usr/bin/pgrep", ["-f", "^" + pattern + "$"]) else { return [] }
        let marker = Data("BCOPS_ENGINE_DATA=\(engine.dataDirectory)\0".utf8)
        return r.stdout.split(separator: "\n").compactMap { pid_t($0) }.filter { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environ.range(of: marker) != nil
        }
    }

    /// Stops a job through the official SDK (as `bcs stop` does).
    func stopJob(_ id: String) throws {
        let python = ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessRunner.root.appendingPathComponent(".build-venv/bin/python").path
        let r = try ProcessRunner.run(python, ["-c", """
            import sys
            from batchcompute import Client
            Client.register_region('local', '127.0.0.1', int(sys.argv[1]))
            c = Client('127.0.0.1', sys.argv[2], sys.argv[3])
            for id in sys.argv[4:]:
                try:
                    c.stop_job(id)
                except Exception as e:
                    if 'StateConflict' not in str(e): raise
            """, String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret, id])
        precondition(r.status == 0, r.combined)
    }

    /// A new engine on the killed one's data directory and port, logging to `scratch/<log>`.
    func restart(log: String) throws {
        let port = engine.port
        let deadline = Date().addingTimeInterval(15)
        while true {
            do {
                engine = try EngineProcess(dataDirectory: engine.dataDirectory, listen: "127.0.0.1:\(port)",
                                           logFile: scratch.appendingPathComponent(log).path)
                return
            } catch {
                if Date() >= deadline { throw error }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }

    /// Leaves nothing running: jobs still running are stopped, then processes this engine
    /// started and that are still there are killed by pid, then the engine stops.
    func close() {
        if let running = try? jobs().filter({ ["Waiting", "Running"].contains($0["state"] as? String ?? "") }).compactMap({ $0["id"] as? String }),
           !running.isEmpty {
            for id in running { try? stopJob(id) }
            _ = waitUntil(seconds: 5) { try self.jobs().allSatisfy { !["Waiting", "Running"].contains($0["state"] as? String ?? "") } }
        }
        for pid in sleepers("sleep .*") { kill(pid, SIGKILL) }
        engine.stop()
    }
}
