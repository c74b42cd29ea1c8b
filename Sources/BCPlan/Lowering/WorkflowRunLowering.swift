import BCAPI
import BCModel

/// WorkflowRun → a job of the engine's public App `cromwell`, the seed's `bcs asub cromwell`:
/// the staged WDL, inputs and options as its inputs, `spec.runner` as its config. The runner
/// on its node submits one job per WDL call. A run kind: a changed WDL, inputs or options
/// (their staged names hold their content hashes) runs again.
enum WorkflowRunLowering {
    typealias Key = JobDescription.Field
    typealias RunKey = JobDescription.AppRun.CodingKeys
    typealias ConfigKey = JobDescription.AppRun.Config.Field
    typealias LoggingKey = JobDescription.AppRun.Logging.CodingKeys
    typealias Input = CromwellApp.Input

    struct Lowered {
        var fields: [DesiredField]
        var dependencies: Set<ResourceAddress>
        var summary: String
    }

    static func lower(_ spec: WorkflowRunSpec, name: String, bundle: WorkflowBundle) -> Lowered {
        var r = FieldRecorder(defaultRule: .rerun)
        var dependencies = Set<ResourceAddress>()
        let run = Key.app.rawValue
        let inputs = [run, RunKey.inputs.rawValue], config = [run, RunKey.config.rawValue]
        r.set("description", [Key.description.rawValue], spec.description)
        r.set("workflow", inputs + [Input.wdl.rawValue], bundle.workflow)
        r.set("inputs", inputs + [Input.inputs.rawValue], bundle.inputs)
        r.set("options", inputs + [Input.options.rawValue], bundle.options)
        r.set("workingDir", inputs + [Input.workingDir.rawValue], spec.workingDir ?? defaultWorkingDir(spec))
        r.set("outputsDir", [run, RunKey.outputs.rawValue, CromwellApp.Output.outputsDir.rawValue], spec.outputsDir)
        let after = (spec.dependsOn ?? []).map { ResourceAddress(kind: .WorkflowRun, name: $0) }
        if !after.isEmpty {
            r.set("dependsOn", inputs + [Input.dependsOn.rawValue], after.map(\.description).joined(separator: ","))
            dependencies.formUnion(after)
        }
        if let runner = spec.runner {
            r.set("runner.instanceType", config + [ConfigKey.instanceType.rawValue], runner.instanceType)
            r.set("runner.diskType", config + [ConfigKey.diskType.rawValue], runner.diskType?.rawValue)
            r.set("runner.timeout", config + [ConfigKey.timeout.rawValue], runner.timeout)
            if let cluster = runner.cluster {
                r.cluster("runner.cluster", config + [ConfigKey.clusterId.rawValue], cluster, dependencies: &dependencies)
            }
        }
        let logs = "oss://\(WorkflowSources.bucket(of: spec.outputsDir))/bcops/logs/\(name)/", logging = [run, RunKey.logging.rawValue]
        r.set("logs", logging + [LoggingKey.stdoutPath.rawValue], logs)
        r.set("logs.stderr", logging + [LoggingKey.stderrPath.rawValue], logs)
        return Lowered(fields: r.fields, dependencies: dependencies, summary: String(spec.workflow.split(separator: "/").last ?? Substring(spec.workflow)))
    }

    /// Where calls' directories go when the manifest names no `workingDir`: beside the staged sources.
    static func defaultWorkingDir(_ spec: WorkflowRunSpec) -> String {
        WorkflowSources.stagingPrefix(spec) + "work/"
    }

    /// What BatchCompute requires of the runner's App job.
    static let fixed = Lowering.parts(JobDescription(name: "", type: .app, priority: 1, jobFailOnInstanceFail: true, autoRelease: false,
                                                     app: .init(appName: CromwellApp.jobAppName)))
}
