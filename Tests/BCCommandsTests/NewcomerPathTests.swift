import Foundation
import Testing
import BCTestSupport

/// The newcomer's first hour (issue #13, "Done means"): the pages a new user reads, in the
/// order they read them, followed command by command against one clean data directory and
/// one engine, each step checked against the outcome its page documents:
///
/// 1. README.md, "A first look": the fixed-cluster job applied, validate, summary, fmt, schema;
/// 2. examples/quickstart/README.md: a pool, an App and a word-count job;
/// 3. docs/README.md, "And a render": the render farm with real Blender (the second engine it
///    starts refuses the directory the first look's engine serves), then the re-plan of
///    examples/render-farm/README.md, "Render it", and its "By hand" block (`render test`);
/// 4. examples/fixed-cluster/README.md, "Try it": already applied by the first look;
/// 5. examples/docker-app/README.md and examples/docker-app-update/README.md: the Apps, the
///    warning about applying the update in docker-app's workspace, and the update in place;
/// 6. docs/commands/controller.md: a bare repository, `bcctl controller`, a push, Ready. As
///    the page says, this controller hosts an engine of its own, in the page's `demo/data`
///    (the shared engine's workspace `docker-app` already owns `App/Docker-app-demo`).
///
/// The blocks marked runnable come from the pages themselves (RunnableDocsTests' parser), the
/// unmarked ones by position from their pages, so a page that changes changes the walk. The
/// whole walk is one bash script, as a user's one shell: `export`s and files carry over.
/// The pages' `/tmp/...` paths map into a scratch directory (the engine's directories to the
/// engine's), so the walk never touches another test's files. BCOPS_DOCS_KEEP=1 keeps it.
@Suite(.serialized) struct NewcomerPathTests {
    typealias Docs = RunnableDocsTests
    typealias Block = RunnableDocsTests.Block

