import BCTestSupport
import Foundation
import Testing

/// WorkflowRuns end to end, with real miniwdl (`.build-venv`, see `need_workflow_venv` in
/// scripts/lib.sh) and real Debian tools, through bcplan, bcapply and a real engine: the runner
/// job of the engine's `cromwell` App runs miniwdl with bcops' backend, which submits one engine
/// job per WDL call. What is checked is what a user sees: the jobs (`bcctl jobs`), the objects on
/// OSS (`bcctl oss`), the run's metadata JSON under `outputsDir`, and the plans before and after.
///
/// Every wait is bounded (`WorkflowRunTests.timeout`); the engine runs a call in tens of
/// milliseconds, so each test takes a few seconds, most of it miniwdl's start-up.
@Suite(.serialized) struct WorkflowRunTests {
    /// The longest any one run may take here before the test gives up on it.
    static let timeout: Double = 120

    static let fixtures = ProcessRunner.root.appendingPathComponent("Tests/Fixtures/workflows")

    /// The fixtures carry no `runtime` sections (as in the seed), so every run gives its calls a
    /// cluster through `spec.runtime.cluster`, Cromwell's `default-runtime-attributes`.
    static func manifest(name: String, workflow: String, inputsFile: String? = nil, bucket: String,
                         outputs: String = "outputs/", tag: String? = nil, callCaching: Bool = false) -> String {
        var lines = ["apiVersion: bcops.io/v1", "kind: WorkflowRun", "metadata:", "  name: \(name)", "spec:", "  workflow: \(workflow)"]
        if let inputsFile { lines.append("  inputsFile: \(inputsFile)") }
        lines += ["  runtime:", "    cluster: OnDemand ecs.sn1.medium img-ubuntu-vpc", "  callCaching: \(callCaching)",
                  "  workingDir: oss://\(bucket)/work/", "  outputsDir: oss://\(bucket)/\(outputs)", "  runner:", "    timeout: \(Int(timeout))"]
        if let tag { lines.append("  tag: \(tag)") }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Helpers

    /// Copies fixture files of Tests/Fixtures/workflows into the estate, beside its manifests
    /// (a WorkflowRun's `workflow` and `inputsFile` are relative to the manifest).
    static func copyFixtures(_ e: Estate, _ names: String...) throws {
        for name in names {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: e.dir.appendingPathComponent(name))
        }
    }

    /// `bcctl job NAME -json` once the newest job of that name has ended (and, with `after`, is
    /// not that earlier job: a re-run keeps its name). Empty when the deadline passed first.
    static func waitForRun(_ e: Estate, _ name: String, after earlier: String? = nil, timeout: Double = timeout) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try e.run("bcctl", ["job", name, "-json"])
            if let o = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
               let state = o["state"] as? String, ["Finished", "Failed", "Stopped"].contains(state),
               earlier == nil || o["id"] as? String != earlier {
                return o
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return [:]
    }

    /// Every job on the engine (`bcctl jobs -json -limit 0`): the runner jobs and the calls' jobs.
    static func jobs(_ e: Estate) throws -> [[String: Any]] {
        let r = try e.run("bcctl", ["jobs", "-json", "-limit", "0"])
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    /// The object URLs under an `oss://` prefix, every level (`bcctl oss ls -r`).
    static func ossTree(_ e: Estate, _ prefix: String) throws -> [String] {
        let r = try e.run("bcctl", ["oss", "ls", "-r", prefix])
        return r.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("oss://") }
    }

