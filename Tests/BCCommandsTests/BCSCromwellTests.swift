import BCTestSupport
import Foundation
import Testing

/// The seed's own `main.sh` (GATK支持 → 3. 命令详解) with the real `bcs` 1.7.7 of `.build-venv`,
/// through scripts/bcs-local, against a real engine: `bcs asub cromwell gatk-job …` submits a
/// workflow run of the engine's public App `cromwell`, and sections 4–5 of the seed (`bcs j`,
/// `bcs j ID`, `bcs log ID`, `bcs o ls` of the working and outputs directories) show it as
/// there: the runner job and one job per call, Cromwell's call tree, the metadata.
@Suite(.serialized) struct BCSCromwellTests {
    static let fixtures = ProcessRunner.root.appendingPathComponent("Tests/Fixtures/workflows")
    static let launcher = ProcessRunner.root.appendingPathComponent("scripts/bcs-local").path

    /// `bcs ARGS` in `dir` (the seed runs main.sh beside its src/), at most `seconds`.
    static func bcs(_ engine: EngineProcess, in dir: String, home: String, _ args: [String], seconds: Int = 60) throws -> ProcessRunner.Output {
        try ProcessRunner.run("/usr/bin/timeout", [String(seconds), "/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir,
                                                   SDKAndBCSPageTests.python, launcher] + args,
                              environment: ["BCOPS_DATA": engine.dataDirectory, "BCS_HOME": home])
    }

    static func job(_ engine: EngineProcess, _ id: String) throws -> [String: Any] {
        let r = try SDKAndBCSPageTests.bcctl(engine, ["job", id, "-json"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
    }

    @Test func theSeedsMainShRunsTheEchoWorkflowAndBcsShowsItAsTheSeedSays() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-bcscromwell-\(UUID().uuidString)")
        let dir = base.appendingPathComponent("gatk4-demo").path, home = base.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: dir + "/src", withIntermediateDirectories: true)
        for name in ["echo.wdl", "echo.inputs.json"] {
            try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: dir + "/src/" + name)
        }
        // The options of `bcs gen -t gatk`'s template (generic.batchcompute-papi.options.json).
        try #"{"read_from_cache":false,"default_runtime_attributes":{"autoReleaseJob":true}}"#
            .write(toFile: dir + "/src/options.json", atomically: true, encoding: .utf8)

        // bcs keeps the files it uploads under its OSS path.
        let config = try Self.bcs(engine, in: dir, home: home, ["config", "--osspath", "oss://demo-bucket/cli/"])
        #expect(config.status == 0 && config.stdout.contains("done"), "\(config.combined)")

        let asub = try Self.bcs(engine, in: dir, home: home, [
            "asub", "cromwell", "gatk-job", "--config", "ClassicNetwork=false",
            "--input_from_file_WDL", "src/echo.wdl",
            "--input_from_file_WORKFLOW_INPUTS", "src/echo.inputs.json",
            "--input_from_file_WORKFLOW_OPTIONS", "src/options.json",
            "--input_WORKING_DIR", "oss://demo-bucket/cli/gatk4_worker_dir/",
            "--output_OUTPUTS_DIR", "oss://demo-bucket/cli/gatk4_outputs/",
            "-t", "ecs.sn1.large", "-d", "cloud_efficiency",
        ])
        #expect(asub.status == 0, "\(asub.combined)")
        #expect(asub.stdout.contains("Upload: src/echo.wdl ==> oss://demo-bucket/cli/"), "\(asub.stdout)")
        let created = try #require(asub.stdout.split(separator: "\n").first { $0.hasPrefix("Job created: job-") }, "\(asub.combined)")
        let id = String(created.dropFirst("Job created: ".count)).trimmingCharacters(in: .whitespaces)

