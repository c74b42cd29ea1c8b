import BCTestSupport
import Foundation
import Testing

// MARK: - cromwell-tools and curl

extension CromwellAPITests {
    /// cromwell-tools submit, then wait until it ends (what pipelines that use it do).
    @Test func cromwellToolsSubmitsAndWaits() throws {
        let f = try CromwellFixture()
        let labels = try f.write("labels.json", #"{"project": "tools"}"#)
        let submitted = try f.cromwellTools("submit", ["-w", CromwellFixture.fixture("echo.wdl"), "-i", CromwellFixture.fixture("echo.inputs.json"),
                                                       "-l", labels])
        #expect(submitted.status == 0, "\(submitted.combined)")
        guard let id = CromwellFixture.id(in: submitted.stdout) else { Issue.record("no id in \(submitted.combined)"); return }
        let waited = try f.cromwellTools("wait", [id, "--timeout-minutes", "2", "--poll-interval-seconds", "1"])
        #expect(waited.status == 0, "\(waited.combined)")
        let status = try f.cromwellTools("status", ["--uuid", id])
        #expect(status.stdout.contains("Succeeded"), "\(status.combined)")
        let metadata = try f.cromwellTools("metadata", ["--uuid", id])
        #expect(metadata.stdout.contains("\"project\": \"tools\"") || metadata.stdout.contains("\"project\":\"tools\""), "\(metadata.combined)")
        let health = try f.cromwellTools("health", [])
        #expect(health.status == 0, "\(health.combined)")
    }

    /// A plain curl multipart submit with a zip of imports, held, released, labelled and queried.
    @Test func curlSubmitsWithAZipOfImportsOnHold() throws {
        let f = try CromwellFixture()
        let main = try f.write("main.wdl", """
            version 1.0
            import "lib/greet.wdl" as lib

            workflow hello {
              input { String who }
              call lib.greet { input: who = who }
              output { File said = greet.out }
            }
            """)
        _ = try f.write("lib/greet.wdl", """
            version 1.0

            task greet {
              input { String who }
              command <<<
                echo "hello ~{who}" > said.txt
              >>>
              output { File out = "said.txt" }
            }
            """)
        let zip = f.home + "/deps.zip"
        let zipped = try ProcessRunner.run("/bin/sh", ["-c", "cd '\(f.home)' && zip -q -r deps.zip lib"])
        #expect(zipped.status == 0, "\(zipped.combined)")
        let posted = try f.curl(["-F", "workflowSource=@\(main)", "-F", "workflowDependencies=@\(zip)",
                                 "-F", #"workflowInputs={"hello.who": "curl"};type=application/json"#,
                                 "-F", #"workflowOptions={"bcs_workflow_tag": "from-curl"}"#,
                                 "-F", #"labels={"team": "genomics", "sample": "NA12878"}"#,
                                 "-F", "workflowOnHold=true", "-F", "workflowType=WDL", "-F", "workflowTypeVersion=1.0", f.api])
        #expect(posted.status == 201, "\(posted)")
        #expect(posted.body.contains("\"status\":\"On Hold\""), "\(posted.body)")
        guard let id = CromwellFixture.id(in: posted.body) else { return }
        Thread.sleep(forTimeInterval: 1)
        #expect(try f.status(id) == "On Hold", "a held workflow does not run")

        let released = try f.curl(["-X", "POST", f.api + "/\(id)/releaseHold"])
        #expect(released.status == 200 && released.body.contains("Submitted"), "\(released)")
        #expect(try f.wait(id) == "Succeeded")
        let outputs = try f.json("/api/workflows/v1/\(id)/outputs")["outputs"] as? [String: String] ?? [:]
        let said = "oss://cromwell/cromwell-dir/hello/from-curl/\(id)/outputs/said.txt"
        #expect(outputs == ["hello.said": said], "\(outputs)")
        #expect(try f.bcctl("oss", "cat", said).stdout == "hello curl\n")

        // Labels: read, changed, and queried by.
        let patched = try f.curl(["-X", "PATCH", "-H", "Content-Type: application/json", "-d", #"{"sample": "NA12879", "run": "2"}"#, f.api + "/\(id)/labels"])
        #expect(patched.status == 200, "\(patched)")
        let labels = try f.json("/api/workflows/v1/\(id)/labels")["labels"] as? [String: String] ?? [:]
        #expect(labels == ["team": "genomics", "sample": "NA12879", "run": "2", "cromwell-workflow-id": "cromwell-\(id)"], "\(labels)")
        let byLabel = try f.json("/api/workflows/v1/query?label=sample:NA12879&status=Succeeded&additionalQueryResultFields=labels")
        let results = byLabel["results"] as? [[String: Any]] ?? []
        #expect(results.count == 1 && results.first?["id"] as? String == id && results.first?["name"] as? String == "hello", "\(byLabel)")
        let none = try f.json("/api/workflows/v1/query?label=sample:NA12878")
        #expect(none["totalResultsCount"] as? Int == 0, "\(none)")
        let posts = try f.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", #"[{"name": "hello"}, {"status": "Succeeded"}]"#, f.api + "/query"])
        #expect(posts.status == 200 && posts.body.contains(id), "\(posts)")

        // The metadata keeps what was submitted.
        let files = try f.json("/api/workflows/v1/\(id)/metadata?includeKey=submittedFiles")["submittedFiles"] as? [String: Any] ?? [:]
        #expect((files["workflow"] as? String)?.contains("import \"lib/greet.wdl\"") == true, "\(files)")
        #expect(files["workflowTypeVersion"] as? String == "1.0")
    }

    /// `POST …/batch`: one workflow per element of `workflowInputs`.
    @Test func aBatchSubmitsOneWorkflowPerInputs() throws {
        let f = try CromwellFixture()
        let posted = try f.curl(["-F", "workflowSource=@\(CromwellFixture.fixture("echo.wdl"))",
                                 "-F", #"workflowInputs=[{"wf_echo.echo1.message": "a", "wf_echo.echo2.message": "b"}, {"wf_echo.echo1.message": "c", "wf_echo.echo2.message": "d"}]"#,
                                 f.api + "/batch"])
        #expect(posted.status == 201, "\(posted)")
        let answers = (try? JSONSerialization.jsonObject(with: Data(posted.body.utf8)) as? [[String: String]]) ?? []
        #expect(answers.count == 2 && answers.allSatisfy { $0["status"] == "Submitted" }, "\(posted.body)")
        for a in answers { #expect(try f.wait(a["id"] ?? "") == "Succeeded") }
    }
}