    /// Every ```` ```sh ```` block of a page, marked runnable or not, in order.
    static func shBlocks(_ page: String) -> [String] {
        var out: [String] = [], body: [String]? = nil
        for line in Docs.text(page).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if body != nil {
                if trimmed == "```" { out.append(body!.joined(separator: "\n")); body = nil } else { body!.append(line) }
            } else if trimmed == "```sh" || trimmed == "```bash" {
                body = []
            }
        }
        return out
    }

    /// The runnable blocks of a page, with their `<!-- output -->` lines.
    static func runnable(_ page: String) -> [Block] {
        let (blocks, problems) = Docs.blocks(Docs.text(page))
        #expect(problems.isEmpty, "\(page): \(problems)")
        return blocks
    }

    /// The walk: a label (page and what it does) and the block that runs, in order.
    struct Walk {
        var steps: [(label: String, block: Block)] = []

        mutating func page(_ label: String, _ block: Block) { steps.append((label, block)) }

        /// A command of the walk's own: what the page says to check, or a wait it implies.
        mutating func check(_ label: String, _ code: String, expect: [String] = []) {
            steps.append((label, Block(kind: .script, line: 0, code: code, setup: "", expected: expect)))
        }

        /// A page's unmarked sh block, as the test runs it; fails the walk if the page no longer says `mustContain`.
        mutating func unmarked(_ label: String, page: String, index: Int, mustContain: String, expect: [String], edit: (String) -> String = { $0 }) {
            let blocks = NewcomerPathTests.shBlocks(page)
            guard index < blocks.count, blocks[index].contains(mustContain) else {
                Issue.record("\(page): its sh block \(index) no longer holds `\(mustContain)`; update the walk")
                return
            }
            check(label, edit(blocks[index]), expect: expect)
        }
    }

    /// Waits (at most `seconds`) until no job on the engine is Waiting or Running.
    static func waitForJobs(_ seconds: Int = 90) -> String {
        """
        for __i in $(seq \(seconds * 5)); do
          bcctl jobs --state Waiting,Running | grep -q '^No jobs' && break
          sleep 0.2
        done
        """
    }

    @Test func theNewcomersPathHoldsFromACleanDataDirectory() throws {
        var walk = Walk()

        // 1. README.md, "A first look".
        let firstLook = Self.runnable("README.md")
        #expect(firstLook.count == 1, "README.md's first look is one runnable block")
        for block in firstLook { walk.page("README.md:\(block.line) (a first look)", block) }
        // "seconds later: Job/fixed-logcount: already succeeded … No changes."
        walk.check("README.md (a first look): the job ends, and the next plan has nothing to do", """
            \(Self.waitForJobs())
            bcctl job fixed-logcount
            bcplan examples/fixed-cluster -detailed-exitcode && echo "exit 0" || echo "exit $?"
            """, expect: [
                "Job fixed-logcount (job-…): Finished",
                "manifest: Job/fixed-logcount in workspace fixed-cluster",
                "…Job/fixed-logcount: already succeeded…",
                "No changes. Your infrastructure matches the configuration.",
                "exit 0",
            ])

        // 2. examples/quickstart/README.md: 0 to destroy, in a workspace of its own.
        for block in Self.runnable("examples/quickstart/README.md") { walk.page("examples/quickstart/README.md:\(block.line)", block) }
        // "bcctl job word-count shows its tasks and instances, bcctl logs word-count what they printed".
        walk.check("examples/quickstart/README.md (what running it does here)", """
            \(Self.waitForJobs())
            bcplan examples/quickstart
            bcctl oss ls oss://quickstart/logs/
            bcctl job word-count
            bcctl logs word-count
            """, expect: [
                "…Job/word-count: already succeeded…",
                "No changes. Your infrastructure matches the configuration.",
                "oss://quickstart/logs/stdout.job-….count.0",
                "oss://quickstart/logs/stdout.job-….count.1",
                "oss://quickstart/logs/stdout.job-….count.2",
                "oss://quickstart/logs/stdout.job-….report.0",
                "Job word-count (job-…): Finished",
                "Task count: Finished, 3 instances…",
                "Task report: Finished, 1 instance…",
                "[count 0] instance 0 of 3: 53 words",
                "[report 0] all 3 shares counted",
            ])

        // 3. docs/README.md, "And a render". Its engine line starts a second engine on the
        //    directory the first look's engine serves: "this one says so and exits".
        let guide = Self.runnable("docs/README.md")
        #expect(guide.count == 2, "docs/README.md: a first session, and a render")
        walk.check("docs/README.md (and a render): a second engine on the same directory", """
            bcctl engine serve --data /tmp/eng --listen 127.0.0.1:0 && echo "exit 0" || echo "exit $?"
            """, expect: [
                "Error: /tmp/eng is in use by the engine at http://127.0.0.1:… (pid …); stop it, or give this one another --data",
                "exit 1",
            ])
        for block in guide { walk.page("docs/README.md:\(block.line)", block) }
        // examples/render-farm/README.md, "Render it": both jobs end, the re-plan has nothing to do.
        walk.check("examples/render-farm/README.md (render it): re-plan", """
            bcctl render status render-farm-cube-chunks -watch
            bcplan examples/render-farm -detailed-exitcode && echo "exit 0" || echo "exit $?"
            bcctl oss ls oss://render-farm/output/render-farm-cube-chunks/
            """, expect: [
                "RenderJob render-farm-cube-chunks (job-…): Finished, 8/8 frames rendered in … s",
                "  RenderJob/render-farm-cube: already rendered (job-…)",
                "  RenderJob/render-farm-cube-chunks: already rendered (job-…)",
                "No changes. Your infrastructure matches the configuration.",
                "exit 0",
                "oss://render-farm/output/render-farm-cube-chunks/0001.png",
                "oss://render-farm/output/render-farm-cube-chunks/0015.png",
            ])

        // examples/render-farm/README.md, "By hand": the same, applied already, and a one-frame test.
        walk.unmarked("examples/render-farm/README.md (by hand)", page: "examples/render-farm/README.md", index: 1,
                      mustContain: "bcctl render test render-farm-blender --scene cube.blend --frame 3", expect: [
                        "Workspace: render-farm (from examples/render-farm/.bcops/settings.yaml)",
                        "No changes. Your infrastructure matches the configuration.",
                        "RenderJob render-farm-cube (job-…): Finished, 16/16 frames rendered in … s",
                        "[node 1] Blender quit",
                        "Submitted job-… (render-test-render-farm-blender-3-…): frame 3 of /mnt/scenes/cube.blend on one node",
                        "exec: blender -b /mnt/scenes/cube.blend --factory-startup -o /render_output/#### -F PNG -t … -f 3",
                        "Saved: '/render_output/0003.png'",
                        "oss://render-farm/output/render-farm-cube/0016.png",
                      ])

        // 4. examples/fixed-cluster/README.md, "Try it" and "And run it": the first look
        //    applied it, so the plan has nothing to do; the merged counts are as documented.
        walk.unmarked("examples/fixed-cluster/README.md (try it)", page: "examples/fixed-cluster/README.md", index: 0,
                      mustContain: "bcplan validate examples/fixed-cluster", expect: [
                        "Success! 2 manifests in 2 files valid.",
                        "  Cluster/fixed-logcount-cluster  1 group(s), 3 node(s), 6 slots, image img-ubuntu",
                        "  Job/fixed-logcount        3 task(s), 5 instance(s), 2 dependencies",
                        "2 manifests: 1 resource, 1 run.",
                      ])
        walk.unmarked("examples/fixed-cluster/README.md (run it)", page: "examples/fixed-cluster/README.md", index: 1,
                      mustContain: "bcapply examples/fixed-cluster -auto-approve", expect: [
                        "Workspace: fixed-cluster (from examples/fixed-cluster/.bcops/settings.yaml)",
                        "…Job/fixed-logcount: already succeeded…",
                        "No changes. Your infrastructure matches the configuration.",
                        "oss://fixed-cluster/log-count/logs/stdout.job-….count.2",
                        "oss://fixed-cluster/log-count/logs/stdout.job-….merge.0",
                        "oss://fixed-cluster/log-count/logs/stdout.job-….split.0",
                        #"merged 3 counts: {"DEBUG": 8, "ERROR": 2, "INFO": 17, "WARN": 3}"#,
                      ]) {
            // `<job>` is the reader's to fill in: the job's ID, from the listing above it.
            $0.replacingOccurrences(of: "oss://fixed-cluster/log-count/logs/stdout.<job>.merge.0",
                                    with: "$(bcctl oss ls oss://fixed-cluster/log-count/logs/ | grep 'merge\\.0$' | tail -1)")
        }

        // 5. examples/docker-app/README.md: "Try it", then applying creates the two Apps, nothing runs.
        walk.unmarked("examples/docker-app/README.md (try it)", page: "examples/docker-app/README.md", index: 0,
                      mustContain: "bcctl summary examples/docker-app", expect: [
                        "Success! 2 manifests in 2 files valid.",
                        "  App/Docker-app-demo       docker localhost:5000/demodockerimage:0.1, 0 inputs, 0 outputs",
                        "  App/ubuntu-blender        docker registry.cn-shenzhen.aliyuncs.com/batchcompute_test/blender:1.0, 6 inputs, 1 outputs",
                        "2 manifests: 2 resources, 0 runs.",
                      ])
        walk.check("examples/docker-app/README.md (what applying does here)", """
            bcapply examples/docker-app -auto-approve
            bcctl jobs -workspace docker-app
            """, expect: [
                "Workspace: docker-app (from examples/docker-app/.bcops/settings.yaml)",
                "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.",
                "No jobs…",
            ])
        // examples/docker-app-update/README.md: its warning, then the update in place.
        walk.check("examples/docker-app-update/README.md (do not apply it in docker-app's workspace)", """
            bcplan examples/docker-app-update -workspace docker-app
            bcapply examples/docker-app-update -workspace docker-app -auto-approve && echo "exit 0" || echo "exit $?"
            """, expect: ["Plan: 1 to add, 0 to change, 2 to destroy.", "exit 1"])
        walk.unmarked("examples/docker-app-update/README.md (try it)", page: "examples/docker-app-update/README.md", index: 1,
                      mustContain: "bcctl summary examples/docker-app-update", expect: [
                        "Success! 1 manifest in 1 file valid.",
                        "  App/Docker-app-demo-v2    docker localhost:5000/demodockerimage:0.2, 0 inputs, 0 outputs",
                        "1 manifest: 1 resource, 0 runs.",
                      ])
        walk.unmarked("examples/docker-app-update/README.md (the update as it happens)", page: "examples/docker-app-update/README.md", index: 0,
                      mustContain: "cp -r examples/docker-app /tmp/apps", expect: [
                        "No changes. Your infrastructure matches the configuration.",
                        "Workspace: docker-app (from …/tmp/apps/.bcops/settings.yaml)",
                        "  # App/Docker-app-demo will be updated in-place",
                        "  ~ App \"Docker-app-demo\" {",
                        "      ~ image.docker.image = \"localhost:5000/demodockerimage:0.1\" -> \"localhost:5000/demodockerimage:0.2\"",
                        "Plan: 0 to add, 1 to change, 0 to destroy.",
                        "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
                      ])

        // 6. docs/commands/controller.md: a bare repository, a controller hosting its engine
        //    (the page's data directory, demo/data), the first pass; then a push and Ready.
        let controller = Self.runnable("docs/commands/controller.md")
        #expect(controller.count == 1, "docs/commands/controller.md: the event log block")
        for block in controller { walk.page("docs/commands/controller.md:\(block.line) (the event log)", block) }
        walk.check("docs/commands/controller.md (a push, then Ready)", """
            bcctl status --data "$PWD/demo/data"
            sed -i 's/demodockerimage:0.1/demodockerimage:0.2/' demo/work/estate/docker-app-demo.yaml
            git -C demo/work commit -qam "image 0.2" && git -C demo/work push -q origin HEAD:main
            bcctl controller reconcile --data "$PWD/demo/data"
            head=$(git -C demo/work rev-parse --short=12 HEAD)
            for __i in $(seq 150); do bcctl status --data "$PWD/demo/data" | grep -q "applied $head" && break; sleep 0.2; done
            bcctl status --data "$PWD/demo/data"
            """, expect: [
                "Workspace default ← demo/estate.git branch main path estate",
                "  Ready=True  ReconciliationSucceeded: Applied revision …: Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
                "Workspace default ← demo/estate.git branch main path estate",
                "Revision: applied …, fetched …",
                "  Ready=True  ReconciliationSucceeded: Applied revision …: Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
                "Recent reconciliations (newest first):",
                "  …  succeeded  … s  requested  Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
                "  …  succeeded  … s  interval  Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
            ])

        try Self.run(walk)
    }

    /// Runs the walk as one bash script in a scratch directory holding a copy of `examples/`,
    /// against one engine on a clean data directory, and checks every step's output.
    static func run(_ walk: Walk) throws {
        let sandbox = try DocsSandbox(prefix: "bcops-newcomer")
        defer { sandbox.close(label: "newcomer path") }
        let (scratch, engine, bin, environment) = (sandbox.scratch, sandbox.engine, sandbox.bin, sandbox.environment)

        // The pages' engine directories mean the engine's; their other /tmp paths, the scratch tmp/.
        let engineDirectories = Docs.engineDirectories(walk.steps.map(\.block))
        func mapped(_ code: String) -> String {
            var code = code
            for (i, dir) in engineDirectories.enumerated() { code = code.replacingOccurrences(of: dir, with: "@@engine-\(i)@@") }
            code = code.replacingOccurrences(of: "/tmp/", with: scratch + "/tmp/")
            for i in engineDirectories.indices { code = code.replacingOccurrences(of: "@@engine-\(i)@@", with: engine.dataDirectory) }
            return code
        }
        let blocks = walk.steps.map { step -> Block in
            var block = step.block
            block.code = mapped(block.code)
            block.setup = mapped(block.setup)
            block.expected = block.expected.map(mapped)
            return block
        }
        let (script, steps) = Docs.script(blocks, bin: bin, engineData: engine.dataDirectory)
        let started = Date()
        let run = try Docs.bash(script, in: scratch, environment: environment, timeout: 150)
        let seconds = Date().timeIntervalSince(started)

        var sections: [String: String] = [:]
        var current: String?
        for line in run.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@bcops-docs-") { current = String(line); sections[current!] = ""; continue }
            if let current { sections[current, default: ""] += line + "\n" }
        }
        #expect(!run.timedOut, "the newcomer's path took over 150 s:\n\(run.output.suffix(3000))")
        // The label of a step: its index in the marker, `@@bcops-docs-step-B@@` or `-B-C@@`.
        func label(_ marker: String) -> String {
            let digits = marker.dropFirst("@@bcops-docs-step-".count).prefix { $0.isNumber }
            return Int(digits).map { walk.steps[$0].label } ?? marker
        }
        if sections["@@bcops-docs-end@@"] == nil {
            let last = steps.last { sections[$0.marker] != nil }
            Issue.record("the walk stopped in \(last.map { label($0.marker) } ?? "its first step") (exit \(run.status)); output:\n\(run.output.suffix(4000))")
        }
        for step in steps {
            guard let output = sections[step.marker] else { break }
            let expected = step.command.map { step.block.commands[$0].expected } ?? step.block.expected
            if let line = Docs.missing(expected, in: output) {
                Issue.record("\(label(step.marker)): did not print\n  \(line)\nIt printed:\n\(output)")
            }
        }
        print("newcomer path: \(steps.count) steps in \(String(format: "%.1f", seconds)) s")
    }
}
