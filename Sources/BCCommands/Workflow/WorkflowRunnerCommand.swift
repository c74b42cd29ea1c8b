import ArgumentParser
import BCPlan
import Foundation

/// `bcctl workflow runner`: what the public `cromwell` App runs. The workflow engine is
/// miniwdl, in Python, with bcops' backend (`python/miniwdl-bcops`); this command finds the
/// Python that has both and hands over to it, so the App's command line names a tool the
/// engine puts on every node's PATH rather than a path on this machine.
public struct WorkflowRunnerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runner", abstract: "Run a WDL workflow with miniwdl, one engine job per call (run by the engine's cromwell App).")

    @Option(help: "The WDL file on OSS.") public var wdl: String
    @Option(help: "The inputs JSON on OSS, or empty.") public var inputs = ""
    @Option(help: "Cromwell's workflow options JSON on OSS, or empty.") public var options = ""
    @Option(help: "OSS prefix of the calls' directories.") public var workingDir = ""
    @Option(help: "OSS prefix of the final outputs and the metadata.") public var outputsDir: String
    @Option(help: "WorkflowRuns (WorkflowRun/NAME, comma separated) that must have succeeded first.") public var dependsOn = ""
    @Option(help: "The run's id in the output tree (a Cromwell workflow id); empty: derived from the job id.") public var runId = ""

    public init() {}

    public func run() throws {
        let python = try WorkflowPython.find()
        let arguments = [python, "-m", "bcops_miniwdl.runner", "--wdl", wdl, "--inputs", inputs, "--options", options,
                         "--working-dir", workingDir, "--outputs-dir", outputsDir] + (dependsOn.isEmpty ? [] : ["--depends-on", dependsOn]) + (runId.isEmpty ? [] : ["--run-id", runId])
        // The runner's own errors name the fix; exec keeps its exit status and signals as the job's.
        let argv = arguments.map { strdup($0) } + [nil]
        // Async commands run on a thread that blocks most signals, and exec keeps the mask:
        // without this the runner would never see the SIGTERM that asks it to stop its calls.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        execv(python, argv)
        throw WorkflowPython.Missing(message: "cannot start \(python): \(String(cString: strerror(errno)))")
    }
}
