/// A job, for work that is neither a render nor a workflow: a raw DAG job with BatchCompute's
/// TaskDescription fields (`tasks`), or a run of an App (`app`, BatchCompute's App job).
public struct JobSpec: ResourceSpec, Equatable {
    public static let kind = Kind.Job

    public var description: String?
    public var priority: Int?
    public var jobFailOnInstanceFail: Bool?
    public var autoRelease: Bool?
    public var notification: Notification?
    public var app: String?
    public var inputs: [String: String]?
    public var outputs: [String: String]?
    public var config: AppJobConfig?
    public var stdoutRedirectPath: String?
    public var stderrRedirectPath: String?
    public var tasks: [String: TaskSpec]?
    public var dependencies: [String: [String]]?
    public var rerun: String?

    public init(tasks: [String: TaskSpec]) { self.tasks = tasks }

    /// A run of an App.
    public init(app: String, inputs: [String: String]? = nil) { self.app = app; self.inputs = inputs }

    /// Whether this is a run of an App (`app:`) rather than a DAG of tasks.
    public var isAppJob: Bool { app != nil }

    public static let typeDescription = "A job: a DAG of tasks with BatchCompute's task fields, or a run of an App (app, inputs, outputs, config)."
    public static let fieldDocs: [String: FieldDoc] = [
        "description": FieldDoc("Free text."),
        "priority": FieldDoc("Job priority 0–1000 (higher first).", minimum: 0, maximum: 1000),
        "jobFailOnInstanceFail": FieldDoc("Fail the job when an instance fails (default true)."),
        "autoRelease": FieldDoc("Delete the job once it finishes."),
        "notification": FieldDoc("Where job events go."),
        "app": FieldDoc("Run this App (an App manifest's name, or an App that exists on the engine) instead of tasks.",
                        examples: ["word-count"]),
        "inputs": FieldDoc("App jobs: values of the App's input parameters, by name (quote numbers)."),
        "outputs": FieldDoc("App jobs: values of the App's output parameters, by name (OSS prefixes for outputs with a localPath)."),
        "config": FieldDoc("App jobs: overrides of the App's config (cluster, instances, retries, timeout, resources)."),
        "stdoutRedirectPath": FieldDoc("App jobs: OSS prefix receiving stdout.<job>.app.<instance> (bcctl logs reads it)."),
        "stderrRedirectPath": FieldDoc("App jobs: OSS prefix receiving stderr.<job>.app.<instance>."),
        "tasks": FieldDoc("DAG jobs: tasks by name."),
        "dependencies": FieldDoc("DAG jobs: upstream: [downstream, …]; a task starts when all its upstream tasks finished."),
        "rerun": FieldDoc("Change this token to run again with an unchanged spec."),
    ]

    public func validate(in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        if let p = priority { Rules.priority(p, at: spec / "priority", into: &sink) }
        switch (tasks, app) {
        case (nil, nil):
            sink.error(spec, "set tasks (a DAG job) or app (a run of an App)")
        case (.some, .some):
            sink.error(spec / "app", "set tasks or app, not both: a job is a DAG of tasks or a run of an App")
        case (nil, .some(let name)):
            validateAppJob(name, in: context, into: &sink)
            return
        case (.some(let tasks), nil):
            if tasks.isEmpty { sink.error(spec / "tasks", "a job needs at least one task") }
            for (field, set) in [("inputs", inputs != nil), ("outputs", outputs != nil), ("config", config != nil),
                                 ("stdoutRedirectPath", stdoutRedirectPath != nil), ("stderrRedirectPath", stderrRedirectPath != nil)] where set {
                let instead = field == "inputs" || field == "outputs" ? "" : "; a DAG job sets its settings on each task"
                sink.errorAtKey(spec / field, "\(field) is for App jobs (with app:)\(instead)")
            }
        }
        let tasks = self.tasks ?? [:]
        for (name, task) in tasks {
            let path = spec / "tasks" / name
            Rules.name(name, at: path, what: "task name", maxLength: 32, isKey: true, into: &sink)
            task.validate(in: context, at: path, into: &sink)
        }
        for (upstream, downstream) in dependencies ?? [:] {
            let path = spec / "dependencies" / upstream
            if tasks[upstream] == nil {
                sink.errorAtKey(path, "unknown task \"\(upstream)\"\(Suggestions.hint(for: upstream, in: tasks.keys.sorted()))")
            }
            for (i, d) in downstream.enumerated() where tasks[d] == nil {
                sink.error(path.appending(index: i), "unknown task \"\(d)\"\(Suggestions.hint(for: d, in: tasks.keys.sorted()))")
            }
        }
        if let cycle = dependencyCycle() {
            sink.error(spec / "dependencies", "dependencies form a cycle: \(cycle.joined(separator: " -> "))")
        }
    }