        // The run ends, Finished.
        var runner: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(90)
        repeat {
            runner = try Self.job(engine, id)
            if ["Finished", "Failed", "Stopped"].contains(runner["state"] as? String ?? "") { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        #expect(runner["state"] as? String == "Finished", "\(runner)")
        #expect(runner["app"] as? String == "cromwell" && runner["name"] as? String == "gatk-job", "\(runner)")

        // 4. `bcs log ID`: the runner's output names the run, its call roots and each call's job.
        let log = try Self.bcs(engine, in: dir, home: home, ["log", id])
        #expect(log.status == 0, "\(log.combined)")
        #expect(log.stdout.contains("Stdout [TaskName:app, InstanceId:0]"), "\(log.stdout)")
        let runLine = try #require(log.stdout.split(separator: "\n").first { $0.contains(" run ") && $0.contains(" of workflow wf_echo") }, "\(log.stdout)")
        let runId = String(runLine.split(separator: " ")[2])
        #expect(runId.count == 36, "a run id: \(runLine)")
        #expect(log.stdout.contains("metadata: oss://demo-bucket/cli/gatk4_outputs/wf_echo.\(runId).metadata.json"), "\(log.stdout)")
        let rootLine = try #require(log.stdout.split(separator: "\n").first { $0.contains("call roots under ") }, "\(log.stdout)")
        let root = String(rootLine.components(separatedBy: "call roots under ")[1]).trimmingCharacters(in: .whitespaces)
        #expect(root.hasPrefix("oss://demo-bucket/cli/gatk4_worker_dir/wf_echo/") && root.hasSuffix("/\(runId)/"), "\(root)")
        var callJobs: [String: String] = [:]
        for call in ["echo1", "echo2"] {
            let line = log.stdout.split(separator: "\n").first { $0.contains("call wf_echo.\(call): Done job job-") && $0.hasSuffix(" rc 0") }
            #expect(line != nil, "\(call): \(log.stdout)")
            if let line, let r = line.range(of: "job job-") {
                callJobs[call] = String(line[line.index(r.lowerBound, offsetBy: 4)...].prefix { $0 != " " })
            }
        }
        #expect(log.stdout.contains("workflow succeeded: 2 calls done (0 cache hits)"), "\(log.stdout)")
        #expect(log.stdout.contains("Stderr [TaskName:app, InstanceId:0]"), "\(log.stdout)")

        // 4. `bcs j`: the runner job and one job per call, all Finished.
        let jobs = try Self.bcs(engine, in: dir, home: home, ["j"])
        #expect(jobs.status == 0, "\(jobs.combined)")
        let rows = jobs.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.contains("job-") }
        #expect(rows.count == 3, "the runner and two calls: \(jobs.stdout)")
        #expect(rows.contains { $0.contains(id) && $0.contains("| gatk-job ") && $0.contains("| Finished ") }, "\(jobs.stdout)")
        for (call, job) in callJobs {
            #expect(rows.contains { $0.contains(job) && $0.contains("_\(runId.prefix(8))_\(call) ") && $0.contains("| Finished ") },
                    "\(call) (\(job)): \(jobs.stdout)")
        }

        // 4. `bcs j ID`: the runner job, an App job, Finished.
        let detail = try Self.bcs(engine, in: dir, home: home, ["j", id])
        #expect(detail.status == 0, "\(detail.combined)")
        #expect(detail.stdout.contains("Id: \(id)") && detail.stdout.contains("Name: gatk-job") && detail.stdout.contains("State: Finished"), "\(detail.stdout)")
        #expect(detail.stdout.contains("Type: App"), "\(detail.stdout)")

