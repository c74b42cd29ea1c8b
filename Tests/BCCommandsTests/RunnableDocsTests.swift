import Foundation
import Testing
import BCTestSupport

/// The command blocks of README.md, docs/ and the examples' READMEs that are marked runnable
/// run, page by page, against a fresh engine, and print what the page says they print.
///
/// The markers (HTML comments, invisible on GitHub):
///
/// * `<!-- runnable -->` on the line before a ```` ```sh ```` block: the block runs as one bash
///   script and must succeed (it runs under `set -e`).
/// * `<!-- runnable -->` before a ```` ```text ```` block of `$ command` lines (a transcript):
///   each command runs, and the lines after it, up to the next `$ `, must appear in its output
///   (standard output and error together). Exit codes are checked only by `$ echo $?` lines.
/// * `<!-- output -->` before a ```` ```text ```` block: lines that must appear in the output of
///   the last runnable ```` ```sh ```` block above it.
/// * `<!-- runnable` with lines before the closing `-->`: those lines run first, unseen by
///   readers (a scratch file to break, say).
///
/// Expected lines must appear in order, each as a whole line (trailing spaces aside), other
/// lines may come between them; `…` in a line matches any text, a line of `…` alone nothing.
///
/// Each page runs in a scratch directory holding a copy of `examples/`, in one bash process,
/// its blocks in order, so a block sees what the blocks above it did (`export`, files, the
/// engine's state). The test starts a fresh engine per page and points `BCOPS_DATA` at it:
/// `/tmp/eng` in a block means its data directory, a line that starts `bcctl engine serve … &`
/// is skipped (it is running), and `bin=$(swift build --show-bin-path)` is the directory of
/// the built executables, which are also first on `PATH`. `less` is `cat` there, and git
/// commits without a configured name.
@Suite(.serialized) struct RunnableDocsTests {
    static let root = ProcessRunner.root

    // MARK: The pages

    struct Block: Sendable, CustomStringConvertible {
        enum Kind: Sendable { case script, transcript }
        var kind: Kind
        var line: Int
        var code: String
        var setup: String
        /// Script blocks: lines expected in the output (from an `<!-- output -->` block).
        var expected: [String] = []
        var description: String { "line \(line)" }

