import BCTestSupport
import Foundation
import Testing

// MARK: - The concurrency limit, and a restart

extension CromwellAPITests {
    /// With `--cromwell-max-concurrent-workflows 1`, a second workflow waits as Submitted (no
    /// runner job yet) while the first runs, then runs once the first has ended.
    @Test func aLimitOfOneRunsTwoWorkflowsInTurn() throws {
        let f = try CromwellFixture(arguments: ["--cromwell-max-concurrent-workflows", "1"])
        let inputs = try f.write("nap.inputs.json", #"{"slow.nap.seconds": 3, "slow.nap.timeout_seconds": 60}"#)
        var ids: [String] = []
        for _ in 0..<2 {
            let r = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("slow.wdl"))", "-F", "workflowInputs=@\(inputs)", f.api])
            #expect(r.status == 201, "\(r)")
            ids.append(CromwellFixture.id(in: r.body) ?? "")
        }
        #expect(try f.wait(ids[0], for: ["Running"], seconds: 60) == "Running")
        #expect(try f.status(ids[1]) == "Submitted")
        let waiting = try f.json("/api/workflows/v1/\(ids[1])/metadata")
        #expect((waiting["bcops"] as? [String: Any])?["runnerJob"] == nil, "the second has no runner job yet: \(waiting)")
        let submittedList = try f.json("/api/workflows/v1/query?status=Submitted")
        #expect((submittedList["results"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[1]], "\(submittedList)")

        #expect(try f.wait(ids[0]) == "Succeeded")
        #expect(try f.wait(ids[1]) == "Succeeded")
        let first = try f.json("/api/workflows/v1/\(ids[0])/metadata"), second = try f.json("/api/workflows/v1/\(ids[1])/metadata")
        let firstEnd = first["end"] as? String ?? "", secondStart = second["start"] as? String ?? ""
        #expect(!firstEnd.isEmpty && !secondStart.isEmpty && secondStart >= firstEnd, "second started \(secondStart), first ended \(firstEnd)")
    }

    /// A killed engine comes back with its Cromwell workflows: the same ids, still held, and a
    /// released one runs once.
    @Test func workflowsOutliveAKilledEngine() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromwell-restart-\(UUID().uuidString)").path
        var id = ""
        do {
            let f = try CromwellFixture(dataDirectory: data)
            let r = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))",
                                "-F", "workflowOnHold=true", "-F", #"labels={"kept": "yes"}"#, f.api])
            id = CromwellFixture.id(in: r.body) ?? ""
            #expect(r.status == 201 && !id.isEmpty, "\(r)")
            f.engine.kill()
        }
        let f = try CromwellFixture(dataDirectory: data)
        #expect(try f.status(id) == "On Hold")
        #expect((try f.json("/api/workflows/v1/\(id)/labels")["labels"] as? [String: String])?["kept"] == "yes")
        _ = try f.curl(["-X", "POST", f.api + "/\(id)/releaseHold"])
        #expect(try f.wait(id) == "Succeeded")
        let runners = try f.bcctl("jobs", "-json", "-limit", "0").stdout.components(separatedBy: "\"cromwell-\(id)\"").count - 1
        #expect(runners == 1, "one runner job for the workflow")
    }
}