    /// The paths under `prefix` (each object's URL without it), sorted.
    static func relativeTree(_ e: Estate, _ prefix: String) throws -> [String] {
        try ossTree(e, prefix).map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    static func ossCat(_ e: Estate, _ url: String) throws -> String { try e.run("bcctl", ["oss", "cat", url]).stdout }

    /// The run's metadata JSON in `outputsDir` (`<workflow>.<run id>.metadata.json`), the one whose
    /// `labels.bcops-runner-job` is `runnerJob`, since a re-run writes a second one beside the first.
    /// Returns the parsed JSON and the object's file name.
    static func metadata(_ e: Estate, outputsDir: String, runnerJob: String) throws -> (json: [String: Any], file: String)? {
        let r = try e.run("bcctl", ["oss", "ls", outputsDir])
        for url in r.stdout.split(separator: "\n").map(String.init) where url.hasSuffix(".metadata.json") {
            guard let o = try? JSONSerialization.jsonObject(with: Data(try ossCat(e, url).utf8)) as? [String: Any] else { continue }
            if (o["labels"] as? [String: Any])?["bcops-runner-job"] as? String == runnerJob {
                return (o, String(url.dropFirst(outputsDir.count)))
            }
        }
        return nil
    }

    /// The metadata's calls, flattened: one entry per call attempt and shard, with its fully
    /// qualified name under `"name"`.
    static func calls(_ metadata: [String: Any]) -> [[String: Any]] {
        let calls = metadata["calls"] as? [String: [[String: Any]]] ?? [:]
        return calls.keys.sorted().flatMap { name in calls[name]!.map { $0.merging(["name": name]) { a, _ in a } } }
    }

    /// A job's `created`/`ended` time (ISO 8601 with microseconds, which `ISO8601DateFormatter`
    /// does not read whole): the seconds, then the fraction added.
    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String, text.hasSuffix("Z") else { return nil }
        let body = text.dropLast()
        let parts = body.split(separator: ".", maxSplits: 1)
        guard let whole = ISO8601DateFormatter().date(from: parts[0] + "Z") else { return nil }
        let fraction = parts.count > 1 ? Double("0." + parts[1]) ?? 0 : 0
        return whole.addingTimeInterval(fraction)
    }

    // MARK: - The germline example

    /// examples/germline-small as a user runs it: bwa → samtools → bcftools on data it makes
    /// itself, then the report run that reads its calls through OSS once it has succeeded.
    @Test func theGermlineExampleRunsToItsVariantCallsAndTheReportRunsAfterIt() throws {
        let e = try Estate()
        let example = ProcessRunner.root.appendingPathComponent("examples/germline-small")
        for item in try FileManager.default.contentsOfDirectory(at: example, includingPropertiesForKeys: nil) {
            try FileManager.default.copyItem(at: item, to: e.dir.appendingPathComponent(item.lastPathComponent))
        }
        let plan = try e.plan()
        #expect(plan.status == 0, "\(plan.combined)")
        #expect(plan.stdout.contains("# WorkflowRun/germline-small will submit germline-small.wdl"), "\(plan.stdout)")
        #expect(plan.stdout.contains("# WorkflowRun/germline-small-report will submit germline-small-report.wdl"), "\(plan.stdout)")
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Runs: 2 submitted."), "\(applied.stdout)")

        let germline = try Self.waitForRun(e, "germline-small")
        #expect(germline["state"] as? String == "Finished", "\(germline)")
        let report = try Self.waitForRun(e, "germline-small-report")
        #expect(report["state"] as? String == "Finished", "\(report)")
        guard let germlineID = germline["id"] as? String, let reportID = report["id"] as? String else { return }

        // The variant calls: on OSS where the report reads them, six records, all six planted SNPs.
        let outputs = try Self.ossTree(e, "oss://germline/outputs/")
        for name in ["calls.vcf.gz", "calls.vcf.gz.tbi", "truth.tsv", "sample1.bam", "sample1.bam.bai"] {
            #expect(outputs.contains("oss://germline/outputs/\(name)"), "\(name) in \(outputs)")
        }
        let vcf = e.dir.appendingPathComponent("calls.vcf.gz").path
        let copied = try e.run("bcctl", ["oss", "cp", "oss://germline/outputs/calls.vcf.gz", vcf])
        #expect(copied.status == 0, "\(copied.combined)")
        let records = try ProcessRunner.run("/usr/bin/bcftools", ["view", "-H", vcf])
        #expect(records.status == 0, "\(records.combined)")
        let sites = records.stdout.split(separator: "\n").map { $0.split(separator: "\t").prefix(5).joined(separator: " ") }
        #expect(sites == ["chr1 500 . C G", "chr1 1200 . G A", "chr1 1900 . T A", "chr2 400 . G A", "chr2 1100 . G T", "chr2 2000 . C A"],
                "\(records.stdout)")
        let meta = try Self.metadata(e, outputsDir: "oss://germline/outputs/", runnerJob: germlineID)
        #expect(meta != nil, "no metadata of \(germlineID) in \(outputs)")
        if let m = meta?.json {
            #expect(m["status"] as? String == "Succeeded", "\(m)")
            let out = m["outputs"] as? [String: Any] ?? [:]
            #expect(out["germline_small.n_variants"] as? Int == 6, "\(out)")
            #expect(out["germline_small.planted_found"] as? Int == 6, "\(out)")
            #expect(out["germline_small.planted_total"] as? Int == 6, "\(out)")
            #expect(out["germline_small.calls"] as? String == "oss://germline/outputs/calls.vcf.gz", "\(out)")
            // 8 calls, the scatter's two shards included, each its own finished engine job.
            let calls = Self.calls(m)
            #expect(calls.count == 8, "\(calls.map { $0["name"]! })")
            let finished = Set(try Self.jobs(e).filter { $0["state"] as? String == "Finished" }.compactMap { $0["id"] as? String })
            for call in calls {
                #expect((call["jobId"] as? String).map(finished.contains) == true, "\(call)")
            }
        }

