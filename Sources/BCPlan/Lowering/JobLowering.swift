import BCAPI
import BCModel

/// Job → a DAG job on `/jobs`, or (with `app:`) an App job (a `JobDescription` with `DAG` or
/// `App`). A run kind: any change submits a new run.
enum JobLowering {
    typealias Key = JobDescription.Field
    typealias TaskKey = JobDescription.TaskDescription.Field
    typealias ParametersKey = JobDescription.Parameters.CodingKeys
    typealias CommandKey = JobDescription.Command.CodingKeys
    typealias RunKey = JobDescription.AppRun.CodingKeys
    typealias RunConfigKey = JobDescription.AppRun.Config.Field
    typealias LoggingKey = JobDescription.AppRun.Logging.CodingKeys

    static func lower(_ spec: JobSpec) -> (fields: [DesiredField], dependencies: Set<ResourceAddress>) {
        var r = FieldRecorder(defaultRule: .rerun)
        var dependencies = Set<ResourceAddress>()
        r.set("description", [Key.description.rawValue], spec.description)
        r.set("priority", [Key.priority.rawValue], spec.priority)
        r.set("jobFailOnInstanceFail", [Key.jobFailOnInstanceFail.rawValue], spec.jobFailOnInstanceFail)
        r.set("autoRelease", [Key.autoRelease.rawValue], spec.autoRelease)
        r.set("notification", [Key.notification.rawValue], APIShapes.json(APIShapes.notification(spec.notification)))
        if let app = spec.app {
            lowerApp(app, spec, into: &r, dependencies: &dependencies)
            return (r.fields, dependencies)
        }
        let dag = Key.dag.rawValue, tasks = JobDescription.DAG.CodingKeys.tasks.rawValue
        let parameters = TaskKey.parameters.rawValue, command = ParametersKey.command.rawValue
        for (name, t) in (spec.tasks ?? [:]).sorted(by: { $0.key < $1.key }) {
            let base = "tasks.\(name)", api = [dag, tasks, name]
            r.set("\(base).instanceCount", api + [TaskKey.instanceCount.rawValue], t.instanceCount ?? 1)
            r.set("\(base).maxRetryCount", api + [TaskKey.maxRetryCount.rawValue], t.maxRetryCount)
            r.set("\(base).timeout", api + [TaskKey.timeout.rawValue], t.timeout)
            if let cluster = t.cluster {
                r.cluster("\(base).cluster", api + [TaskKey.clusterId.rawValue], cluster, dependencies: &dependencies)
            }
            if let a = t.autoCluster { r.set("\(base).autoCluster", api + [TaskKey.autoCluster.rawValue], APIShapes.json(APIShapes.autoCluster(a))) }
            r.set("\(base).command", api + [parameters, command, CommandKey.commandLine.rawValue], t.command)
            r.set("\(base).packagePath", api + [parameters, command, CommandKey.packagePath.rawValue], t.packagePath)
            r.env("\(base).env", api + [parameters, command, CommandKey.envVars.rawValue], t.env)
            r.set("\(base).docker", api + [parameters, command, CommandKey.docker.rawValue], APIShapes.json(APIShapes.docker(t.docker)))
            r.set("\(base).stdoutRedirectPath", api + [parameters, ParametersKey.stdoutRedirectPath.rawValue], t.stdoutRedirectPath)
            r.set("\(base).stderrRedirectPath", api + [parameters, ParametersKey.stderrRedirectPath.rawValue], t.stderrRedirectPath)
            let mappingConfig = t.inputMappingConfig.flatMap { JobDescription.InputMappingConfig(locale: $0.locale, lock: $0.lock).nonEmpty }
            r.set("\(base).inputMappingConfig", api + [parameters, ParametersKey.inputMappingConfig.rawValue], APIShapes.json(mappingConfig))
            r.set("\(base).inputMapping", api + [TaskKey.inputMapping.rawValue], APIShapes.json(t.inputMapping))
            r.set("\(base).outputMapping", api + [TaskKey.outputMapping.rawValue], APIShapes.json(t.outputMapping))
            r.set("\(base).logMapping", api + [TaskKey.logMapping.rawValue], APIShapes.json(t.logMapping))
            r.set("\(base).mounts", api + [TaskKey.mounts.rawValue], APIShapes.json(APIShapes.mounts(t.mounts)))
            r.set("\(base).writeSupport", api + [TaskKey.writeSupport.rawValue], t.writeSupport)
        }
        r.set("dependencies", [dag, JobDescription.DAG.CodingKeys.dependencies.rawValue], APIShapes.json(spec.dependencies ?? [:]))
        return (r.fields, dependencies)
    }

