import BCModel

/// Job → a DAG job on `/jobs`, or (with `app:`) an App job (BatchCompute's
/// AppJobDescription). A run kind: any change submits a new run.
enum JobLowering {
    static func lower(_ spec: JobSpec) -> (fields: [DesiredField], dependencies: Set<ResourceAddress>) {
        var r = FieldRecorder(defaultRule: .rerun)
        var dependencies = Set<ResourceAddress>()
        r.set("description", ["Description"], spec.description)
        r.set("priority", ["Priority"], spec.priority)
        r.set("jobFailOnInstanceFail", ["JobFailOnInstanceFail"], spec.jobFailOnInstanceFail)
        r.set("autoRelease", ["AutoRelease"], spec.autoRelease)
        r.set("notification", ["Notification"], APIShapes.notification(spec.notification))
        if let app = spec.app {
            lowerApp(app, spec, into: &r, dependencies: &dependencies)
            return (r.fields, dependencies)
        }
        for (name, t) in (spec.tasks ?? [:]).sorted(by: { $0.key < $1.key }) {
            let base = "tasks.\(name)", api = ["DAG", "Tasks", name]
            r.set("\(base).instanceCount", api + ["InstanceCount"], t.instanceCount ?? 1)
            r.set("\(base).maxRetryCount", api + ["MaxRetryCount"], t.maxRetryCount)
            r.set("\(base).timeout", api + ["Timeout"], t.timeout)
            if let cluster = t.cluster {
                if let target = APIShapes.clusterReference(cluster) {
                    r.reference("\(base).cluster", api + ["ClusterId"], target)
                    dependencies.insert(target)
                } else {
                    r.set("\(base).cluster", api + ["ClusterId"], cluster)
                }
            }
            if let a = t.autoCluster { r.set("\(base).autoCluster", api + ["AutoCluster"], APIShapes.autoCluster(a)) }
            r.set("\(base).command", api + ["Parameters", "Command", "CommandLine"], t.command)
            r.set("\(base).packagePath", api + ["Parameters", "Command", "PackagePath"], t.packagePath)
            r.env("\(base).env", api + ["Parameters", "Command", "EnvVars"], t.env)
            r.set("\(base).docker", api + ["Parameters", "Command", "Docker"], APIShapes.docker(t.docker))
            r.set("\(base).stdoutRedirectPath", api + ["Parameters", "StdoutRedirectPath"], t.stdoutRedirectPath)
            r.set("\(base).stderrRedirectPath", api + ["Parameters", "StderrRedirectPath"], t.stderrRedirectPath)
            r.set("\(base).inputMappingConfig", api + ["Parameters", "InputMappingConfig"],
                  t.inputMappingConfig.flatMap { APIShapes.object([("Locale", APIShapes.string($0.locale)), ("Lock", APIShapes.bool($0.lock))]) })
            r.set("\(base).inputMapping", api + ["InputMapping"], APIShapes.stringMap(t.inputMapping))
            r.set("\(base).outputMapping", api + ["OutputMapping"], APIShapes.stringMap(t.outputMapping))
            r.set("\(base).logMapping", api + ["LogMapping"], APIShapes.stringMap(t.logMapping))
            r.set("\(base).mounts", api + ["Mounts"], APIShapes.mounts(t.mounts))
            r.set("\(base).writeSupport", api + ["WriteSupport"], t.writeSupport)
        }
        let deps = (spec.dependencies ?? [:]).mapValues { JSONValue.array($0.map(JSONValue.string)) }
        r.set("dependencies", ["DAG", "Dependencies"], JSONValue.object(deps))
        return (r.fields, dependencies)
    }

    /// `App.AppName`, `App.Inputs`, `App.Outputs`, `App.Config` (plain values) and
    /// `App.Logging`. The run comes after its App when the App is declared too (a dependency on
    /// an App that is not declared orders nothing).
    static func lowerApp(_ app: String, _ spec: JobSpec, into r: inout FieldRecorder, dependencies: inout Set<ResourceAddress>) {
        r.set("app", ["App", "AppName"], app)
        if !app.hasPrefix(":") { dependencies.insert(ResourceAddress(kind: .App, name: app)) }
        for (group, values, api) in [("inputs", spec.inputs, "Inputs"), ("outputs", spec.outputs, "Outputs")] {
            for (name, value) in (values ?? [:]).sorted(by: { $0.key < $1.key }) {
                r.set("\(group).\(name)", ["App", api, name], value)
            }
        }
        if let c = spec.config {
            let api = ["App", "Config"]
            if let cluster = c.cluster {
                if let target = APIShapes.clusterReference(cluster) {
                    r.reference("config.cluster", api + ["ClusterId"], target)
                    dependencies.insert(target)
                } else {
                    r.set("config.cluster", api + ["ClusterId"], cluster)
                }
            }
            if let a = c.autoCluster { r.set("config.autoCluster", api + ["AutoCluster"], APIShapes.autoCluster(a)) }
            r.set("config.instanceCount", api + ["InstanceCount"], c.instanceCount)
            r.set("config.maxRetryCount", api + ["MaxRetryCount"], c.maxRetryCount)
            r.set("config.timeout", api + ["Timeout"], c.timeout)
            r.set("config.resourceType", api + ["ResourceType"], c.resourceType?.rawValue)
            r.set("config.instanceType", api + ["InstanceType"], c.instanceType)
            if let system = c.disks?.systemDisk {
                r.set("config.disks.systemDisk.type", api + ["DiskType"], system.type?.rawValue)
                r.set("config.disks.systemDisk.size", api + ["MinDiskSize"], system.size)
            }
            if let data = c.disks?.dataDisk {
                r.set("config.disks.dataDisk.type", api + ["DataDiskType"], data.type?.rawValue)
                r.set("config.disks.dataDisk.size", api + ["MinDataDiskSize"], data.size)
                r.set("config.disks.dataDisk.mountPoint", api + ["DataDiskMountPoint"], data.mountPoint)
            }
            r.set("config.classicNetwork", api + ["ClassicNetwork"], c.classicNetwork)
        }
        r.set("stdoutRedirectPath", ["App", "Logging", "StdoutPath"], spec.stdoutRedirectPath)
        r.set("stderrRedirectPath", ["App", "Logging", "StderrPath"], spec.stderrRedirectPath)
    }
}
