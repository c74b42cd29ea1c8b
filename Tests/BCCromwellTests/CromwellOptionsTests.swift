import BCTestSupport
import Foundation
import Testing

// MARK: - Workflow options, workflowUrl, requestedWorkflowId, and a restart mid-queue

extension CromwellAPITests {
    /// `final_workflow_outputs_dir` takes the outputs; `write_to_cache` then `read_from_cache`
    /// make the same workflow's second run a cache hit; `default_runtime_attributes` applies
    /// Cromwell's BatchCompute attributes (here a `timeout` of 1 s that fails a 10 s call).
    @Test func workflowOptionsWork() throws {
        let f = try CromwellFixture()
        let options = #"{"final_workflow_outputs_dir": "oss://results/run-1", "read_from_cache": true, "write_to_cache": true}"#
        var ids: [String] = []
        for _ in 0..<2 {
            let r = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))",
                                "-F", "workflowOptions=\(options)", f.api])
            #expect(r.status == 201, "\(r)")
            ids.append(CromwellFixture.id(in: r.body) ?? "")
            #expect(try f.wait(ids.last!) == "Succeeded")
        }
        let outputs = try f.json("/api/workflows/v1/\(ids[0])/outputs")["outputs"] as? [String: String] ?? [:]
        #expect(outputs["wf_echo.output1"] == "oss://results/run-1/output1", "\(outputs)")
        #expect(try f.bcctl("oss", "cat", "oss://results/run-1/output2").stdout == "hello from echo2\n")
        let second = try f.json("/api/workflows/v1/\(ids[1])/metadata?includeKey=callCaching")
        let hits = (second["calls"] as? [String: [[String: Any]]] ?? [:]).values.flatMap { $0 }
            .filter { ($0["callCaching"] as? [String: Any])?["hit"] as? Bool == true }
        #expect(hits.count == 2, "both calls of the second run are cache hits: \(second)")

        let nap = try f.write("nap.wdl", """
            version 1.0
            workflow nap {
              call sleepy
            }
            task sleepy {
              command <<<
                sleep 10
              >>>
            }
            """)
        let timed = try f.curl(["-F", "workflowSource=@\(nap)", "-F", #"workflowOptions={"default_runtime_attributes": {"timeout": 1}}"#, f.api])
        guard let id = CromwellFixture.id(in: timed.body) else { Issue.record("\(timed)"); return }
        #expect(try f.wait(id, seconds: 60) == "Failed")
        let failures = try f.json("/api/workflows/v1/\(id)/metadata?includeKey=failures")
        #expect("\(failures["failures"] ?? "")".contains("sleepy"), "\(failures)")
    }

    /// `workflowUrl` (an oss:// WDL) and `requestedWorkflowId` (the id asked for, once only).
    @Test func aWorkflowByURLWithTheIdAskedFor() throws {
        let f = try CromwellFixture()
        #expect(try f.bcctl("oss", "cp", CromwellFixture.fixture("echo.wdl"), "oss://wdl/echo.wdl").status == 0)
        let wanted = "6f1c0a5e-1b2c-4d3e-8f90-0123456789ab"
        let form = ["-F", "workflowUrl=oss://wdl/echo.wdl", "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))",
                    "-F", "requestedWorkflowId=\(wanted)", f.api]
        let r = try f.curl(form)
        #expect(r.status == 201 && r.body.contains(wanted), "\(r)")
        #expect(try f.wait(wanted) == "Succeeded")
        let again = try f.curl(form)
        #expect(again.status == 400 && again.body.contains("already in use"), "\(again)")
        let files = try f.json("/api/workflows/v1/\(wanted)/metadata?includeKey=submittedFiles")["submittedFiles"] as? [String: Any] ?? [:]
        #expect(files["workflowUrl"] as? String == "oss://wdl/echo.wdl", "\(files)")
    }

    /// An engine killed while workflows wait behind the limit comes back and runs each once:
    /// the one that was running is adopted, the queued ones launch in turn.
    @Test func aKilledEngineResumesItsQueueWithoutDuplicates() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromwell-queue-\(UUID().uuidString)").path
        var ids: [String] = []
        // The same port after the restart, as a real engine's: the running runner reaches it there.
        let listen = "127.0.0.1:\(try CromwellFixture.freePort())"
        do {
            let f = try CromwellFixture(arguments: ["--cromwell-max-concurrent-workflows", "1"], dataDirectory: data, listen: listen)
            let inputs = try f.write("nap.inputs.json", #"{"slow.nap.seconds": 2, "slow.nap.timeout_seconds": 60}"#)
            for _ in 0..<3 {
                let r = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("slow.wdl"))", "-F", "workflowInputs=@\(inputs)", f.api])
                ids.append(CromwellFixture.id(in: r.body) ?? "")
            }
            #expect(try f.wait(ids[0], for: ["Running"], seconds: 60) == "Running")
            f.engine.kill()
        }
        let f = try CromwellFixture(arguments: ["--cromwell-max-concurrent-workflows", "1"], dataDirectory: data, listen: listen)
        for id in ids { #expect(try f.wait(id, seconds: 90) == "Succeeded", "\(id)") }
        let jobs = try f.bcctl("jobs", "-json", "-limit", "0").stdout
        for id in ids { #expect(jobs.components(separatedBy: "\"cromwell-\(id)\"").count - 1 == 1, "one runner job for \(id)") }
    }
}
