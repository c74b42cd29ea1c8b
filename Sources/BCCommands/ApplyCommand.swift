import ArgumentParser
import BCClient
import BCModel
import BCPlan
import Foundation

/// `bcapply [DIR|PLANFILE]`: make the live estate match — a saved plan exactly as reviewed,
/// or a fresh plan after confirmation.
public struct ApplyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the live batch estate match the manifests.",
        discussion: """
        With a plan file (bcplan -out FILE) it applies exactly that plan, and refuses it if the workspace \
        changed since ("Saved plan is stale"). Otherwise it plans, shows the plan and asks for "yes" unless \
        -auto-approve. Exits 0 when everything was applied and 1 otherwise, listing what succeeded and what remains.
        """)

    @OptionGroup public var input: ManifestOptions
    @OptionGroup public var estate: EstateOptions
    @OptionGroup public var shape: PlanShapeOptions

    @Flag(name: .tf("auto-approve"), help: "Apply without asking.")
    public var autoApprove = false

    @Option(name: .tf("input"), help: "Ask for approval on the terminal (-input=false never asks: use -auto-approve or a plan file).")
    public var interactive: Bool = true

    @Option(name: .tf("parallelism"), help: "Operations in flight at once.")
    public var parallelism = 10

    @Option(name: .tf("max-deletes"), help: "Refuse to delete more objects than this in one apply.")
    public var maxDeletes: Int?

    @Flag(name: .tf("allow-mass-delete"), help: "Allow deleting more than half of the owned objects (or more than -max-deletes).")
    public var allowMassDelete = false

    @Flag(name: .tf("json"), help: "Print progress and the result as JSON lines.")
    public var json = false

    public init() {}

    public func run() async throws {
        try estate.enterDirectory()
        let out = Terminal(noColorFlag: input.noColor)
        let err = Terminal(noColorFlag: input.noColor, stream: 2)
        let style = TextStyle(colour: out.color)
        let commands = CommandSession(input: input, estate: estate, shape: shape, err: err)
        let json = self.json
        let options = ApplyOptions(parallelism: parallelism, maxDeletes: maxDeletes, allowMassDelete: allowMassDelete)
        let observer = SessionObserver(resuming: { interrupted in
            let note = "Resuming after an interrupted apply: \(interrupted.count) operation\(interrupted.count == 1 ? " was" : "s were") in flight (\(interrupted.map { "\($0.address) \($0.call)" }.joined(separator: "; "))). What they created carries bcops' labels, so this plan already accounts for it."
            if json { printError(note) } else { print(style.yellow(note) + "\n") }
        }, progress: { event in ApplyCommand.report(event, style: style, json: json) })
        let applied: Applied
        if input.paths.count == 1, let saved = PlanFiles.read(input.paths[0]) {
            // The plan's workspace, whatever the flags or settings say now.
            let session = commands.session("apply", workspace: saved.workspace, detailed: false, apply: options, observer: observer)
            do { applied = try await session.apply(saved: saved) } catch { throw commands.failure(error, choice: nil) }
        } else {
            let choice = try estate.workspaceChoice(directories: input.inputPaths, err: err)
            let session = commands.session("apply", workspace: choice.name, detailed: false, apply: options, observer: observer)
            let reconciled: Reconciled<Void>
            do {
                reconciled = try await session.apply(commands.manifests) { planned in try approve(planned, origin: choice.origin, style: style) }
            } catch Approval.notGiven {
                throw fail("no approval: -input=false needs -auto-approve or a saved plan (bcplan -out FILE, then bcapply FILE)", err)
            } catch Approval.cancelled {
                print("\nApply cancelled.")
                throw ExitCode(1)
            } catch {
                throw commands.failure(error, choice: choice)
            }
            guard case .applied(let done) = reconciled else { return }  // nothing to apply
            applied = done
        }
        if let e = applied.serialError {
            printError(err.yellow("Warning: ") + "could not move workspace \(applied.plan.workspace)'s serial on (\(e)): plans saved before this apply are not refused as stale")
        }
        let result = applied.result
        if !result.failed.isEmpty || !result.remaining.isEmpty {
            printError("")
            for f in result.failed { printError(err.red("Error: ") + "\(f.address): \(f.message)") }
            if !result.done.isEmpty { printError("\nSucceeded: " + result.done.map { "\($0.address) (\(ApplyCommand.past($0.action)))" }.joined(separator: ", ")) }
            let remaining = result.failed.map(\.address) + result.remaining
            printError("Remaining: " + remaining.map(\.description).joined(separator: ", "))
            printError("\n" + result.summary + " Run bcapply again to finish once the errors are fixed.")
            throw ExitCode(1)
        }
        if json {
            ApplyCommand.printSummary("apply_summary", result.summary, result.counts)
        } else {
            print("\n" + style.green(style.bold(result.summary)))
        }
    }

    /// Why bcapply applies nothing after showing the plan.
    enum Approval: Error {
        /// -input=false without -auto-approve.
        case notGiven
        /// Anything but "yes" at the prompt.
        case cancelled
    }

    /// Shows the plan (a change summary line with -json) and asks for "yes" unless
    /// -auto-approve, still under the lock; stops when there is nothing to apply.
    func approve(_ planned: Planned, origin: String, style: TextStyle) throws -> Decision<Void> {
        var plan = planned.plan
        plan.workspaceOrigin = origin
        if json {
            // Terraform's -json: one change summary line instead of the text plan.
            ApplyCommand.printSummary("change_summary", plan.summary, plan.counts)
        } else {
            print(TextPlanRenderer(style: style).render(plan), terminator: "")
        }
        guard plan.hasChanges || plan.staleLabels > 0 else { return .stop(()) }
        if !autoApprove && plan.hasChanges {
            guard interactive else { throw Approval.notGiven }
            print("\nDo you want to perform these actions in workspace \"\(plan.workspace)\"?\n  bcops will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n")
            print("  Enter a value: ", terminator: "")
            fflush(nil)
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw Approval.cancelled }
            print("")
        }
        return .apply(plan)
    }

    /// A `-json` summary line.
    static func printSummary(_ type: String, _ sentence: String, _ counts: ChangeCounts) {
        print(JSONValue.object(["type": .string(type), "summary": .string(sentence), "changes": counts.json]).canonicalString)
    }

    static func past(_ a: PlanAction) -> String {
        switch a {
        case .create: "created"
        case .update: "updated"
        case .replace: "replaced"
        case .delete: "destroyed"
        case .run: "submitted"
        case .noop: "unchanged"
        }
    }

    static func verbs(_ a: PlanAction) -> (ing: String, done: String) {
        switch a {
        case .create, .noop: ("Creating...", "Creation complete")
        case .update: ("Modifying...", "Modifications complete")
        case .replace: ("Replacing...", "Replacement complete")
        case .delete: ("Destroying...", "Destruction complete")
        case .run: ("Submitting...", "Submitted")
        }
    }

    static func report(_ event: ApplyEvent, style: TextStyle, json: Bool) {
        if json {
            let line: JSONValue = switch event {
            case .started(let a, let action): .object(["type": .string("apply_start"), "address": .string(a.description), "action": .string(action.rawValue)])
            case .still(let a, let action, let s): .object(["type": .string("apply_progress"), "address": .string(a.description), "action": .string(action.rawValue), "elapsed_seconds": .integer(s)])
            case .finished(let a, let action, let s, let id): .object(["type": .string("apply_complete"), "address": .string(a.description), "action": .string(action.rawValue), "elapsed_seconds": .number(s), "id": id.map(JSONValue.string) ?? .null])
            case .failed(let a, let action, let m): .object(["type": .string("apply_errored"), "address": .string(a.description), "action": .string(action.rawValue), "message": .string(m)])
            case .skipped(let a, let b): .object(["type": .string("apply_skipped"), "address": .string(a.description), "because": .string(b.description)])
            }
            print(line.canonicalString)
            fflush(nil)
            return
        }
        switch event {
        case .started(let a, let action):
            print("\(style.bold(a.description)): \(verbs(action).ing)")
        case .still(let a, let action, let s):
            print("\(style.bold(a.description)): Still \(verbs(action).ing.lowercased().replacingOccurrences(of: "...", with: "")) [\(s)s elapsed]")
        case .finished(let a, let action, let s, let id):
            print("\(style.bold(a.description)): \(verbs(action).done) after \(Int(s.rounded()))s\(id.map { " [id=\($0)]" } ?? "")")
        case .failed(let a, _, let m):
            print("\(style.bold(a.description)): " + style.red("failed: ") + m)
        case .skipped(let a, let b):
            print("\(style.bold(a.description)): skipped, because \(b) failed")
        }
        fflush(nil)
    }
}