        /// Transcript blocks: each `$ command` and the lines after it.
        var commands: [(command: String, expected: [String])] {
            var out: [(String, [String])] = []
            var continuing = false
            for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
                if continuing, !out.isEmpty {
                    out[out.count - 1].0 += "\n" + line
                } else if line.hasPrefix("$ ") {
                    out.append((String(line.dropFirst(2)), []))
                } else if !out.isEmpty {
                    out[out.count - 1].1.append(String(line))
                    continue
                }
                continuing = line.hasSuffix("\\")
            }
            return out
        }
    }

    /// Every markdown page that may hold runnable blocks, relative to the repository root.
    static func pages() -> [String] {
        var out = ["README.md"]
        for dir in ["docs", "examples"] {
            let base = root.appendingPathComponent(dir)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".md") { out.append(dir + "/" + path) }
        }
        return out.sorted()
    }

    static func text(_ page: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)) ?? ""
    }

    /// The runnable blocks of a page, in order; problems with the markers themselves.
    static func blocks(_ markdown: String) -> (blocks: [Block], problems: [String]) {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [Block] = [], problems: [String] = []
        var i = 0
        var pending: (marker: String, line: Int, setup: [String])?
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            if trimmed == "<!-- runnable -->" || trimmed == "<!-- output -->" {
                pending = (trimmed, i + 1, [])
                i += 1
                continue
            }
            if trimmed == "<!-- runnable" {
                var setup: [String] = []
                let start = i + 1
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "-->" { setup.append(lines[i]); i += 1 }
                pending = ("<!-- runnable -->", start, setup)
                i += 1
                continue
            }
            if trimmed.hasPrefix("```") {
                let language = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                var body: [String] = []
                let fence = i + 1
                i += 1
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != "```" { body.append(lines[i]); i += 1 }
                i += 1
                guard let marker = pending else { continue }
                pending = nil
                let code = body.joined(separator: "\n")
                switch (marker.marker, language) {
                case ("<!-- runnable -->", "sh"), ("<!-- runnable -->", "bash"):
                    blocks.append(Block(kind: .script, line: fence, code: code, setup: marker.setup.joined(separator: "\n")))
                case ("<!-- runnable -->", "text"), ("<!-- runnable -->", "console"):
                    let block = Block(kind: .transcript, line: fence, code: code, setup: marker.setup.joined(separator: "\n"))
                    if block.commands.isEmpty || !body.first!.hasPrefix("$ ") {
                        problems.append("line \(fence): a runnable text block must start with a `$ command` line")
                    }
                    blocks.append(block)
                case ("<!-- output -->", "text"):
                    if let last = blocks.lastIndex(where: { $0.kind == .script }) {
                        blocks[last].expected += body
                    } else {
                        problems.append("line \(fence): an output block with no runnable sh block above it")
                    }
                default:
                    problems.append("line \(marker.line): \(marker.marker) before a ```\(language) block (runnable: sh or text; output: text)")
                }
                continue
            }
            if pending != nil, !trimmed.isEmpty {
                problems.append("line \(pending!.line): \(pending!.marker) is not followed by a fenced block")
                pending = nil
            }
            i += 1
        }
        if let p = pending { problems.append("line \(p.line): \(p.marker) at the end of the page") }
        return (blocks, problems)
    }

    static let runnablePages: [String] = pages().filter { !blocks(text($0)).blocks.isEmpty }

    // MARK: Matching

    /// Whether `expected` lines appear in `output`, in order; the first one that does not.
    static func missing(_ expected: [String], in output: String) -> String? {
        let actual = output.split(separator: "\n", omittingEmptySubsequences: false).map { trimTrailing(String($0)) }
        var at = 0
        for raw in expected {
            let line = trimTrailing(raw)
            if line.isEmpty || line.trimmingCharacters(in: .whitespaces) == "…" { continue }
            guard let found = actual[at...].firstIndex(where: { matches(line, $0) }) else { return line }
            at = found + 1
        }
        return nil
    }

    static func matches(_ pattern: String, _ line: String) -> Bool {
        guard pattern.contains("…") else { return pattern == line }
        let regex = "^" + pattern.components(separatedBy: "…").map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: ".*") + "$"
        return line.range(of: regex, options: .regularExpression) != nil
    }

    static func trimTrailing(_ s: String) -> String {
        var t = s
        while let last = t.last, last == " " || last == "\t" || last == "\r" { t.removeLast() }
        return t
    }

    // MARK: Running

    /// The data directories the page's blocks start engines on (`bcctl engine serve --data
    /// DIR &`), longest first: they all mean the test's engine. `/tmp/eng` always does.
    static func engineDirectories(_ blocks: [Block]) -> [String] {
        var dirs: Set<String> = ["/tmp/eng"]
        for block in blocks {
            for line in (block.setup + "\n" + block.code).split(separator: "\n") where line.contains("engine serve") {
                let words = line.split(separator: " ").map(String.init)
                if let i = words.firstIndex(of: "--data"), i + 1 < words.count, words[i + 1].hasPrefix("/") { dirs.insert(words[i + 1]) }
            }
            // `export BCOPS_DATA=/some/dir` before `bcctl engine serve --data $BCOPS_DATA &`.
            for line in (block.setup + "\n" + block.code).split(separator: "\n") {
                let command = line.trimmingCharacters(in: .whitespaces)
                if command.hasPrefix("export BCOPS_DATA=/") {
                    dirs.insert(String(command.dropFirst("export BCOPS_DATA=".count).prefix { !$0.isWhitespace && $0 != "#" }))
                }
            }
        }
        return dirs.sorted { $0.count > $1.count }
    }

    /// A block's code as the test runs it.
    static func adapted(_ code: String, bin: String, engineData: String, directories: [String] = ["/tmp/eng"]) -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false).map { raw -> String in
            var line = String(raw)
            for dir in directories { line = line.replacingOccurrences(of: dir, with: engineData) }
            let command = line.split(separator: "#", maxSplits: 1).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            if command.contains("swift build --show-bin-path") {
                line = line.replacingOccurrences(of: "$(swift build --show-bin-path)", with: "'\(bin)'")
            }
            if command.contains("engine serve"), command.hasSuffix("&") {
                line = "true  # skipped, the test's engine is already running: \(command)"
            }
            return line
        }.joined(separator: "\n")
    }

    struct Step { var marker: String; var block: Block; var command: Int? }

    /// One bash script for the page: markers between the steps, `$?` carried across them.
    static func script(_ blocks: [Block], bin: String, engineData: String) -> (String, [Step]) {
        let directories = engineDirectories(blocks)
        func adapted(_ code: String, bin: String, engineData: String) -> String {
            RunnableDocsTests.adapted(code, bin: bin, engineData: engineData, directories: directories)
        }
        var out = """
            echo $$ > .docs-page.pgid
            exec 2>&1
            trap 'kill $(jobs -p) 2>/dev/null' EXIT
            __rc=0

            """
        var steps: [Step] = []
        for (b, block) in blocks.enumerated() {
            if !block.setup.isEmpty {
                out += "set -e\n\(adapted(block.setup, bin: bin, engineData: engineData))\nset +e\n"
            }
            switch block.kind {
            case .script:
                let marker = "@@bcops-docs-step-\(b)@@"
                steps.append(Step(marker: marker, block: block, command: nil))
                out += "printf '\\n\(marker)\\n'\nset -e\n\(adapted(block.code, bin: bin, engineData: engineData))\nset +e\n__rc=0\n"
            case .transcript:
                for (c, command) in block.commands.enumerated() {
                    let marker = "@@bcops-docs-step-\(b)-\(c)@@"
                    steps.append(Step(marker: marker, block: block, command: c))
                    out += "printf '\\n\(marker)\\n'\n(exit $__rc)\n\(adapted(command.command, bin: bin, engineData: engineData))\n__rc=$?\n"
                }
            }
        }
        out += "printf '\\n@@bcops-docs-end@@\\n'\n"
        return (out, steps)
    }

    /// Runs `script` with bash in `directory`, in a session of its own (`setsid --wait`: bash's
    /// pid, which the script writes to `.docs-page.pgid`, is its process group); kills that
    /// group after `timeout` seconds, and whatever the page left running when it ends.
    static func bash(_ script: String, in directory: String, environment: [String: String], timeout: Double) throws -> (status: Int32, output: String, timedOut: Bool) {
        let file = directory + "/.docs-page.sh"
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        p.arguments = ["--wait", "/bin/bash", file]
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        nonisolated(unsafe) var data = Data()
        let reader = Thread { data = out.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        func group() -> pid_t? {
            (try? String(contentsOfFile: directory + "/.docs-page.pgid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        while p.isRunning {
            if Date() > deadline {
                timedOut = true
                if let g = group(), g > 1 { kill(-g, SIGKILL) }
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        // A background process left behind keeps the pipe open: end the group.
        if let g = group(), g > 1 { kill(-g, SIGKILL) }
        let readDeadline = Date().addingTimeInterval(5)
        while !reader.isFinished && Date() < readDeadline { usleep(10_000) }
        return (p.terminationStatus, String(decoding: data, as: UTF8.self), timedOut)
    }

    // MARK: Tests

    /// The markers are well formed everywhere, and the pages a newcomer starts with have runnable blocks.
    @Test func markersAreWellFormed() {
        for page in Self.pages() {
            let problems = Self.blocks(Self.text(page)).problems
            #expect(problems.isEmpty, "\(page): \(problems)")
        }
        for page in ["README.md", "docs/README.md", "docs/commands/validate.md", "docs/commands/summary.md", "docs/commands/plan.md"] {
            #expect(Self.runnablePages.contains(page), "\(page) has no runnable block")
        }
    }

    @Test func matchingAllowsGapsAndEllipses() {
        let output = "Workspace: default\n  # Cluster/x will be created\n\nPlan: 1 to add, 0 to change.   \n"
        #expect(Self.missing(["Workspace: …", "Plan: 1 to add, 0 to change."], in: output) == nil)
        #expect(Self.missing(["Plan: 1 to add, 0 to change.", "Workspace: default"], in: output) == "Workspace: default", "in order")
        #expect(Self.missing(["…", "  # Cluster/… will be created"], in: output) == nil)
        #expect(Self.missing(["Plan: 2 to add…"], in: output) == "Plan: 2 to add…")
    }

    @Test(arguments: runnablePages)
    func runnableBlocksPrintWhatThePageSays(page: String) throws {
        let (blocks, problems) = Self.blocks(Self.text(page))
        #expect(problems.isEmpty, "\(problems)")
        let sandbox = try DocsSandbox(prefix: "bcops-docs")
        defer { sandbox.close(label: page) }
        let (scratch, engine, bin, environment) = (sandbox.scratch, sandbox.engine, sandbox.bin, sandbox.environment)

        let (script, steps) = Self.script(blocks, bin: bin, engineData: engine.dataDirectory)
        let started = Date()
        let run = try Self.bash(script, in: scratch, environment: environment, timeout: 110)
        let seconds = Date().timeIntervalSince(started)
        // The output of each step: from its marker to the next.
        var sections: [String: String] = [:]
        var current: String?
        for line in run.output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("@@bcops-docs-") { current = String(line); sections[current!] = ""; continue }
            if let current { sections[current, default: ""] += line + "\n" }
        }
        #expect(!run.timedOut, "\(page) took over 110 s:\n\(run.output.suffix(3000))")
        #expect(sections["@@bcops-docs-end@@"] != nil, "\(page): a block failed (exit \(run.status)); output:\n\(run.output.suffix(4000))")
        for step in steps {
            guard let output = sections[step.marker] else { break }
            let expected = step.command.map { step.block.commands[$0].expected } ?? step.block.expected
            if let line = Self.missing(expected, in: output) {
                let what = step.command.map { "`$ \(step.block.commands[$0].command)`" } ?? "the block"
                Issue.record("\(page):\(step.block.line): \(what) did not print\n  \(line)\nIt printed:\n\(output)")
            }
        }
        print("\(page): \(steps.count) steps in \(String(format: "%.1f", seconds)) s")
    }
}

/// Where pages run: a scratch directory holding a copy of examples/, a pager that only prints,
/// a fresh engine on a clean data directory, and the environment a user's shell would have
/// (the built binaries first on PATH, no colour, a home of its own). Shared by the docs test
/// and the newcomer-path walk. BCOPS_DOCS_KEEP=1 keeps the directory to look at.
struct DocsSandbox {
    let scratch: String
    let engine: EngineProcess
    let bin: String
    let environment: [String: String]
    let keep = ProcessInfo.processInfo.environment["BCOPS_DOCS_KEEP"] != nil

    init(prefix: String) throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        for dir in ["shims", "home", "tmp"] {
            try FileManager.default.createDirectory(atPath: scratch + "/" + dir, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: RunnableDocsTests.root.appendingPathComponent("examples").path, toPath: scratch + "/examples")
        try "#!/bin/sh\nexec cat \"$@\"\n".write(toFile: scratch + "/shims/less", atomically: true, encoding: .utf8)
        chmod(scratch + "/shims/less", 0o755)
        engine = try EngineProcess(dataDirectory: scratch + "/engine")
        bin = URL(fileURLWithPath: ProcessRunner.product("bcctl")).deletingLastPathComponent().path
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("BCOPS_") }
        environment["PATH"] = "\(scratch)/shims:\(bin):" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["BCOPS_DATA"] = engine.dataDirectory
        environment["HOME"] = scratch + "/home"
        environment["NO_COLOR"] = "1"
        environment["TERM"] = "dumb"
        environment["COLUMNS"] = "100"
        // Commits in the pages' scratch repositories.
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = "bcops docs" }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "docs@bcops.invalid" }
        self.environment = environment
    }

    /// Stops the engine, then removes the directory (or says where it was kept).
    func close(label: String) {
        engine.stop()
        if keep { print("\(label): kept \(scratch)") } else { try? FileManager.default.removeItem(atPath: scratch) }
    }
}
