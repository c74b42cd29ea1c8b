import BCTestSupport
import Foundation
import Testing

extension CromwellAPITests {
    /// A workflow submitted through the Cromwell API is a workflow run like any other: the
    /// dashboard's workflow list shows it, by its runner job `cromwell-<id>`, and its page its calls.
    @Test func theDashboardShowsAWorkflowSubmittedThroughTheAPI() throws {
        let f = try CromwellFixture(arguments: ["--ui-listen", "127.0.0.1:0"])
        let said = f.engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        let r = try #require(said.range(of: "dashboard listening on http://127.0.0.1:"), "\(said)")
        let ui = "http://127.0.0.1:\(try #require(Int(said[r.upperBound...].prefix { $0.isNumber })))"
        let submitted = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))",
                                    "-F", "workflowInputs=@\(CromwellFixture.fixture("echo.inputs.json"))", f.api])
        let id = try #require(CromwellFixture.id(in: submitted.body), "\(submitted)")
        #expect(try f.wait(id) == "Succeeded")

        let list = try f.curl([ui + "/ui/workflows"])
        #expect(list.status == 200 && list.body.contains(">cromwell-\(id)</a>") && list.body.contains("data-status=\"Succeeded\""), "\(list.body)")
        let link = try #require(list.body.range(of: "<a href=\"/ui/workflows/job-"), "a link to the run's page: \(list.body)")
        let job = String(list.body[link.upperBound...].prefix { $0 != "\"" })
        let page = try f.curl([ui + "/ui/workflows/job-" + job])
        #expect(page.status == 200 && page.body.components(separatedBy: "<tr class=\"call-row\" data-state=\"Done\">").count - 1 == 2, "\(page.body)")
        #expect(page.body.contains("wf_echo.echo1") && page.body.contains("wf_echo.echo2"), "\(page.body)")
    }
}