    /// The rules of a run of an App that need no other manifest; the App's own parameters are
    /// checked against it where it is declared (`ManifestSetValidator`).
    func validateAppJob(_ name: String, in context: ValidationContext, into sink: inout DiagnosticSink) {
        let spec = FieldPath.root / "spec"
        Rules.name(name.hasPrefix(":") ? String(name.dropFirst()) : name, at: spec / "app", what: "App name", into: &sink)
        if dependencies != nil {
            sink.errorAtKey(spec / "dependencies", "dependencies are for DAG jobs (tasks:); an App job has one task")
        }
        for (group, values) in [("inputs", inputs), ("outputs", outputs)] {
            for name in (values ?? [:]).keys {
                Rules.name(name, at: spec / group / name, what: "parameter name", isKey: true, into: &sink)
            }
        }
        if let s = stdoutRedirectPath { Rules.ossPrefix(s, at: spec / "stdoutRedirectPath", into: &sink) }
        if let s = stderrRedirectPath { Rules.ossPrefix(s, at: spec / "stderrRedirectPath", into: &sink) }
        config?.validate(in: context, at: spec / "config", into: &sink)
    }

    /// A cycle among the tasks, as a closed path of names, or nil.
    public func dependencyCycle() -> [String]? {
        let edges = dependencies ?? [:]
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ n: String) -> [String]? {
            if state[n] == 2 { return nil }
            if state[n] == 1 {
                let start = stack.firstIndex(of: n)!
                return Array(stack[start...]) + [n]
            }
            state[n] = 1
            stack.append(n)
            for next in (edges[n] ?? []).sorted() { if let c = visit(next) { return c } }
            stack.removeLast()
            state[n] = 2
            return nil
        }
        for n in edges.keys.sorted() { if let c = visit(n) { return c } }
        return nil
    }
}

/// What a run of an App overrides of the App's `config` (BatchCompute's App job `Config`,
/// plain values), and where it runs.
public struct AppJobConfig: Codable, Equatable, Sendable, SchemaDocumented {
    public var cluster: String?
    public var autoCluster: AutoClusterSpec?
    public var instanceCount: Int?
    public var maxRetryCount: Int?
    public var timeout: Int?
    public var resourceType: ResourceType?
    public var instanceType: String?
    public var disks: Disks?
    public var classicNetwork: Bool?

    public init() {}

    public static let typeDescription = "Overrides of the App's config for one run, and the cluster it runs on."
    public static let fieldDocs: [String: FieldDoc] = [
        "cluster": FieldDoc("A Cluster name or an existing cls- id (a runtime: host cluster runs Docker-image Apps' commands on the host)."),
        "autoCluster": FieldDoc("Or a pool created for this run."),
        "instanceCount": FieldDoc("Instances numbered 0..N-1 (default: the App's).", minimum: 1),
        "maxRetryCount": FieldDoc("Retries of a failed instance (default: the App's).", minimum: 0),
        "timeout": FieldDoc("Seconds before an instance is killed (default: the App's, else 86400).", minimum: 1, maximum: 604_800),
        "resourceType": FieldDoc("OnDemand or Spot (default: the App's)."),
        "instanceType": FieldDoc("Instance type of each node (default: the App's).", examples: ["ecs.sn1.medium"]),
        "disks": FieldDoc("Disks of each node (default: the App's)."),
        "classicNetwork": FieldDoc("Use the classic network instead of a VPC."),
    ]

    func validate(in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if cluster != nil && autoCluster != nil { sink.error(path / "autoCluster", "set cluster or autoCluster, not both") }
        if let c = cluster, !c.hasPrefix("cls-") { Rules.name(c, at: path / "cluster", what: "cluster name", into: &sink) }
        if let a = autoCluster { Rules.autoCluster(a, platform: .Linux, in: context, at: path / "autoCluster", into: &sink) }
        if let n = instanceCount { Rules.positive(n, at: path / "instanceCount", what: "instanceCount", into: &sink) }
        if let r = maxRetryCount { Rules.nonNegative(r, at: path / "maxRetryCount", what: "maxRetryCount", into: &sink) }
        if let t = timeout { Rules.timeout(t, at: path / "timeout", into: &sink) }
        if let t = instanceType { Rules.instanceType(t, in: context, at: path / "instanceType", into: &sink) }
        if let d = disks { Rules.disks(d, platform: .Linux, at: path / "disks", into: &sink) }
    }
}

