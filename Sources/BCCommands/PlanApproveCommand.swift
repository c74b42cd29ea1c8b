import ArgumentParser
import BCClient
import BCModel
import BCPlan
import Foundation

/// `bcctl plan-approve PLANFILE`: records that the plan in PLANFILE was reviewed for a git
/// revision. A controller started with `--require-reviewed-plan` applies that revision only
/// when the plan it computes has the same content hash. Meant for CI after review (on merge).
public struct PlanApproveCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan-approve",
        abstract: "Record a reviewed plan for a git revision (for a controller with --require-reviewed-plan).",
        discussion: """
        The revision defaults to $BCOPS_REVISION, $GITHUB_SHA, $CI_COMMIT_SHA, or `git rev-parse HEAD`. Deletes are \
        left out of the recorded hash unless -prune, as a controller without --prune never deletes.
        """)

    @Argument(help: "The plan file (bcplan -out FILE).") public var planFile: String
    @Option(name: .tf("revision"), help: "The git commit the plan was made for.") public var revision: String?
    @Flag(name: .tf("prune"), help: "The controller runs with --prune: deletes are part of the approved plan.") public var prune = false

    public init() {}

    public func run() async throws {
        let err = Terminal(noColorFlag: false, stream: 2)
        guard let plan = PlanFiles.read(planFile) else { throw fail("\(planFile) is not a bcops plan file", err) }
        guard let commit = revision ?? PlanApproveCommand.currentRevision() else {
            throw fail("no revision: give -revision SHA (or set GITHUB_SHA / CI_COMMIT_SHA, or run inside a git checkout)", err)
        }
        let digest = PlanDigest.contentHash(plan, includingDeletes: prune)
        let client: BatchComputeClient
        do { client = try EstateOptions().client() } catch { throw fail("\(error)", err) }
        let who = ProcessInfo.processInfo.environment["BCOPS_RUN_URL"] ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "bcops")@\(ProcessInfo.processInfo.hostName)"
        do {
            try await client.approve(Approval(workspace: plan.workspace, revision: commit, digest: digest, approvedBy: who))
        } catch { throw fail("\(error)", err) }
        print("Approved the plan for revision \(commit.prefix(12)) in workspace \(plan.workspace): \(plan.summary) (digest \(digest.prefix(12)))")
    }

    static func currentRevision() -> String? {
        let env = ProcessInfo.processInfo.environment
        for key in ["BCOPS_REVISION", "GITHUB_SHA", "CI_COMMIT_SHA"] { if let v = env[key], !v.isEmpty { return v } }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        let sha = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !sha.isEmpty ? sha : nil
    }
}