    /// `App.AppName`, `App.Inputs`, `App.Outputs`, `App.Config` (plain values) and
    /// `App.Logging`. The run comes after its App when the App is declared too (a dependency on
    /// an App that is not declared orders nothing).
    static func lowerApp(_ app: String, _ spec: JobSpec, into r: inout FieldRecorder, dependencies: inout Set<ResourceAddress>) {
        let run = Key.app.rawValue
        r.set("app", appNamePath, app)
        if !app.hasPrefix(":") { dependencies.insert(ResourceAddress(kind: .App, name: app)) }
        for (group, values, key) in [("inputs", spec.inputs, RunKey.inputs), ("outputs", spec.outputs, RunKey.outputs)] {
            for (name, value) in (values ?? [:]).sorted(by: { $0.key < $1.key }) {
                r.set("\(group).\(name)", [run, key.rawValue, name], value)
            }
        }
        if let c = spec.config {
            let api = [run, RunKey.config.rawValue]
            if let cluster = c.cluster {
                r.cluster("config.cluster", api + [RunConfigKey.clusterId.rawValue], cluster, dependencies: &dependencies)
            }
            if let a = c.autoCluster { r.set("config.autoCluster", api + [RunConfigKey.autoCluster.rawValue], APIShapes.json(APIShapes.autoCluster(a))) }
            r.set("config.instanceCount", api + [RunConfigKey.instanceCount.rawValue], c.instanceCount)
            r.set("config.maxRetryCount", api + [RunConfigKey.maxRetryCount.rawValue], c.maxRetryCount)
            r.set("config.timeout", api + [RunConfigKey.timeout.rawValue], c.timeout)
            r.set("config.resourceType", api + [RunConfigKey.resourceType.rawValue], c.resourceType?.rawValue)
            r.set("config.instanceType", api + [RunConfigKey.instanceType.rawValue], c.instanceType)
            if let system = c.disks?.systemDisk {
                r.set("config.disks.systemDisk.type", api + [RunConfigKey.diskType.rawValue], system.type?.rawValue)
                r.set("config.disks.systemDisk.size", api + [RunConfigKey.minDiskSize.rawValue], system.size)
            }
            if let data = c.disks?.dataDisk {
                r.set("config.disks.dataDisk.type", api + [RunConfigKey.dataDiskType.rawValue], data.type?.rawValue)
                r.set("config.disks.dataDisk.size", api + [RunConfigKey.minDataDiskSize.rawValue], data.size)
                r.set("config.disks.dataDisk.mountPoint", api + [RunConfigKey.dataDiskMountPoint.rawValue], data.mountPoint)
            }
            r.set("config.classicNetwork", api + [RunConfigKey.classicNetwork.rawValue], c.classicNetwork)
        }
        let logging = [run, RunKey.logging.rawValue]
        r.set("stdoutRedirectPath", logging + [LoggingKey.stdoutPath.rawValue], spec.stdoutRedirectPath)
        r.set("stderrRedirectPath", logging + [LoggingKey.stderrPath.rawValue], spec.stderrRedirectPath)
    }

    /// Where an App job names its App (`App.AppName`): the lowering writes it, the plan's
    /// checks read it (`AppJobChecks`).
    static let appNamePath = [Key.app.rawValue, RunKey.appName.rawValue]
}