        // The report run waited for germline-small: its runner says so, and its one call's job
        // was created only after germline-small's runner job had ended.
        let log = try e.run("bcctl", ["logs", "germline-small-report", "--stream", "stdout"])
        #expect(log.stdout.contains("dependency WorkflowRun/germline-small succeeded (\(germlineID))"), "\(log.combined)")
        let all = try Self.jobs(e)
        let summarize = all.first { ($0["name"] as? String)?.hasSuffix("_summarize") == true }
        #expect(summarize != nil, "\(all.map { $0["name"] ?? "" })")
        let created = Self.date(summarize?["created"]), ended = Self.date(germline["ended"])
        #expect(created != nil && ended != nil, "\(String(describing: summarize)) \(germline)")
        if let created, let ended {
            #expect(created >= ended, "summarize created \(created), germline-small ended \(ended)")
        }
        let reportText = try Self.ossCat(e, "oss://germline/report/report.txt")
        #expect(reportText.contains("SNPs:     6 (3 het, 3 hom-alt)"), "\(reportText)")
        let reportMeta = try Self.metadata(e, outputsDir: "oss://germline/report/", runnerJob: reportID)?.json
        #expect(reportMeta?["status"] as? String == "Succeeded", "\(String(describing: reportMeta))")

        // Nothing left to do.
        let again = try e.plan("-detailed-exitcode")
        #expect(again.status == 0, "\(again.combined)")
        #expect(again.stdout.contains("WorkflowRun/germline-small: already succeeded"), "\(again.stdout)")
        #expect(again.stdout.contains("WorkflowRun/germline-small-report: already succeeded"), "\(again.stdout)")
    }

    // MARK: - The seed's echo and globber workflows

    /// The seed's echo workflow leaves exactly the tree of "3. 查看运行结果" under `workingDir`,
    /// and each call is a real engine job named after the tag, the run and the call.
    @Test func theSeedsEchoWorkflowLeavesTheSeedsTreeAndOneEngineJobPerCall() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "echo.wdl", "echo.inputs.json")
        try e.write("run.yaml", Self.manifest(name: "echo", workflow: "echo.wdl", inputsFile: "echo.inputs.json", bucket: "wf-echo", tag: "tagxxx"))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        let runner = try Self.waitForRun(e, "echo")
        #expect(runner["state"] as? String == "Finished", "\(runner)")
        guard let runnerID = runner["id"] as? String,
              let meta = try Self.metadata(e, outputsDir: "oss://wf-echo/outputs/", runnerJob: runnerID),
              let runID = meta.json["id"] as? String else {
            Issue.record("no metadata of the echo run: \(try Self.ossTree(e, "oss://wf-echo/outputs/"))")
            return
        }
        let m = meta.json
        #expect(meta.file == "wf_echo.\(runID).metadata.json")
        #expect(m["workflowName"] as? String == "wf_echo" && m["status"] as? String == "Succeeded", "\(m)")

        let calls = Self.calls(m)
        #expect(calls.map { $0["name"] as? String ?? "" } == ["wf_echo.echo1", "wf_echo.echo2"], "\(calls)")
        let root = "oss://wf-echo/work/wf_echo/tagxxx/\(runID)/"
        var jobOf: [String: String] = [:]
        for call in calls {
            let short = String((call["name"] as? String ?? "").split(separator: ".").last ?? "")
            jobOf[short] = call["jobId"] as? String
            #expect(call["callRoot"] as? String == "\(root)call-\(short)/", "\(call)")
            #expect(call["returnCode"] as? Int == 0 && call["executionStatus"] as? String == "Done", "\(call)")
        }
        guard let echo1 = jobOf["echo1"], let echo2 = jobOf["echo2"] else {
            Issue.record("calls without job ids: \(calls)")
            return
        }
        #expect(try Self.relativeTree(e, root) == [
            "call-echo1/bcs-stderr/stderr.\(echo1).cromwell.0",
            "call-echo1/bcs-stdout/stdout.\(echo1).cromwell.0",
            "call-echo1/output1", "call-echo1/rc", "call-echo1/script", "call-echo1/stderr", "call-echo1/stdout", "call-echo1/worker",
            "call-echo2/bcs-stderr/stderr.\(echo2).cromwell.0",
            "call-echo2/bcs-stdout/stdout.\(echo2).cromwell.0",
            "call-echo2/output2", "call-echo2/rc", "call-echo2/script", "call-echo2/stderr", "call-echo2/stdout", "call-echo2/worker",
        ])
        #expect(try Self.ossCat(e, "\(root)call-echo1/output1") == "hello from echo1\n")
        #expect(try Self.ossCat(e, "\(root)call-echo1/stdout") == "hello from echo1\n")
        #expect(try Self.ossCat(e, "\(root)call-echo1/rc").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        #expect(try Self.ossCat(e, "\(root)call-echo2/output2") == "hello from echo2\n")
        let outputs = try Self.ossTree(e, "oss://wf-echo/outputs/")
        #expect(outputs.contains("oss://wf-echo/outputs/output1") && outputs.contains("oss://wf-echo/outputs/output2"), "\(outputs)")

        // `bcs j`: the runner and both calls are engine jobs, finished, the calls named
        // <tag>_<run id's first 8>_<call>.
        let jobs = try Self.jobs(e)
        for (call, id) in [("echo1", echo1), ("echo2", echo2)] {
            let job = jobs.first { $0["id"] as? String == id }
            #expect(job?["name"] as? String == "tagxxx_\(runID.prefix(8))_\(call)", "\(String(describing: job))")
            #expect(job?["state"] as? String == "Finished", "\(String(describing: job))")
        }
        #expect(jobs.contains { $0["id"] as? String == runnerID && $0["kind"] as? String == "workflow" })
        let listed = try e.run("bcctl", ["jobs"])
        #expect(listed.stdout.contains(echo1) && listed.stdout.contains(echo2) && listed.stdout.contains(runnerID), "\(listed.stdout)")

        // `bcctl job`: the runner job says what it is and where its calls are (issue #13, item 3).
        let job = try e.run("bcctl", ["job", "echo"])
        #expect(job.status == 0, "\(job.combined)")
        #expect(job.stdout.contains("kind:     workflow run's runner (an App job on App cromwell; each WDL call is a job of its own)"), "\(job.stdout)")
        #expect(job.stdout.contains("Calls: bcctl workflow status \(runnerID) (each call's job, state and exit; bcctl logs \(runnerID) --call CALL)"),
                "\(job.stdout)")

        // `bcctl workflow status`: the calls as a table; `bcctl logs --call`: one call's output.
        let status = try e.run("bcctl", ["workflow", "status", "echo"])
        #expect(status.status == 0, "\(status.combined)")
        #expect(status.stdout.contains("echo (\(runnerID), run \(runID)): Succeeded, 2/2 calls done"), "\(status.stdout)")
        let rows = status.stdout.split(separator: "\n").filter { $0.hasPrefix("wf_echo.") }
        #expect(rows.count == 2 && rows.allSatisfy { $0.contains(" Done ") }, "\(status.stdout)")
        #expect(rows.contains { $0.hasPrefix("wf_echo.echo1 ") && $0.contains(echo1) }, "\(status.stdout)")
        let log = try e.run("bcctl", ["logs", "echo", "--call", "echo1"])
        #expect(log.status == 0 && log.stdout.contains("hello from echo1"), "\(log.combined)")
        let unknown = try e.run("bcctl", ["logs", "echo", "--call", "echo3"])
        #expect(unknown.status != 0 && unknown.stderr.contains("has no call echo3; its calls: wf_echo.echo1, wf_echo.echo2"), "\(unknown.combined)")
    }

    /// What the run would refuse, the plan refuses, located at the manifest and all at once
    /// (miniwdl itself stops at the first): a mistyped and an unknown input at their keys, a
    /// missing one at `spec.inputs`; `bcctl validate` says the same. Runtime keys nobody knows
    /// and Google's are warnings, and nothing is submitted for a run that cannot start.
    @Test func inputsTheRunWouldRefuseAreLocatedAtPlanTime() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "missing-inputs.wdl", "typo-runtime.wdl")
        try e.write("bad.yaml", """
            apiVersion: bcops.io/v1
            kind: WorkflowRun
            metadata:
              name: bad
            spec:
              workflow: missing-inputs.wdl
              inputs:
                missing_inputs.min_length: forty
                missing_inputs.min_lenght: 3
              outputsDir: oss://wf-bad/outputs/
            """)
        let plan = try e.plan()
        #expect(plan.status == 1, "\(plan.combined)")
        let file = e.dir.appendingPathComponent("bad.yaml").path
        for expected in [
            "\(file):8:32: WorkflowRun/bad: spec.inputs[\"missing_inputs.min_length\"]: input \"missing_inputs.min_length\" (Int): couldn't construct 'Int' from \"forty\"",
            "\(file):9:32: WorkflowRun/bad: spec.inputs[\"missing_inputs.min_lenght\"]: unknown input \"missing_inputs.min_lenght\"; did you mean \"missing_inputs.min_length\"?",
            "\(file):8:5: WorkflowRun/bad: spec.inputs: missing required input \"missing_inputs.reads\" (File) (declared at missing-inputs.wdl:15:5)",
        ] {
            #expect(plan.stderr.contains(expected), "\(expected)\n\(plan.stderr)")
        }
        let validate = try e.run("bcctl", ["validate", e.dir.path])
        #expect(validate.status == 1 && validate.stderr.contains("unknown input \"missing_inputs.min_lenght\""), "\(validate.combined)")
        #expect(try Self.jobs(e).isEmpty)

        try e.remove("bad.yaml")
        try e.write("typo.yaml", Self.manifest(name: "typo", workflow: "typo-runtime.wdl", bucket: "wf-typo"))
        let warned = try e.plan()
        #expect(warned.status == 0, "\(warned.combined)")
        #expect(warned.combined.contains("task hello (typo-runtime.wdl:27:13): unknown runtime key \"clustr\"; did you mean \"cluster\"?"), "\(warned.combined)")
        #expect(warned.combined.contains("runtime key memory (task hello) is Google's; it is ignored here"), "\(warned.combined)")
    }

    /// A bucket of two letters, as in `oss://wf/work/`, is not an OSS bucket name (real OSS and
    /// its clients, `bcs` among them, want 3–63 characters), though the engine's store would
    /// hold it: the plan refuses it, located, and nothing is submitted.
    @Test func aBucketNameOSSRefusesIsCaughtAtPlanTime() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "echo.wdl", "echo.inputs.json")
        try e.write("run.yaml", Self.manifest(name: "echo", workflow: "echo.wdl", inputsFile: "echo.inputs.json", bucket: "wf", tag: "tagxxx"))
        let plan = try e.plan()
        #expect(plan.status == 1, "\(plan.combined)")
        #expect(plan.combined.contains("bucket \"wf\" in \"oss://wf/work/\" is not an OSS bucket name: 3–63 lowercase letters, digits and hyphens"),
                "\(plan.combined)")
        #expect(try Self.jobs(e).isEmpty)
    }

    /// The seed's globber as written (no `>`): the five directories stay empty, `outFiles` is
    /// `[]`, and that is a success; with the `>` the five files are outputs, in the call's
    /// directory and under `outputsDir`.
    @Test func theSeedsGlobberSucceedsEmptyAndGlobberRedirectHasFiveOutputs() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "globber.wdl", "globber-redirect.wdl")
        try e.write("runs.yaml", Self.manifest(name: "globber", workflow: "globber.wdl", bucket: "globs", outputs: "outputs/globber/")
            + "---\n" + Self.manifest(name: "globber-redirect", workflow: "globber-redirect.wdl", bucket: "globs", outputs: "outputs/redirect/"))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        #expect(applied.stdout.contains("Runs: 2 submitted."), "\(applied.stdout)")

        let seed = try Self.waitForRun(e, "globber")
        #expect(seed["state"] as? String == "Finished", "\(seed)")
        if let id = seed["id"] as? String, let m = try Self.metadata(e, outputsDir: "oss://globs/outputs/globber/", runnerJob: id)?.json {
            #expect((m["outputs"] as? [String: Any])?["test.globber.outFiles"] as? [String] == [], "\(m)")
            let call = Self.calls(m).first
            let root = call?["callRoot"] as? String ?? "?"
            let stdout = try Self.ossCat(e, "\(root)stdout")
            #expect(stdout == (1...5).map { "globbing is my number \($0) best hobby out-\($0)/\($0).txt\n" }.joined(), "\(stdout)")
            #expect(try Self.relativeTree(e, root).allSatisfy { !$0.hasPrefix("out-") })
        } else {
            Issue.record("no metadata of globber: \(try Self.ossTree(e, "oss://globs/outputs/"))")
        }

        let redirect = try Self.waitForRun(e, "globber-redirect")
        #expect(redirect["state"] as? String == "Finished", "\(redirect)")
        let five = (1...5).map { "out-\($0)/\($0).txt" }
        if let id = redirect["id"] as? String, let m = try Self.metadata(e, outputsDir: "oss://globs/outputs/redirect/", runnerJob: id)?.json {
            #expect((m["outputs"] as? [String: Any])?["test.globber.outFiles"] as? [String] == five.map { "oss://globs/outputs/redirect/\($0)" }, "\(m)")
            let root = Self.calls(m).first?["callRoot"] as? String ?? "?"
            #expect(root.hasSuffix("/call-globber/"), "\(root)")
            #expect(try Self.relativeTree(e, root).filter { $0.hasPrefix("out-") } == five)
            #expect(try Self.ossCat(e, "\(root)out-3/3.txt") == "globbing is my number 3 best hobby\n")
        } else {
            Issue.record("no metadata of globber-redirect: \(try Self.ossTree(e, "oss://globs/outputs/"))")
        }
        let outputs = try Self.relativeTree(e, "oss://globs/outputs/redirect/")
        #expect(outputs.filter { !$0.hasSuffix(".metadata.json") } == five, "\(outputs)")
    }

    // MARK: - Scatter

    /// A scatter over three names: one job and one `shard-<i>/` per shard, metadata shard
    /// indices 0–2 (and −1 for the gather), and the gather sees all three.
    @Test func aScatterRunsEachShardAsItsOwnJobUnderShardDirectories() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "scatter.wdl")
        try e.write("run.yaml", Self.manifest(name: "scatter", workflow: "scatter.wdl", bucket: "scatter", tag: "fan"))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        let runner = try Self.waitForRun(e, "scatter")
        #expect(runner["state"] as? String == "Finished", "\(runner)")
        guard let id = runner["id"] as? String, let m = try Self.metadata(e, outputsDir: "oss://scatter/outputs/", runnerJob: id)?.json,
              let runID = m["id"] as? String else {
            Issue.record("no metadata of the scatter run: \(try Self.ossTree(e, "oss://scatter/outputs/"))")
            return
        }
        #expect((m["outputs"] as? [String: Any])?["scatter_gather.count"] as? Int == 3, "\(m)")
        let calls = Self.calls(m)
        let greets = calls.filter { $0["name"] as? String == "scatter_gather.greet" }
        #expect(greets.compactMap { $0["shardIndex"] as? Int }.sorted() == [0, 1, 2], "\(greets)")
        #expect(calls.first { $0["name"] as? String == "scatter_gather.gather" }?["shardIndex"] as? Int == -1, "\(calls)")

        let root = "oss://scatter/work/scatter_gather/fan/\(runID)/"
        let tree = try Self.relativeTree(e, root)
        // Each object's call directory: call-<name>/, or call-<name>/shard-<i>/ for a shard.
        let dirs = Set(tree.map { path in
            let parts = path.split(separator: "/")
            return parts.count > 1 && parts[1].hasPrefix("shard-") ? "\(parts[0])/\(parts[1])" : String(parts[0])
        })
        #expect(dirs == ["call-gather", "call-greet/shard-0", "call-greet/shard-1", "call-greet/shard-2"], "\(tree)")
        for (i, name) in ["alice", "bob", "carol"].enumerated() {
            #expect(try Self.ossCat(e, "\(root)call-greet/shard-\(i)/\(name).txt") == "hello \(name)\n")
            let greet = greets.first { $0["shardIndex"] as? Int == i }
            #expect(greet?["callRoot"] as? String == "\(root)call-greet/shard-\(i)/", "\(String(describing: greet))")
        }
        #expect(try Self.ossCat(e, "\(root)call-gather/combined.txt") == "hello alice\nhello bob\nhello carol\n")

        // One engine job per shard, named with the shard index.
        let names = try Self.jobs(e).compactMap { $0["name"] as? String }
        let prefix = "fan_\(runID.prefix(8))_"
        #expect(Set(names.filter { $0.hasPrefix(prefix) }) == [prefix + "greet_0", prefix + "greet_1", prefix + "greet_2", prefix + "gather"], "\(names)")
    }

    // MARK: - Call caching after a fix

    /// The seed's Call Caching scenario: three calls, the third fails; the WDL is fixed and the
    /// run applied again; step1 and step2 are cache hits (no new jobs), only step3 runs.
    @Test func afterAFixOnlyTheFailedCallRunsAgainTheOthersAreCacheHits() throws {
        let e = try Estate()
        try Self.copyFixtures(e, "three-step.wdl", "three-step-fixed.wdl")
        try e.write("run.yaml", Self.manifest(name: "three-step", workflow: "three-step.wdl", bucket: "caching", tag: "cc", callCaching: true))
        let applied = try e.apply()
        #expect(applied.status == 0, "\(applied.combined)")
        let failed = try Self.waitForRun(e, "three-step")
        #expect(failed["state"] as? String == "Failed", "\(failed)")
        let stderrLine = "step3: ERROR: no line starting with \"step 2\" in step2.txt"
        #expect((failed["reason"] as? String ?? "").contains(stderrLine), "\(failed)")

        // The plan names the failed call and quotes its stderr.
        let afterFailure = try e.plan()
        let failedLine = afterFailure.stdout.split(separator: "\n").first { $0.contains("WorkflowRun/three-step: failed (") } ?? ""
        #expect(failedLine.contains("step3") && failedLine.contains("exited 1") && failedLine.contains(stderrLine), "\(afterFailure.combined)")

        // Fix: point the manifest at the fixed WDL (only step3's command differs).
        try e.edit("run.yaml", "workflow: three-step.wdl", "workflow: three-step-fixed.wdl")
        let plan = try e.plan()
        #expect(plan.stdout.contains("# WorkflowRun/three-step will re-run because workflow changed"), "\(plan.combined)")
        let reapplied = try e.apply()
        #expect(reapplied.status == 0, "\(reapplied.combined)")
        let fixed = try Self.waitForRun(e, "three-step", after: failed["id"] as? String)
        #expect(fixed["state"] as? String == "Finished", "\(fixed)")

        guard let id = fixed["id"] as? String, let m = try Self.metadata(e, outputsDir: "oss://caching/outputs/", runnerJob: id)?.json else {
            Issue.record("no metadata of the fixed run: \(try Self.ossTree(e, "oss://caching/outputs/"))")
            return
        }
        #expect((m["outputs"] as? [String: Any])?["three_step.lines"] as? Int == 3, "\(m)")
        var hit: [String: Bool] = [:]
        for call in Self.calls(m) {
            hit[call["name"] as? String ?? "?"] = (call["callCaching"] as? [String: Any])?["hit"] as? Bool
        }
        #expect(hit == ["three_step.step1": true, "three_step.step2": true, "three_step.step3": false], "\(m["calls"] ?? "")")

        // Only step3 got a new engine job: one job each for step1 and step2 (the failed run's),
        // two for step3 (the failed one and the fixed one).
        let names = try Self.jobs(e).compactMap { $0["name"] as? String }.filter { $0.hasPrefix("cc_") }
        func count(_ call: String) -> Int { names.filter { $0.hasSuffix("_\(call)") }.count }
        #expect(count("step1") == 1 && count("step2") == 1 && count("step3") == 2, "\(names)")

        let done = try e.plan("-detailed-exitcode")
        #expect(done.status == 0 && done.stdout.contains("WorkflowRun/three-step: already succeeded"), "\(done.combined)")
    }
}