        // 5. `bcs o ls` of the working directory: Cromwell's tree of the seed's "3. 查看运行结果".
        let work = try Self.bcs(engine, in: dir, home: home, ["o", "ls", "oss://demo-bucket/cli/gatk4_worker_dir/"])
        #expect(work.status == 0 && Self.listed(work.stdout) == ["wf_echo/"], "\(work.combined)")
        let run = try Self.bcs(engine, in: dir, home: home, ["o", "ls", root])
        #expect(Self.listed(run.stdout) == ["call-echo1/", "call-echo2/"], "\(run.combined)")
        for (call, output) in [("echo1", "output1"), ("echo2", "output2")] {
            let listing = try Self.bcs(engine, in: dir, home: home, ["o", "ls", "\(root)call-\(call)/"])
            let names = Self.listed(listing.stdout).map { $0.components(separatedBy: " (")[0] }
            #expect(names == ["bcs-stderr/", "bcs-stdout/", output, "rc", "script", "stderr", "stdout", "worker"], "\(call): \(listing.combined)")
            if let job = callJobs[call] {
                let out = try Self.bcs(engine, in: dir, home: home, ["o", "ls", "\(root)call-\(call)/bcs-stdout/"])
                #expect(Self.listed(out.stdout).map { $0.components(separatedBy: " (")[0] } == ["stdout.\(job).cromwell.0"], "\(out.combined)")
            }
            let rc = try Self.bcs(engine, in: dir, home: home, ["o", "cat", "\(root)call-\(call)/rc"])
            #expect(rc.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(rc.combined)")
            let stdout = try Self.bcs(engine, in: dir, home: home, ["o", "cat", "\(root)call-\(call)/stdout"])
            #expect(stdout.stdout.contains("hello from \(call)"), "\(stdout.combined)")
            let file = try Self.bcs(engine, in: dir, home: home, ["o", "cat", "\(root)call-\(call)/\(output)"])
            #expect(file.stdout.contains("hello from \(call)"), "\(file.combined)")
        }

        // 5. `bcs o ls` of the outputs directory: the final outputs and the metadata file.
        let outputs = try Self.bcs(engine, in: dir, home: home, ["o", "ls", "oss://demo-bucket/cli/gatk4_outputs/"])
        let outNames = Self.listed(outputs.stdout).map { $0.components(separatedBy: " (")[0] }
        #expect(outNames == ["output1", "output2", "wf_echo.\(runId).metadata.json"], "\(outputs.combined)")
        let text = try Self.bcs(engine, in: dir, home: home, ["o", "cat", "oss://demo-bucket/cli/gatk4_outputs/wf_echo.\(runId).metadata.json"])
        let metadata = try #require(try JSONSerialization.jsonObject(with: Data(text.stdout.utf8)) as? [String: Any], "\(text.combined)")
        #expect(metadata["id"] as? String == runId && metadata["workflowName"] as? String == "wf_echo", "\(metadata)")
        #expect(metadata["status"] as? String == "Succeeded" && metadata["start"] != nil && metadata["end"] != nil, "\(metadata)")
        let inputs = metadata["inputs"] as? [String: Any] ?? [:]
        #expect(inputs["wf_echo.echo1.message"] as? String == "hello from echo1" && inputs["wf_echo.echo2.message"] as? String == "hello from echo2", "\(inputs)")
        let outs = metadata["outputs"] as? [String: Any] ?? [:]
        #expect(outs["wf_echo.output1"] as? String == "oss://demo-bucket/cli/gatk4_outputs/output1", "\(outs)")
        #expect(outs["wf_echo.output2"] as? String == "oss://demo-bucket/cli/gatk4_outputs/output2", "\(outs)")
        let calls = metadata["calls"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(calls.keys) == ["wf_echo.echo1", "wf_echo.echo2"], "\(calls.keys)")
        for (call, job) in callJobs {
            let entry = calls["wf_echo.\(call)"]?.first ?? [:]
            #expect(entry["jobId"] as? String == job && entry["executionStatus"] as? String == "Done", "\(call): \(entry)")
            #expect(entry["shardIndex"] as? Int == -1 && entry["attempt"] as? Int == 1 && entry["returnCode"] as? Int == 0, "\(call): \(entry)")
            #expect((entry["callCaching"] as? [String: Any])?["hit"] as? Bool == false, "\(call): \(entry)")
            #expect(entry["stdout"] as? String == "\(root)call-\(call)/stdout" && entry["stderr"] as? String == "\(root)call-\(call)/stderr", "\(call): \(entry)")
        }
        let output1 = try Self.bcs(engine, in: dir, home: home, ["o", "cat", "oss://demo-bucket/cli/gatk4_outputs/output1"])
        #expect(output1.stdout.contains("hello from echo1"), "\(output1.combined)")
    }

    /// The entries `bcs o ls` prints (one per line, `name` or `name (size)`), sorted.
    static func listed(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("exec: ") && !$0.isEmpty }.sorted()
    }
}
