import BCTestSupport
import Foundation
import Testing

// MARK: - Bad input, the small endpoints, and who may call

extension CromwellAPITests {
    /// Cromwell's failure shape, with the status that says whose fault it is, and miniwdl's
    /// located message for a WDL that does not parse.
    @Test func badSubmissionsGetCromwellsErrors() throws {
        let f = try CromwellFixture()
        let bad = try f.write("bad.wdl", "version 1.0\n\nworkflow bad {\n  call t\n}\n\ntask t {\n  command <<< echo hi >>>\n  output { String s = read_string(stdout())\n}\n")
        let invalid = try f.curl(["-F", "workflowSource=@\(bad)", f.api])
        #expect(invalid.status == 400, "\(invalid)")
        #expect(invalid.body.contains("\"status\":\"fail\"") && invalid.body.contains("line 10") && invalid.body.contains("bad.wdl:10:1"), "\(invalid.body)")

        let missing = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", f.api])
        #expect(missing.status == 400 && missing.body.contains("missing required input \\\"wf_echo.echo1.message\\\""), "\(missing)")

        let notJSON = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", "-F", "workflowInputs={nope", f.api])
        #expect(notJSON.status == 400 && notJSON.body.contains("not valid JSON"), "\(notJSON)")
        let badTag = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))",
                                 "-F", #"workflowOptions={"bcs_workflow_tag": "a/b"}"#, f.api])
        #expect(badTag.status == 400 && badTag.body.contains("bcs_workflow_tag"), "\(badTag)")
        let neither = try f.curl(["-F", "workflowInputs={}", f.api])
        #expect(neither.status == 400 && neither.body.contains("workflowSource or workflowUrl"), "\(neither)")

        let unknown = try f.curl([f.api + "/0b1c2d3e-0000-4000-8000-000000000000/status"])
        #expect(unknown.status == 404 && unknown.body == #"{"status":"fail","message":"Unrecognized workflow ID: 0b1c2d3e-0000-4000-8000-000000000000"}"#
                || unknown.body.contains("Unrecognized workflow ID"), "\(unknown)")
        let notAnId = try f.curl([f.api + "/not-a-uuid/metadata"])
        #expect(notAnId.status == 400 && notAnId.body.contains("Invalid workflow ID"), "\(notAnId)")

        // womtool's describe, which cromshell asks before it submits.
        let described = try f.json("/api/womtool/v1/describe", ["-F", "workflowSource=@\(bad)"])
        #expect(described["valid"] as? Bool == false && "\(described["errors"] ?? "")".contains("bad.wdl:10:1"), "\(described)")
    }

    @Test func theSmallEndpointsAnswerAsCromwells() throws {
        let f = try CromwellFixture()
        #expect(try f.json("/api/workflows/v1/backends")["supportedBackends"] as? [String] == ["BCS"])
        #expect(try f.json("/engine/v1/version")["cromwell"] as? String == "bcops")
        let status = try f.curl([f.url + "/engine/v1/status"])
        #expect(status.status == 200 && status.body == "{}", "\(status)")
        let empty = try f.json("/api/workflows/v1/query")
        #expect(empty["totalResultsCount"] as? Int == 0, "\(empty)")
    }

    /// On loopback there is no login, so what a web page can make a browser send is refused: a
    /// form posted from another site (a multipart POST needs no CORS preflight) would run its
    /// workflow's commands on this host, and a page rebinding its DNS name to 127.0.0.1 could
    /// read every workflow. Cromwell's own clients send none of these headers.
    @Test func webPagesCannotSubmitOrRead() throws {
        let f = try CromwellFixture()
        let form = ["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))", "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))"]
        let port = f.url.split(separator: ":").last.map(String.init) ?? ""
        for headers in [["-H", "Origin: https://evil.example"], ["-H", "Origin: null"], ["-H", "Sec-Fetch-Site: cross-site"],
                        ["-H", "Host: rebound.example:\(port)"]] {
            let refused = try f.curl(headers + form + [f.api])
            #expect(refused.status == 403 && refused.body.contains("\"status\":\"fail\""), "\(headers): \(refused)")
        }
        let read = try f.curl(["-H", "Host: rebound.example:\(port)", f.api + "/query"])
        #expect(read.status == 403, "\(read)")
        #expect(try f.json("/api/workflows/v1/query")["totalResultsCount"] as? Int == 0, "nothing was submitted")
        let own = try f.curl(["-H", "Origin: \(f.url)", f.api + "/backends"])
        #expect(own.status == 200, "a page of the API's own origin: \(own)")
    }

    /// Off loopback the API needs a token; with one, every request carries it.
    @Test func aTokenGuardsTheAPI() throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromwell-token-\(UUID().uuidString)").path
        try "s3cret-token-for-tests-0123456789\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let refused = try ProcessRunner.run(EngineProcess.binary("bcctl"), ["engine", "serve", "--data", NSTemporaryDirectory() + "bcops-refused-\(UUID().uuidString)",
                                                                             "--listen", "127.0.0.1:0", "--cromwell-listen", "0.0.0.0:0"])
        #expect(refused.status != 0 && refused.stderr.contains("without a token"), "\(refused.combined)")

        let f = try CromwellFixture(arguments: ["--cromwell-token-file", tokenFile])
        let without = try f.curl([f.api + "/backends"])
        #expect(without.status == 401 && without.body.contains("\"status\":\"fail\""), "\(without)")
        let wrong = try f.curl(["-H", "Authorization: Bearer nope", f.api + "/backends"])
        #expect(wrong.status == 401, "\(wrong)")
        let right = try f.curl(["-H", "Authorization: Bearer s3cret-token-for-tests-0123456789", f.api + "/backends"])
        #expect(right.status == 200 && right.body.contains("BCS"), "\(right)")
    }
}
