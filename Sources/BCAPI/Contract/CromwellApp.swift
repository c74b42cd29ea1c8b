/// The public App `cromwell`, as BatchCompute offered it for `bcs asub cromwell …`: its
/// parameters are the wire contract between a WorkflowRun's lowering, `bcs` users and the
/// engine that serves the App.
public enum CromwellApp {
    public static let name = "cromwell"
    /// How a job names it: public Apps are written with a leading `:`.
    public static let jobAppName = ":" + name

    public enum Input: String, CaseIterable, Sendable {
        case wdl = "WDL", inputs = "WORKFLOW_INPUTS", options = "WORKFLOW_OPTIONS", workingDir = "WORKING_DIR"
        /// bcops' addition: WorkflowRuns (`WorkflowRun/name`, comma separated) whose newest run
        /// in the same workspace must have succeeded before this one starts.
        case dependsOn = "DEPENDS_ON"
        /// bcops' addition: the run's id in its output tree, when the submitter has one (the
        /// Cromwell API's workflow id); empty: derived from the runner's job id.
        case workflowId = "WORKFLOW_ID"
    }

    public enum Output: String, CaseIterable, Sendable { case outputsDir = "OUTPUTS_DIR" }

    /// Values are substituted inside single quotes; the runner checks each.
    public static let description = AppDescription(
        name: name,
        description: "Runs a WDL workflow with miniwdl: one BatchCompute job per call, Cromwell's BatchCompute layout under WORKING_DIR.",
        vm: .init(ecsImageId: "img-ubuntu-vpc"),
        // `exec`: the runner, not a shell, leads the instance's process group and gets its signals.
        commandLine: "exec bcctl workflow runner --wdl '${WDL}' --inputs '${WORKFLOW_INPUTS}' --options '${WORKFLOW_OPTIONS}'"
            + " --working-dir '${WORKING_DIR}' --outputs-dir '${OUTPUTS_DIR}' --depends-on '${DEPENDS_ON}' --run-id '${WORKFLOW_ID}'",
        inputParameters: [
            Input.wdl.rawValue: .init(type: .string, description: "The workflow's WDL file on OSS; its imports beside it."),
            Input.inputs.rawValue: .init(type: .string, default: "", description: "The inputs JSON on OSS."),
            Input.options.rawValue: .init(type: .string, default: "", description: "Cromwell's workflow options JSON on OSS."),
            Input.workingDir.rawValue: .init(type: .string, default: "", description: "OSS prefix of the calls' directories."),
            Input.dependsOn.rawValue: .init(type: .string, default: "", description: "WorkflowRuns that must have succeeded first (bcops)."),
            Input.workflowId.rawValue: .init(type: .string, default: "", description: "The run's id in the output tree; empty: from the job id (bcops)."),
        ],
        outputParameters: [
            Output.outputsDir.rawValue: .init(type: .string, description: "OSS prefix receiving the final outputs and the metadata."),
        ],
        config: .init(instanceCount: .init(default: 1, overwritable: false), timeout: .init(default: 86_400, overwritable: true)))
}
