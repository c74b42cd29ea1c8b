import BCTestSupport
import Foundation
import Testing

/// examples/ci: the pipeline files parse, and the script they share handles bcplan's exit codes
/// and writes the PR comment as CI would post it, against a real engine.
@Suite struct CIExampleTests {
    static let ci = ProcessRunner.root.appendingPathComponent("examples/ci")

    @Test func thePipelineFilesAreYAMLThatRunTheSharedScript() throws {
        for file in [".github/workflows/bcops.yml", ".gitlab-ci.yml"] {
            let path = Self.ci.appendingPathComponent(file).path
            let r = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(type(d).__name__)", path])
            #expect(r.status == 0 && r.stdout == "dict\n", "\(file): \(r.combined)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for step in ["bcops-ci.sh check estate", "bcops-ci.sh plan estate bcops-out", "bcops-ci.sh approve bcops-out"] {
                #expect(text.contains(step), "\(file) runs \(step)")
            }
        }
    }

    func script(_ e: Estate, _ args: [String], env: [String: String] = [:]) throws -> ProcessRunner.Output {
        let bin = URL(fileURLWithPath: ProcessRunner.product("bcplan")).deletingLastPathComponent().path
        var environment = e.engine.clientEnvironment
        environment["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment.merge(env) { $1 }
        return try ProcessRunner.run("/bin/bash", [Self.ci.appendingPathComponent("bcops-ci.sh").path] + args, environment: environment)
    }

    @Test func planExitCodesCommentAndApproval() throws {
        let e = try Estate()
        try e.write("cluster.yaml", Estate.cluster)
        let out = e.dir.appendingPathComponent("out").path
        let summary = e.dir.appendingPathComponent("summary.md").path
        let outputs = e.dir.appendingPathComponent("outputs").path

        // Changes: bcplan exits 2, the step succeeds, the comment carries the marker and the summary.
        let planned = try script(e, ["plan", e.dir.path, out], env: ["GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outputs])
        #expect(planned.status == 0, "\(planned.combined)")
        #expect(try String(contentsOfFile: out + "/exitcode", encoding: .utf8) == "2\n")
        let comment = try String(contentsOfFile: out + "/comment.md", encoding: .utf8)
        #expect(comment.hasPrefix("<!-- bcops-plan -->\n### bcops plan: workspace `default`"))
        #expect(comment.contains("**Plan: 0 to run, 1 to add, 0 to change, 0 to destroy.**") || comment.contains("**Plan: 1 to add, 0 to change, 0 to destroy.**"), "\(comment)")
        #expect(comment.utf8.count <= 65_536 + 64)
        #expect(try String(contentsOfFile: summary, encoding: .utf8) == comment)
        #expect(try String(contentsOfFile: outputs, encoding: .utf8) == "changes=true\n")

        // On merge: the reviewed plan is recorded for the commit.
        let approved = try script(e, ["approve", out, "0123456789abcdef0123456789abcdef01234567"])
        #expect(approved.status == 0, "\(approved.combined)")
        let recorded = try e.run("bcctl", ["plan-approve", out + "/plan", "-revision", "0123456789abcdef0123456789abcdef01234567"])
        #expect(recorded.stdout.contains("Approved the plan for revision 0123456789ab"), "\(recorded.combined)")

        // No changes: exit code 0, changes=false.
        #expect(try e.apply().status == 0)
        try? FileManager.default.removeItem(atPath: outputs)
        let clean = try script(e, ["plan", e.dir.path, out], env: ["GITHUB_OUTPUT": outputs])
        #expect(clean.status == 0)
        #expect(try String(contentsOfFile: out + "/exitcode", encoding: .utf8) == "0\n")
        #expect(try String(contentsOfFile: outputs, encoding: .utf8) == "changes=false\n")
        #expect(try String(contentsOfFile: out + "/comment.md", encoding: .utf8).contains("No changes. Your infrastructure matches the configuration."))

        // An error: bcplan exits 1, so does the step, and the comment says why.
        try e.write("broken.yaml", Estate.cluster.replacingOccurrences(of: "name: workers", with: "name: broken").replacingOccurrences(of: "desiredCount: 1", with: "desiredCount: -1"))
        let failed = try script(e, ["plan", e.dir.path, out])
        #expect(failed.status == 1)
        #expect(try String(contentsOfFile: out + "/exitcode", encoding: .utf8) == "1\n")
        let failure = try String(contentsOfFile: out + "/comment.md", encoding: .utf8)
        #expect(failure.hasPrefix("<!-- bcops-plan -->\n### bcops plan failed"))
        #expect(failure.contains("broken.yaml:"), "\(failure)")

        // fmt -check: a file that is not canonical fails the check step.
        let check = try script(e, ["check", e.dir.path])
        #expect(check.status != 0)
    }
}