/// One task: BatchCompute's TaskDescription with readable names.
public struct TaskSpec: Codable, Equatable, Sendable, SchemaDocumented {
    public var instanceCount: Int?
    public var maxRetryCount: Int?
    public var timeout: Int?
    public var cluster: String?
    public var autoCluster: AutoClusterSpec?
    public var command: String
    public var packagePath: String?
    public var env: [String: EnvValue]?
    public var docker: DockerImage?
    public var stdoutRedirectPath: String?
    public var stderrRedirectPath: String?
    public var inputMapping: [String: String]?
    public var outputMapping: [String: String]?
    public var logMapping: [String: String]?
    public var inputMappingConfig: MountOptions?
    public var mounts: Mounts?
    public var writeSupport: Bool?

    public init(command: String) { self.command = command }

    public static let typeDescription = "A task of a DAG job."
    public static let fieldDocs: [String: FieldDoc] = [
        "instanceCount": FieldDoc("Instances numbered 0..N-1 (BATCH_COMPUTE_DAG_INSTANCE_ID).", minimum: 1),
        "maxRetryCount": FieldDoc("Retries of a failed instance.", minimum: 0),
        "timeout": FieldDoc("Seconds before an instance's whole process group is killed (default 3600).", minimum: 1, maximum: 604_800),
        "cluster": FieldDoc("A Cluster name or an existing cls- id."),
        "autoCluster": FieldDoc("Or a pool created for this task."),
        "command": FieldDoc("Command line of each instance.", examples: ["python count.py"]),
        "packagePath": FieldDoc("oss:// path of a tar.gz unpacked into the working directory."),
        "env": FieldDoc("Environment of each instance."),
        "docker": FieldDoc("Run the command in this image."),
        "stdoutRedirectPath": FieldDoc("OSS prefix receiving stdout.<job>.<task>.<instance>."),
        "stderrRedirectPath": FieldDoc("OSS prefix receiving stderr.<job>.<task>.<instance>."),
        "inputMapping": FieldDoc("oss:// prefix → local path, read-only."),
        "outputMapping": FieldDoc("local path → oss:// prefix, uploaded when the instance ends."),
        "logMapping": FieldDoc("local file → oss:// prefix."),
        "inputMappingConfig": FieldDoc("Locale and locking of inputMapping."),
        "mounts": FieldDoc("OSS and NAS mounts of the task."),
        "writeSupport": FieldDoc("Allow local writes under inputMapping."),
    ]

    func validate(in context: ValidationContext, at path: FieldPath, into sink: inout DiagnosticSink) {
        if let n = instanceCount { Rules.positive(n, at: path / "instanceCount", what: "instanceCount", into: &sink) }
        if let r = maxRetryCount { Rules.nonNegative(r, at: path / "maxRetryCount", what: "maxRetryCount", into: &sink) }
        if let t = timeout { Rules.timeout(t, at: path / "timeout", into: &sink) }
        switch (cluster, autoCluster) {
        case (nil, nil): sink.error(path, "set cluster or autoCluster")
        case (.some, .some): sink.error(path / "autoCluster", "set cluster or autoCluster, not both")
        case (.some(let c), nil):
            if !c.hasPrefix("cls-") { Rules.name(c, at: path / "cluster", what: "cluster name", into: &sink) }
        case (nil, .some(let a)): Rules.autoCluster(a, platform: .Linux, in: context, at: path / "autoCluster", into: &sink)
        }
        if command.isBlank { sink.error(path / "command", "must not be empty") }
        if let p = packagePath {
            if Rules.ossURL(p, at: path / "packagePath", into: &sink), !p.hasSuffix(".tar.gz") {
                sink.error(path / "packagePath", "package \"\(p)\" must be a .tar.gz")
            }
        }
        if let e = env { Rules.env(e, at: path / "env", into: &sink) }
        if let s = stdoutRedirectPath { Rules.ossPrefix(s, at: path / "stdoutRedirectPath", into: &sink) }
        if let s = stderrRedirectPath { Rules.ossPrefix(s, at: path / "stderrRedirectPath", into: &sink) }
        for (oss, local) in inputMapping ?? [:] {
            Rules.ossURL(oss, at: path / "inputMapping" / oss, into: &sink)
            Rules.localPath(local, platform: .Linux, at: path / "inputMapping" / oss, into: &sink)
        }
        for (local, oss) in outputMapping ?? [:] {
            Rules.localPath(local, platform: .Linux, at: path / "outputMapping" / local, what: "local path", into: &sink)
            Rules.ossURL(oss, at: path / "outputMapping" / local, into: &sink)
        }
        for (local, oss) in logMapping ?? [:] {
            Rules.localPath(local, platform: .Linux, at: path / "logMapping" / local, what: "local file", into: &sink)
            Rules.ossPrefix(oss, at: path / "logMapping" / local, into: &sink)
        }
        if let m = mounts { Rules.mounts(m, platform: .Linux, at: path / "mounts", into: &sink) }
    }
}
