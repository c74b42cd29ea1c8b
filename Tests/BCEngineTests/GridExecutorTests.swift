import BCTestSupport
import Foundation
import Testing

/// The engine's gridengine and slurm executors against the real schedulers of this host, which
/// scripts/test.sh installs and starts once (scripts/gridengine.sh up, scripts/slurm.sh up). A
/// suite is skipped only when its scheduler's client is not installed at all (running the
/// tests without test.sh on a machine without Grid Engine or Slurm); test.sh makes sure both are.
enum GridExecutorCases {
    static func installed(_ client: String) -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/" + client) }

    /// The engine's arguments. Grid Engine arrays go to all.q, the queue the setup makes: the
    /// SGECluster tests add queues of their own on the same qmaster, which a job without `-q`
    /// may land in.
    static func arguments(_ executor: String) -> [String] {
        executor == "gridengine" ? ["--executor", executor, "--grid-queue", "all.q"] : ["--executor", executor]
    }

    static func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-grid-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func lines(_ file: String) -> [String] {
        ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    static func task(_ command: String, count: Int = 1, timeout: Int = 600, retries: Int = 0) -> [String: Any] {
        ["InstanceCount": count, "Timeout": timeout, "MaxRetryCount": retries,
         "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                        "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"] as [String: Any]]
    }

    static func job(_ engine: EngineProcess, tasks: [String: [String: Any]], dependencies: [String: [String]] = [:]) async throws -> String {
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        var withCluster = tasks
        for key in withCluster.keys { withCluster[key]?["ClusterId"] = cluster }
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "grid", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
            "DAG": ["Tasks": withCluster, "Dependencies": dependencies] as [String: Any],
        ] as [String: Any])
        let created = try await engine.request("POST", "/jobs", body: body)
        return try #require(created.json["Id"] as? String, "\(created.json)")
    }

    static func state(_ engine: EngineProcess, _ id: String, is states: Set<String>, seconds: Double) async throws -> [String: Any] {
        try await ExecutionTests.waitFor(engine, id, seconds: seconds) { states.contains($0["State"] as? String ?? "") }
    }

    static func object(_ engine: EngineProcess, _ key: String) -> String? {
        try? String(contentsOfFile: engine.dataDirectory + "/oss/b/" + key, encoding: .utf8)
    }

