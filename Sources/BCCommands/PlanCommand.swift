import ArgumentParser
import BCClient
import BCManifest
import BCModel
import BCPlan
import Foundation

/// The flags that shape a plan, shared by bcplan and bcapply.
public struct PlanShapeOptions: ParsableArguments {
    @Option(name: .tf("target"), help: "Plan only this address (Kind/name) and what it depends on; repeatable.")
    public var target: [String] = []

    @Option(name: .tf("replace"), help: "Replace this object (or re-run this run) even if nothing changed; repeatable.")
    public var replace: [String] = []

    @Option(name: .tf("refresh"), help: "Compare with the live objects' values (-refresh=false compares with what bcops applied only).")
    public var refresh: Bool = true

    @Flag(name: .tf("destroy"), help: "Plan to delete everything the workspace owns.")
    public var destroy = false

    @Flag(name: .tf("prune-runs"), help: "Also delete finished runs whose manifests are gone.")
    public var pruneRuns = false

    public init() {}

    func addresses(_ list: [String], flag: String) throws -> Set<ResourceAddress> {
        Set(try list.map { text in
            guard let a = ResourceAddress(text) else { throw ValidationError("\(flag) \(text): expected Kind/name, such as Cluster/render-farm") }
            return a
        })
    }

    public func options() throws -> PlanOptions {
        PlanOptions(destroy: destroy, targets: try addresses(target, flag: "-target"), replace: try addresses(replace, flag: "-replace"),
                    pruneRuns: pruneRuns)
    }
}

/// `bcplan`: show how the live estate differs from the manifests.
public struct PlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show how the live batch estate differs from the manifests.",
        discussion: """
        Reads the manifests, refreshes the live state with one bulk list per kind (labels tell what the \
        workspace owns) and prints the plan. Exit codes with -detailed-exitcode: 0 converged (no changes, \
        no failed run), 1 error, 2 changes present or a declared run failed.
        """)

    @OptionGroup public var input: ManifestOptions
    @OptionGroup public var estate: EstateOptions
    @OptionGroup public var shape: PlanShapeOptions

    @Option(name: .tf("out"), help: "Save the plan to this file, for bcapply FILE.")
    public var out: String?

    @Flag(name: .tf("detailed-exitcode"), help: "Exit 2 when the plan has changes or a declared run failed (0 converged, 1 error).")
    public var detailedExitcode = false

    @Flag(name: .tf("json"), help: "Print the plan as JSON (Terraform's plan JSON shape).")
    public var json = false

    @Flag(name: .tf("markdown"), help: "Print the plan as a pull-request comment (at most 65,536 characters).")
    public var markdown = false

    @Option(name: .tf("input"), help: "Ask for input (bcplan never does; accepted for Terraform's habits).")
    public var interactive: Bool = true

    public init() {}

    public func run() async throws {
        try estate.enterDirectory()
        let err = Terminal(noColorFlag: input.noColor, stream: 2)
        // -workspace, $BCOPS_WORKSPACE, the directories' .bcops/settings.yaml, or default.
        let choice = try estate.workspaceChoice(directories: input.inputPaths, err: err)
        let commands = CommandSession(input: input, estate: estate, shape: shape, err: err)
        let planned: Planned
        do {
            planned = try await commands.session("plan", workspace: choice.name, detailed: json || markdown || out != nil).plan(commands.manifests)
        } catch {
            throw commands.failure(error, choice: choice)
        }
        var plan = planned.plan
        plan.workspaceOrigin = choice.origin
        if json {
            print(JSONPlanRenderer.render(plan, version: BCOpsVersion.string).canonicalString)
        } else if markdown {
            print(MarkdownPlanRenderer.render(plan), terminator: "")
        } else {
            let out = Terminal(noColorFlag: input.noColor)
            print(TextPlanRenderer(style: TextStyle(colour: out.color)).render(plan), terminator: "")
        }
        if let out {
            do { try PlanFiles.write(plan, to: out) } catch { throw fail("cannot write the plan to \(out): \(error)", err) }
            if !json && !markdown {
                print("\nSaved the plan to: \(out)\n\nTo perform exactly these actions, run the following command to apply:\n    bcapply \"\(out)\"")
            }
        }
        // 2 unless converged: changes to make, or a declared run that failed (docs/commands/plan.md).
        // The session's manifests and objects live until the process ends (`Planned`).
        withExtendedLifetime(planned) { Terminal.exitNow(detailedExitcode && !plan.converged ? 2 : 0) }
    }
}
