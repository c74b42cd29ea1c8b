import BCTestSupport
import Foundation
import Testing

/// Cromwell server mode (issue 18) with Cromwell's own clients, unchanged, against a real engine:
/// each workflow a runner job of the engine's `cromwell` App, its calls engine jobs. One suite,
/// run in turn (each test starts its own engine; runs take a second or two, most of it miniwdl).
@Suite(.serialized) struct CromwellAPITests {}

// MARK: - cromshell

extension CromwellAPITests {
    /// cromshell submit → status → metadata → slim-metadata → list-outputs → logs → list, and
    /// the run's tree on OSS under its bcs_workflow_tag, as `bcctl workflow status` sees it too.
    @Test func cromshellFollowsAWorkflowFromSubmitToItsOutputs() throws {
        let f = try CromwellFixture()
        let options = try f.write("options.json", #"{"bcs_workflow_tag": "seq-run-7", "read_from_cache": false, "write_to_cache": true}"#)
        let submitted = try f.cromshell("submit", CromwellFixture.fixture("echo.wdl"), CromwellFixture.fixture("echo.inputs.json"),
                                        "--options-json", options)
        #expect(submitted.status == 0, "\(submitted.combined)")
        #expect(submitted.stdout.contains("\"status\": \"Submitted\""), "\(submitted.stdout)")
        guard let id = CromwellFixture.id(in: submitted.stdout) else { Issue.record("no id in \(submitted.combined)"); return }
        #expect(try f.wait(id) == "Succeeded")

        let status = try f.cromshell("status", id)
        #expect(status.status == 0 && status.stdout.contains("\"status\":\"Succeeded\""), "\(status.combined)")

        let metadata = try f.cromshell("metadata", id)
        #expect(metadata.status == 0, "\(metadata.combined)")
        let doc = try JSONSerialization.jsonObject(with: Data(metadata.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(doc["id"] as? String == id)
        #expect(doc["workflowName"] as? String == "wf_echo")
        #expect(doc["submittedFiles"] == nil, "cromshell metadata leaves submittedFiles out with excludeKey")
        #expect((doc["labels"] as? [String: String])?["cromwell-workflow-id"] == "cromwell-\(id)")
        let calls = doc["calls"] as? [String: [[String: Any]]] ?? [:]
        #expect(Set(calls.keys) == ["wf_echo.echo1", "wf_echo.echo2"], "\(calls.keys)")
        let root = "oss://cromwell/cromwell-dir/wf_echo/seq-run-7/\(id)/"
        #expect(calls["wf_echo.echo1"]?.first?["callRoot"] as? String == root + "call-echo1/")
        #expect(calls["wf_echo.echo1"]?.first?["executionStatus"] as? String == "Done")

        let slim = try f.cromshell("slim-metadata", id)
        let slimDoc = try JSONSerialization.jsonObject(with: Data(slim.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(Set(slimDoc.keys) == ["id", "status", "calls"], "\(slim.combined)")
        #expect(Set(((slimDoc["calls"] as? [String: [[String: Any]]])?["wf_echo.echo2"]?.first ?? [:]).keys)
                == ["executionStatus", "backendStatus", "callRoot", "shardIndex", "attempt"])

        // cromshell prints only gs://, / and http(s) values as files; -j prints every output.
        let outputs = try f.cromshell("list-outputs", "-j", id)
        #expect(outputs.status == 0, "\(outputs.combined)")
        #expect(outputs.stdout.contains("\"wf_echo.output1\": \"\(root)outputs/output1\""), "\(outputs.stdout)")

        let logs = try f.cromshell("logs", "-s", "ALL", id)
        #expect(logs.status == 0, "\(logs.combined)")
        #expect(logs.stdout.contains("wf_echo.echo1:\tDone\t \(root)call-echo1/stderr"), "\(logs.stdout)")

        let list = try f.cromshell("list", "-u")
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("Succeeded"), "\(list.combined)")

        // The seed's tree: the tag is the second level, every call's files below the id.
        let tree = try f.bcctl("oss", "ls", "-r", root).stdout
        for object in ["call-echo1/script", "call-echo1/stdout", "call-echo1/rc", "call-echo1/output1", "call-echo2/output2",
                       "outputs/output1", "outputs/wf_echo.\(id).metadata.json"] {
            #expect(tree.contains(root + object), "\(object) in \(tree)")
        }
        #expect(try f.bcctl("oss", "cat", root + "outputs/output1").stdout == "hello from echo1\n")

        let shown = try f.bcctl("workflow", "status", id)
        #expect(shown.status == 0, "\(shown.combined)")
        #expect(shown.stdout.contains("cromwell-\(id)") && shown.stdout.contains("Succeeded, 2/2 calls done"), "\(shown.stdout)")
        #expect(shown.stdout.contains("wf_echo.echo1") && shown.stdout.contains("wf_echo.echo2"), "\(shown.stdout)")

        // It belongs to no workspace: a plan of some other manifests neither owns nor removes it.
        _ = try f.write("estate/app.yaml", """
            apiVersion: bcops.io/v1
            kind: App
            metadata:
              name: hello
            spec:
              image:
                docker:
                  image: busybox
              commandLine: echo hello
            """)
        let plan = try ProcessRunner.run(EngineProcess.binary("bcplan"), [f.home + "/estate", "-workspace", "genomics", "-no-color"],
                                         environment: f.engine.clientEnvironment)
        #expect(plan.status == 0 && plan.stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."), "\(plan.combined)")
        #expect(!plan.combined.contains("cromwell-\(id)") && !plan.combined.contains("wf_echo"), "\(plan.combined)")
    }

    /// cromshell abort: a running workflow is Aborting, then Aborted; its call job is stopped.
    @Test func cromshellAbortsARunningWorkflow() throws {
        let f = try CromwellFixture()
        let inputs = try f.write("slow.inputs.json", #"{"slow.nap.seconds": 120, "slow.nap.timeout_seconds": 600}"#)
        let submitted = try f.cromshell("submit", CromwellFixture.fixture("slow.wdl"), inputs)
        guard let id = CromwellFixture.id(in: submitted.stdout) else { Issue.record("no id in \(submitted.combined)"); return }
        #expect(try f.wait(id, for: ["Running"]) == "Running")
        // Wait for the call to run, so the abort has a call to stop.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !(try f.json("/api/workflows/v1/\(id)/metadata?includeKey=executionStatus").description.contains("Running")) {
            Thread.sleep(forTimeInterval: 0.2)
        }
        let aborted = try f.cromshell("abort", id)
        #expect(aborted.status == 0, "\(aborted.combined)")
        #expect(aborted.stdout.contains("Aborting"), "\(aborted.stdout)")
        #expect(try f.wait(id, seconds: 60) == "Aborted")
        let again = try f.curl(["-X", "POST", f.api + "/\(id)/abort"])
        #expect(again.status == 403 && again.body.contains("terminal state Aborted"), "\(again)")
    }
}