    /// The scheduler's job ids of the arrays the engine has out (from their manifests).
    static func arrayIds(_ engine: EngineProcess) -> [String] {
        let dir = engine.dataDirectory + "/grid/arrays"
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { name in
            guard let data = FileManager.default.contents(atPath: dir + "/" + name + "/array.json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return json["arrayId"] as? String
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A DAG of 3 tasks, a → b → c: a's 2 instances see the engine's environment and their
    /// logs reach OSS, b runs only after a, c exits 3, is retried once and fails the job with
    /// the exit code and the last line of its stderr.
    static func dagWithExitCodesAndRetries(_ executor: String) async throws {
        let scratch = scratch()
        let engine = try EngineProcess(arguments: arguments(executor))
        defer { engine.stop() }
        let order = scratch + "/order"
        let id = try await job(engine, tasks: [
            "a": task("echo a $BATCH_COMPUTE_DAG_INSTANCE_ID $BATCH_COMPUTE_DAG_INSTANCE_COUNT $BATCH_COMPUTE_DAG_TASK_ID; echo a >> \(order)", count: 2),
            "b": task("echo b >> \(order); pwd", count: 1),
            "c": task("echo c >> \(order); echo 'bad input' >&2; exit 3", retries: 1),
        ], dependencies: ["a": ["b"], "b": ["c"]])
        let job = try await state(engine, id, is: ["Failed", "Finished"], seconds: 90)
        #expect(job["State"] as? String == "Failed")
        #expect(job["Message"] as? String == "instance exited with code 3: bad input")
        #expect(lines(order) == ["a", "a", "b", "c", "c"], "a twice, then b, then c and its retry")
        #expect(object(engine, "logs/stdout.\(id).a.1") == "a 1 2 a\n", "the engine's environment, and the log in OSS")
        #expect(object(engine, "logs/stdout.\(id).b.0")?.hasSuffix("/workdir\n") == true, "the instance's own working directory")
        let c = try await engine.request("GET", "/jobs/\(id)/tasks/c/instances/0").json
        #expect(c["RetryCount"] as? Int == 1)
        #expect((c["Error"] as? [String: Any])?["Code"] as? String == "NonZeroExitCode")
        for task in ["a", "b"] {
            let t = try await engine.request("GET", "/jobs/\(id)/tasks/\(task)").json
            #expect(t["State"] as? String == "Finished", "\(task): \(t)")
        }
        #expect(arrayIds(engine).isEmpty, "every array's manifest is gone once its ends are recorded")
    }

    /// OSS mappings work on a node as on this host: the mount prelude runs in the array task,
    /// inputs are read-only, outputs are uploaded by the engine after the end.
    static func mappingsRunOnTheNode(_ executor: String) async throws {
        let engine = try EngineProcess(arguments: arguments(executor))
        defer { engine.stop() }
        let store = engine.dataDirectory + "/oss/b/in"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        try "scene-data\n".write(toFile: store + "/scene.txt", atomically: true, encoding: .utf8)
        let token = UUID().uuidString.prefix(8)
        let input = "/tmp/bcops-gin-\(token)/", output = "/tmp/bcops-gout-\(token)/"
        defer { for dir in [input, output] { try? FileManager.default.removeItem(atPath: dir) } }
        var t = task("cat \(input)scene.txt > \(output)copy-$BATCH_COMPUTE_DAG_INSTANCE_ID.txt; "
                     + "(echo x > \(input)new.txt) 2>/dev/null && echo writable || echo read-only", count: 2)
        t["InputMapping"] = ["oss://b/in/": input]
        t["OutputMapping"] = [output: "oss://b/out/"]
        let id = try await job(engine, tasks: ["t": t])
        let done = try await state(engine, id, is: ["Failed", "Finished"], seconds: 60)
        #expect(done["State"] as? String == "Finished", "\(done)")
        for n in 0..<2 {
            #expect(object(engine, "out/copy-\(n).txt") == "scene-data\n")
            #expect(object(engine, "logs/stdout.\(id).t.\(n)") == "read-only\n")
        }
    }

    /// An App job (template, parameters and defaults, App's instance count, a `Runtime: host`
    /// cluster) runs on the scheduler as a DAG task does.
    static func appJob(_ executor: String) async throws {
        let engine = try EngineProcess(arguments: arguments(executor))
        defer { engine.stop() }
        let cluster = try await AppAndPackageTests.cluster(engine, runtime: "host")
        let app = try await engine.request("POST", "/apps", body: AppAndPackageTests.body([
            "Name": "render", "CommandLine": "echo frames=${frames} format=${format} node=$BATCH_COMPUTE_DAG_INSTANCE_ID",
            "Docker": ["Image": "registry.example/blender:1.0"],
            "InputParameters": ["frames": ["Type": "String"], "format": ["Type": "String", "Default": "PNG"]],
            "Config": ["InstanceCount": ["Default": 2, "Overwritable": true]],
        ]))
        #expect(app.status == 201)
        let created = try await engine.request("POST", "/jobs", body: AppAndPackageTests.body([
            "Name": "render-job", "Type": "App",
            "App": ["AppName": "render", "Inputs": ["frames": "1-4"], "Config": ["ClusterId": cluster],
                    "Logging": ["StdoutPath": "oss://b/logs/", "StderrPath": "oss://b/logs/"]],
        ]))
        let id = try #require(created.json["Id"] as? String, "\(created.json)")
        let done = try await state(engine, id, is: ["Failed", "Finished"], seconds: 60)
        #expect(done["State"] as? String == "Finished", "\(done)")
        #expect(object(engine, "logs/stdout.\(id).app.1") == "frames=1-4 format=PNG node=1\n")
    }

    /// Stop ends the array on the scheduler (qdel, scancel): nothing of it is left queued or running.
    static func stopDeletesTheArray(_ executor: String, stillThere: @escaping (String) throws -> Bool) async throws {
        let scratch = scratch()
        let engine = try EngineProcess(arguments: arguments(executor))
        defer { engine.stop() }
        // 3 instances on 2 slots: two run, one stays queued.
        let id = try await job(engine, tasks: ["t": task("touch \(scratch)/started.$BATCH_COMPUTE_DAG_INSTANCE_ID; sleep 300", count: 3)])
        for _ in 0..<300 where ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let arrays = arrayIds(engine)
        #expect(arrays.count == 1)
        let stop = try await engine.request("POST", "/jobs/\(id)/stop")
        #expect(stop.status == 200)
        #expect(try await state(engine, id, is: ["Stopped"], seconds: 10)["State"] as? String == "Stopped")
        var left = true
        for _ in 0..<100 where left {
            left = try arrays.contains { try stillThere($0) }
            if left { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(!left, "the array is deleted on the scheduler")
    }

    /// An array deleted with the scheduler's own command fails the job, saying so.
    static func deletedOutsideFailsTheJob(_ executor: String, delete: String) async throws {
        let scratch = scratch()
        let engine = try EngineProcess(arguments: arguments(executor))
        defer { engine.stop() }
        let id = try await job(engine, tasks: ["t": task("touch \(scratch)/started; sleep 300")])
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: scratch + "/started") {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let array = try #require(arrayIds(engine).first)
        let deleted = try run([delete, array])
        #expect(deleted.status == 0, "\(deleted.output)")
        let job = try await state(engine, id, is: ["Failed", "Finished", "Stopped"], seconds: 30)
        #expect(job["State"] as? String == "Failed")
        let message = job["Message"] as? String ?? ""
        #expect(message.contains("deleted outside bcops (\(delete))") && message.contains("job \(array)"), "\(message)")
    }

    /// The engine is SIGKILLed during a 50-instance array and restarted: it re-attaches to the
    /// array by name, and every instance runs exactly once (counted in a file each appends to).
    static func killAndRestartRunEveryInstanceOnce(_ executor: String) async throws {
        let scratch = scratch()
        let runs = scratch + "/runs"
        let log = scratch + "/engine.log"
        var engine = try EngineProcess(arguments: arguments(executor))
        let dir = engine.dataDirectory
        let id = try await job(engine, tasks: ["t": task("echo $BATCH_COMPUTE_DAG_INSTANCE_ID >> \(runs); sleep 0.3", count: 50)])
        for _ in 0..<600 where lines(runs).count < 8 { try await Task.sleep(nanoseconds: 100_000_000) }
        engine.kill()
        try await Task.sleep(nanoseconds: 2_000_000_000)  // some end while the engine is down
        engine = try EngineProcess(dataDirectory: dir, arguments: arguments(executor), logFile: log)
        defer { engine.stop() }
        let job = try await state(engine, id, is: ["Failed", "Finished"], seconds: 180)
        #expect(job["State"] as? String == "Finished")
        #expect((job["InstanceMetrics"] as? [String: Any])?["FinishedCount"] as? Int == 50)
        let executed = lines(runs)
        #expect(executed.sorted() == (0..<50).map(String.init).sorted(), "each instance exactly once: \(executed.count) executions")
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains("re-attached to array"), "\(text.suffix(2000))")
    }
}

@Suite(.serialized, .enabled(if: GridExecutorCases.installed("qsub"), "Grid Engine is not installed (scripts/gridengine.sh up installs it; scripts/test.sh runs that)"))
struct GridExecutorGridEngineTests {
    @Test func aDAGOfThreeTasksWithExitCodesAndARetry() async throws {
        try await GridExecutorCases.dagWithExitCodesAndRetries("gridengine")
    }

    /// Timeout is h_rt: Grid Engine kills the task (accounting `failed 37`), the instance fails with Timeout.
    @Test func aTimeoutIsHRT() async throws {
        let engine = try EngineProcess(arguments: GridExecutorCases.arguments("gridengine"))
        defer { engine.stop() }
        let id = try await GridExecutorCases.job(engine, tasks: ["t": GridExecutorCases.task("sleep 120", timeout: 2)])
        let job = try await GridExecutorCases.state(engine, id, is: ["Failed", "Finished"], seconds: 40)
        #expect(job["State"] as? String == "Failed")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect((instance["Error"] as? [String: Any])?["Code"] as? String == "Timeout", "\(instance)")
    }

    @Test(.enabled(if: geteuid() == 0, "OSS mappings need root (mount namespaces)"))
    func ossMappingsRunOnTheNode() async throws {
        try await GridExecutorCases.mappingsRunOnTheNode("gridengine")
    }

    @Test func anAppJob() async throws {
        try await GridExecutorCases.appJob("gridengine")
    }

    @Test func stopIsQdel() async throws {
        try await GridExecutorCases.stopDeletesTheArray("gridengine") { id in
            try GridExecutorCases.run(["qstat", "-j", id]).status == 0
        }
    }

    @Test func aQdelOutsideBcopsFailsTheJobSayingSo() async throws {
        try await GridExecutorCases.deletedOutsideFailsTheJob("gridengine", delete: "qdel")
    }

    @Test func killAndRestartDuringA50InstanceArrayRunEveryInstanceOnce() async throws {
        try await GridExecutorCases.killAndRestartRunEveryInstanceOnce("gridengine")
    }
}

@Suite(.serialized, .enabled(if: GridExecutorCases.installed("sbatch"), "Slurm is not installed (scripts/slurm.sh up installs it; scripts/test.sh runs that)"))
struct GridExecutorSlurmTests {
    @Test func aDAGOfThreeTasksWithExitCodesAndARetry() async throws {
        try await GridExecutorCases.dagWithExitCodesAndRetries("slurm")
    }

    /// Slurm's limits are whole minutes: Timeout becomes `--time`, rounded up to the minute
    /// (5 s → 1 minute), and Slurm kills the task 1 to 1.5 minutes after the limit starts; the
    /// instance then fails with Timeout. The slowest test of the suite (about 80 s), kept
    /// because a timeout that never fires is exactly what it would miss.
    @Test func aTimeoutIsTimeInMinutesRoundedUp() async throws {
        let scratch = GridExecutorCases.scratch()
        let engine = try EngineProcess(arguments: GridExecutorCases.arguments("slurm"))
        defer { engine.stop() }
        let id = try await GridExecutorCases.job(engine, tasks: ["t": GridExecutorCases.task("touch \(scratch)/started; sleep 120", timeout: 5)])
        for _ in 0..<300 where !FileManager.default.fileExists(atPath: scratch + "/started") {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let array = try #require(GridExecutorCases.arrayIds(engine).first)
        let shown = try GridExecutorCases.run(["scontrol", "-o", "show", "job", array])
        #expect(shown.output.contains("TimeLimit=00:01:00"), "\(shown.output)")
        let job = try await GridExecutorCases.state(engine, id, is: ["Failed", "Finished", "Stopped"], seconds: 150)
        #expect(job["State"] as? String == "Failed", "\(job)")
        let instance = try await engine.request("GET", "/jobs/\(id)/tasks/t/instances/0").json
        #expect((instance["Error"] as? [String: Any])?["Code"] as? String == "Timeout", "\(instance)")
    }

    @Test(.enabled(if: geteuid() == 0, "OSS mappings need root (mount namespaces)"))
    func ossMappingsRunOnTheNode() async throws {
        try await GridExecutorCases.mappingsRunOnTheNode("slurm")
    }

    @Test func anAppJob() async throws {
        try await GridExecutorCases.appJob("slurm")
    }

    @Test func stopIsScancel() async throws {
        try await GridExecutorCases.stopDeletesTheArray("slurm") { id in
            let out = try GridExecutorCases.run(["squeue", "-h", "-j", id, "-t", "PD,R,CG"]).output
            return !out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }

    @Test func anScancelOutsideBcopsFailsTheJobSayingSo() async throws {
        try await GridExecutorCases.deletedOutsideFailsTheJob("slurm", delete: "scancel")
    }

    @Test func killAndRestartDuringA50InstanceArrayRunEveryInstanceOnce() async throws {
        try await GridExecutorCases.killAndRestartRunEveryInstanceOnce("slurm")
    }
}
