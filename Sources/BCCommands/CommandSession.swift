import ArgumentParser
import BCClient
import BCManifest
import BCModel
import BCPlan
import Foundation

/// bcplan's and bcapply's side of a reconcile session (`ReconcileSession`): the session their
/// flags describe, what it reports printed as it happens, and its failures worded as the
/// commands word them.
struct CommandSession {
    var input: ManifestOptions
    var estate: EstateOptions
    var shape: PlanShapeOptions
    let err: Terminal

    /// - Parameter observer: the apply's reports (bcapply); problems and a held lock are
    ///   printed here.
    func session(_ operation: String, workspace: String, detailed: Bool, apply: ApplyOptions = ApplyOptions(),
                 observer: SessionObserver = SessionObserver()) -> ReconcileSession {
        var observer = observer
        let err = self.err
        observer.problems = { problems in for p in problems { printError(err.red("error: ") + p) } }
        observer.lockRefused = { e in printError(err.red("Error: ") + e.description) }
        let shape = self.shape
        let settings = ReconcileSession.Settings(
            workspace: workspace, operation: operation, locking: estate.lock, lockTimeout: estate.lockTimeout.seconds,
            options: Result { try shape.options() }, refresh: shape.refresh, detailed: detailed, apply: apply,
            journalDirectory: CommandSession.dataDirectory + "/journals")
        return ReconcileSession(engine: Result { try estate.client() }, settings: settings, observer: observer)
    }

    /// The manifests the paths name, loaded on a thread of their own while the session takes
    /// the lock (`loadLowering`).
    var manifests: ManifestInput {
        let (paths, context) = (input.inputPaths, input.context())
        return .loading { loaded in await ManifestOptions.loadLowering(paths: paths, context: context, loaded: loaded) }
    }

    /// `$BCOPS_DATA`, else ~/.local/share/bcops.
    static var dataDirectory: String {
        ProcessInfo.processInfo.environment["BCOPS_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.local/share/bcops"
    }

    /// Prints a session's failure as bcplan and bcapply do, and returns what to throw: exit 1,
    /// or an error ArgumentParser prints itself (a flag that did not parse).
    /// - Parameter choice: the workspace a plan of manifests was for (nil for a saved plan).
    func failure(_ error: any Error, choice: WorkspaceChoice?) -> any Error {
        guard let e = error as? ReconcileError else { return error }
        switch e {
        case .invalidManifests(let problems):
            return fail("the manifests have \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was planned", err)
        case .lowering:
            return ExitCode(1)  // each was printed as found
        case .options(let error):
            return error
        case .noEngine(let error):
            return fail("\(error)", err)
        case .lock(let error as LockError):
            _ = error  // printed when it happened (`lockRefused`)
            return ExitCode(1)
        case .lock(let error):
            // A saved plan took its lock before anything else and let the engine's answer through.
            if choice == nil { return error }
            return engineFailure(error)
        case .read(let error):
            return choice == nil ? fail("\(error)", err) : engineFailure(error)
        case .refresh(let error):
            return fail("\(error)", err)
        case .collisions(let collisions, let located):
            if let choice {
                for c in collisions {
                    printError(err.red("error: ") + WorkspaceCollisions.message(c, workspace: choice, at: located[c.address], paths: input.inputPaths))
                }
            }
            return fail("\(collisions.count) object\(collisions.count == 1 ? " this plan would create belongs" : "s this plan would create belong") to another workspace; nothing was planned", err)
        case .lineageChanged(let workspace, let saved, let now):
            return fail("Saved plan does not match the given state\n\nThe given plan file was made for workspace \(workspace) with lineage \(saved), but the engine's workspace has lineage \(now).", err)
        case .stale(let saved, let now):
            return fail("Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created (serial \(saved), now \(now)). Run bcplan again.", err)
        case .savedRefresh(let error):
            return error
        case .journal(let directory, let error):
            return fail("cannot open the apply journal in \(directory): \(error)", err)
        case .refused(let refusal):
            return fail("\(refusal)", err)
        }
    }

    /// The engine's own errors are worded; anything else is left to ArgumentParser.
    func engineFailure(_ error: any Error) -> any Error {
        if let e = error as? APIError { return fail("\(e)", err) }
        return error
    }
}

extension ManifestOptions {
    /// `load()`, lowering every manifest on the thread that decodes it (`PlanPipeline.prepare`),
    /// on a thread of its own: loading blocks the thread it runs on and one more (the loader's
    /// second worker), and Swift's task pool is only as wide as the machine (two threads here),
    /// so loading on a task's thread held back the background task (the lock, the inventory)
    /// until loading ended.
    /// - Parameter loaded: `ManifestLoader.loaded`.
    static func loadLowering(paths: [String], context: (ValidationContext, [Diagnostic]),
                             loaded: (@Sendable ([LoadedManifest], [String]) -> Void)? = nil) async -> LoadResult {
        await ManifestOptions.onThread {
            ManifestOptions.load(paths: paths, context: context) { ManifestLoader(context: $0, prepare: PlanPipeline.prepare, loaded: loaded) }
        }
    }

    /// Runs blocking `work` on a new thread, outside Swift's task pool.
    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.stackSize = 8 << 20  // as the main thread's: the YAML composer recurses
            thread.start()
        }
    }
}
