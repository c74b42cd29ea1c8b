import Foundation
import Testing
import BCTestSupport

/// `--help`, `-version`, completion scripts and man pages, from the built executables.
@Suite struct HelpAndVersionTests {
    static func run(_ name: String, _ args: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product(name), args, environment: ["COLUMNS": "100", "BCOPS_WORKSPACE": ""])
    }

    /// The commands that run a default subcommand list that subcommand's flags, with defaults
    /// as they are typed (`0s`, `1m`), and their other subcommands.
    @Test(arguments: [
        (["bcplan", "--help"], ["-lock-timeout", "(default: 0s)", "-detailed-exitcode", "-target", "-out", "USAGE: bcplan [plan]", "validate", "version"]),
        (["bcplan", "-help"], ["-lock-timeout", "(default: 0s)", "-detailed-exitcode"]),
        (["bcplan", "help"], ["-lock-timeout", "(default: 0s)"]),
        (["bcapply", "--help"], ["-auto-approve", "-parallelism", "(default: 10)", "-lock-timeout", "(default: 0s)", "-destroy", "USAGE: bcapply [apply]"]),
        (["bcctl", "controller", "--help"], ["--repo", "--interval", "(default: 1m)", "--webhook-min-interval", "(default: 1s)", "--log-format",
                                             "(values: logfmt, json; default: logfmt)", "--embedded-engine", "suspend", "reconcile"]),
        (["bcctl", "help", "controller"], ["--repo", "(default: 1m)"]),
        (["bcctl", "lock", "--help"], ["-workspace", "list (default)"]),
        (["bcctl", "engine", "serve", "--help"], ["--drain-timeout", "(default: 0s)", "--idle-timeout", "(default: 2m)"]),
    ])
    func helpListsTheFlagsWithHumanDefaults(args: [String], expected: [String]) throws {
        let r = try Self.run(args[0], Array(args.dropFirst()))
        #expect(r.status == 0, "\(r.combined)")
        for text in expected { #expect(r.stdout.contains(text), "\(args.joined(separator: " ")): \(text) in\n\(r.stdout)") }
        #expect(!r.stdout.contains("Duration("), "\(r.stdout)")
    }

    /// Every command and subcommand of the three executables: its help answers, and no
    /// default is printed as a Swift value.
    @Test func everyCommandsHelpShowsDefaultsAsTyped() throws {
        for tool in ["bcplan", "bcapply", "bcctl"] {
            let dump = try Self.run(tool, ["--experimental-dump-help"])
            #expect(dump.status == 0)
            let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
            var paths: [[String]] = []
            func walk(_ command: [String: Any], _ path: [String]) {
                paths.append(path)
                for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                    walk(sub, path + [sub["commandName"] as? String ?? ""])
                }
            }
            walk(json?["command"] as? [String: Any] ?? [:], [])
            #expect(paths.count > 1)
            for path in paths {
                let r = try Self.run(tool, path + ["--help"])
                #expect(r.status == 0, "\(tool) \(path) --help: \(r.combined)")
                #expect(r.stdout.contains("USAGE:"))
                #expect(!r.stdout.contains("Duration(") && !r.stdout.contains("Optional("), "\(tool) \(path): \(r.stdout)")
            }
        }
    }

    @Test func versionIsOneStringEveryWay() throws {
        var seen: Set<String> = []
        for tool in ["bcplan", "bcapply", "bcctl"] {
            for args in [["-version"], ["--version"], ["version"]] {
                let r = try Self.run(tool, args)
                #expect(r.status == 0, "\(tool) \(args): \(r.combined)")
                #expect(r.stderr.isEmpty, "\(tool) \(args): \(r.stderr)")
                seen.insert(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        #expect(seen.count == 1, "\(seen)")
        #expect(seen.first?.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression) != nil, "\(seen)")
    }

    @Test(arguments: [("bash", "-F _bcctl bcctl"), ("zsh", "#compdef bcctl"), ("fish", "complete -c 'bcctl'")])
    func completionScriptsAreGenerated(shell: String, marker: String) throws {
        let r = try Self.run("bcctl", ["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r.combined)")
        #expect(r.stdout.contains(marker), "\(r.stdout.prefix(300))")
        #expect(r.stdout.contains("controller") && r.stdout.contains("log-format"), "subcommands and their flags complete")
    }

    /// scripts/release.sh without the release build: man pages and completions of the built
    /// binaries.
    @Test func theReleaseScriptWritesManPages() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-release-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let bin = URL(fileURLWithPath: ProcessRunner.product("bcctl")).deletingLastPathComponent().path
        let r = try ProcessRunner.run("/bin/bash", ["scripts/release.sh", "--man-only", "--bin", bin, "--out", out])
        #expect(r.status == 0, "\(r.combined)")
        let pages = (try? FileManager.default.contentsOfDirectory(atPath: out + "/man/man1")) ?? []
        for page in ["bcplan.1", "bcplan.plan.1", "bcapply.apply.1", "bcctl.1", "bcctl.controller.run.1", "bcctl.engine.serve.1"] {
            #expect(pages.contains(page), "\(page) in \(pages.sorted())")
        }
        #expect(!pages.contains { $0.hasSuffix(".help.1") })
        let plan = (try? String(contentsOfFile: out + "/man/man1/bcplan.plan.1", encoding: .utf8)) ?? ""
        #expect(plan.contains("lock-timeout") && plan.contains(".Sh NAME"), "\(plan.prefix(400))")
        let run = (try? String(contentsOfFile: out + "/man/man1/bcctl.controller.run.1", encoding: .utf8)) ?? ""
        #expect(run.contains("log-format"))
        #expect(FileManager.default.fileExists(atPath: out + "/completions/bash/bcplan"))
        #expect(FileManager.default.fileExists(atPath: out + "/completions/zsh/_bcctl"))
        let version = (try? String(contentsOfFile: out + "/VERSION", encoding: .utf8)) ?? ""
        #expect(version.hasPrefix("bcops "), "\(version)")
    }
}
