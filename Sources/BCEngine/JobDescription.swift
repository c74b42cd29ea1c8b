import BCAPI
import Foundation

/// A submitted job (DAG or App), checked field by field as BatchCompute does.
struct JobDescription {
    var name: String
    var type: String
    var priority: Int
    var tasks: [(name: String, instances: Int)]
    /// The longest a task may run (App jobs: their Config or the App's default), for a `sync` create.
    var timeout = 86_400

    /// The fields each object may have, as the contract's types name them: anything else is an
    /// unknown field (`InvalidHttpBody`).
    static let topLevel = wireKeys(JobKey.self)
    static let taskFields = wireKeys(TaskKey.self)
    static let parameterFields = wireKeys(ParametersKey.self)
    static let commandFields = wireKeys(CommandKey.self)
    static let appFields = wireKeys(AppRunKey.self)

    init(_ o: [String: Any], engine: Engine) throws {
        try JSONBody.checkKnown(o, JobDescription.topLevel, where: "")
        try JSONBody.checkLabels(o)
        name = try JSONBody.string(o, JobKey.name.rawValue, required: true)!
        guard !name.isEmpty, name.utf8.count <= 128 else { throw APIError.invalid(JobKey.name.rawValue, "must be 1 to 128 characters") }
        type = try JSONBody.string(o, JobKey.type.rawValue) ?? WireJobType.dag.rawValue
        guard WireJobType(rawValue: type) != nil else { throw APIError.invalid(JobKey.type.rawValue, "must be DAG or App") }
        let p = try JSONBody.int(o, JobKey.priority.rawValue, required: type == WireJobType.dag.rawValue) ?? 0
        guard (0...1000).contains(p) else { throw APIError.invalid(JobKey.priority.rawValue, "must be 0 to 1000") }
        priority = p
        _ = try JSONBody.bool(o, JobKey.jobFailOnInstanceFail.rawValue)
        _ = try JSONBody.bool(o, JobKey.autoRelease.rawValue)
        if type == WireJobType.dag.rawValue {
            tasks = try JobDescription.dagTasks(try JSONBody.dict(o, JobKey.dag.rawValue, required: true)!, engine: engine)
        } else {
            let app = try JSONBody.dict(o, JobKey.app.rawValue, required: true)!
            tasks = try JobDescription.appTask(app, engine: engine)
            if let config = try JSONBody.dict(app, AppRunKey.config.rawValue), let t = try JSONBody.int(config, AppRunConfigKey.timeout.rawValue) { timeout = t }
        }
    }

    static func dagTasks(_ dag: [String: Any], engine: Engine) throws -> [(name: String, instances: Int)] {
        try JSONBody.checkKnown(dag, wireKeys(DAGKey.self), where: "DAG.")
        let taskMap = try JSONBody.dict(dag, DAGKey.tasks.rawValue, required: true)!
        guard !taskMap.isEmpty else { throw APIError.invalid(DAGKey.tasks.rawValue, "a job needs at least one task") }
        var out: [(String, Int)] = []
        for (name, value) in taskMap.sorted(by: { $0.key < $1.key }) {
            guard name.range(of: #"^[A-Za-z_-][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
                throw APIError.invalid("TaskName", "\"\(name)\": letters, digits, _ and -, not starting with a digit")
            }
            guard let task = value as? [String: Any] else { throw APIError.invalid(DAGKey.tasks.rawValue, "task \(name) must be an object") }
            try JSONBody.checkKnown(task, taskFields, where: "DAG.Tasks.\(name).")
            let count = try JSONBody.int(task, TaskKey.instanceCount.rawValue) ?? 1
            guard count >= 1, count <= 100_000 else { throw APIError.invalid(TaskKey.instanceCount.rawValue, "must be 1 to 100000, got \(count)") }
            if let r = try JSONBody.int(task, TaskKey.maxRetryCount.rawValue), r < 0 { throw APIError.invalid(TaskKey.maxRetryCount.rawValue, "must be ≥ 0, got \(r)") }
            if let t = try JSONBody.int(task, TaskKey.timeout.rawValue), t < 1 { throw APIError.invalid(TaskKey.timeout.rawValue, "must be ≥ 1, got \(t)") }
            let cluster = try JSONBody.string(task, TaskKey.clusterId.rawValue)
            let auto = try JSONBody.dict(task, TaskKey.autoCluster.rawValue)
            if (cluster ?? "").isEmpty && auto == nil { throw APIError.missing(TaskKey.clusterId.rawValue) }
            if let auto { try checkAutoCluster(auto, engine: engine) }
            let params = try JSONBody.dict(task, TaskKey.parameters.rawValue, required: true)!
            try JSONBody.checkKnown(params, parameterFields, where: "DAG.Tasks.\(name).Parameters.")
            let command = try JSONBody.dict(params, ParametersKey.command.rawValue, required: true)!
            try JSONBody.checkKnown(command, commandFields, where: "DAG.Tasks.\(name).Parameters.Command.")
            _ = try JSONBody.string(command, CommandKey.commandLine.rawValue, required: true)
            for key in [ParametersKey.stdoutRedirectPath.rawValue, ParametersKey.stderrRedirectPath.rawValue] {
                if let path = try JSONBody.string(params, key), !path.isEmpty { try checkOSS(path, key) }
            }
            if let pkg = try JSONBody.string(command, CommandKey.packagePath.rawValue), !pkg.isEmpty { try checkOSS(pkg, CommandKey.packagePath.rawValue) }
            for key in [TaskKey.inputMapping.rawValue, TaskKey.outputMapping.rawValue, TaskKey.logMapping.rawValue] {
                for (k, v) in try JSONBody.dict(task, key) ?? [:] {
                    guard let v = v as? String else { throw APIError.invalid(key, "values must be strings") }
                    try checkOSS(key == TaskKey.inputMapping.rawValue ? k : v, key)
                }
            }
            out.append((name, count))
        }
        let deps = try JSONBody.dict(dag, DAGKey.dependencies.rawValue) ?? [:]
        var edges: [String: [String]] = [:]
        for (from, to) in deps {
            guard taskMap[from] != nil else { throw APIError.invalid(DAGKey.dependencies.rawValue, "unknown task \(from)") }
            guard let list = to as? [String] else { throw APIError.invalid(DAGKey.dependencies.rawValue, "values must be lists of task names") }
            for t in list where taskMap[t] == nil { throw APIError.invalid(DAGKey.dependencies.rawValue, "unknown task \(t)") }
            edges[from] = list
        }
        if hasCycle(edges) { throw APIError(400, "BadDAG", "It is a cyclic dag.") }
        return out
    }

    /// An AutoCluster's image and instance type are checked as a cluster's are: an image the
    /// engine knows (`InvalidImageId`), a type in its catalog (`InvalidInstanceType`).
    static func checkAutoCluster(_ auto: [String: Any], engine: Engine) throws {
        for key in [AutoClusterKey.imageId.rawValue, AutoClusterKey.ecsImageId.rawValue] {
            if let id = try JSONBody.string(auto, key), !id.isEmpty { try ImagesAPI.checkKnown(id, field: TaskKey.autoCluster.rawValue + "." + key, store: engine.store) }
        }
        if let t = try JSONBody.string(auto, AutoClusterKey.instanceType.rawValue), !t.isEmpty, engine.catalog[t] == nil {
            throw APIError.invalid(AutoClusterKey.instanceType.rawValue, "unknown instance type \(t)")
        }
    }

    static func appTask(_ app: [String: Any], engine: Engine) throws -> [(name: String, instances: Int)] {
        try JSONBody.checkKnown(app, appFields, where: "App.")
        let appName = try JSONBody.string(app, AppRunKey.appName.rawValue, required: true)!
        let bare = appName.hasPrefix(":") ? String(appName.dropFirst()) : appName
        guard let stored = try PublicApps.lookup(appName, store: engine.store) else { throw APIError.notFound("app \(appName)") }
        let declared = try JSONBody.parse(Data(stored.description.utf8)).object
        // An input or output the App does not declare would be dropped without a word: refuse it, by name.
        for (field, group) in [(AppRunKey.inputs.rawValue, AppKey.inputParameters.rawValue), (AppRunKey.outputs.rawValue, AppKey.outputParameters.rawValue)] {
            let known = (declared[group] as? [String: Any]) ?? [:]
            for name in (try JSONBody.dict(app, field) ?? [:]).keys.sorted() where known[name] == nil {
                let list = known.keys.sorted().joined(separator: ", ")
                throw APIError.invalid(field, "app \(bare) has no \(field == AppRunKey.inputs.rawValue ? "input" : "output") named \(name)"
                                       + (list.isEmpty ? " (it declares none)" : " (it declares \(list))"))
            }
        }
        if let config = try JSONBody.dict(app, AppRunKey.config.rawValue), let auto = try JSONBody.dict(config, AppRunConfigKey.autoCluster.rawValue) {
            try checkAutoCluster(auto, engine: engine)
        }
        for key in [LoggingKey.stdoutPath.rawValue, LoggingKey.stderrPath.rawValue] {
            if let logging = try JSONBody.dict(app, AppRunKey.logging.rawValue), let path = try JSONBody.string(logging, key), !path.isEmpty { try checkOSS(path, AppRunKey.logging.rawValue + "." + key) }
        }
        var count = 1
        if let config = try JSONBody.dict(app, AppRunKey.config.rawValue), let n = try JSONBody.int(config, AppRunConfigKey.instanceCount.rawValue) {
            count = n
        } else if let d = try JSONBody.parse(Data(stored.description.utf8)).object[AppKey.config] as? [String: Any],
                  let item = d[AppRunConfigKey.instanceCount] as? [String: Any], let n = item[AppItemKey.default] as? Int {
            count = n
        }
        guard count >= 1 else { throw APIError.invalid(TaskKey.instanceCount.rawValue, "must be ≥ 1, got \(count)") }
        return [("app", count)]
    }

    /// Fields whose path is a prefix the engine appends object names to (`stdout.<job>.<task>.<n>`).
    static let prefixFields: Set<String> = [ParametersKey.stdoutRedirectPath.rawValue, ParametersKey.stderrRedirectPath.rawValue,
                                             TaskKey.logMapping.rawValue, AppRunKey.logging.rawValue + "." + LoggingKey.stdoutPath.rawValue,
                                             AppRunKey.logging.rawValue + "." + LoggingKey.stderrPath.rawValue]

    /// OSS locations must name a place in the object store that keeps what is written there:
    /// `oss://bucket/…` with a bucket, no `.` or `..` segments (`oss://./` took a job's logs
    /// nowhere), no `//` but at the end, no control characters (a NUL cut the key short).
    /// A log prefix needs the `/` after its bucket: names are appended to it.
    static func checkOSS(_ path: String, _ field: String) throws {
        let shown = path.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? $0.escaped(asASCII: true) : String($0) }.joined()
        func refuse(_ why: String) -> APIError { APIError.invalid(field, "\"\(shown)\" \(why)") }
        guard path.hasPrefix("oss://") else { throw refuse("is not an oss:// location") }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { throw refuse("contains a control character") }
        let segments = path.dropFirst(6).split(separator: "/", omittingEmptySubsequences: false)
        guard let bucket = segments.first, !bucket.isEmpty else { throw refuse("has no bucket after oss://") }
        if segments.contains(where: { $0 == "." || $0 == ".." }) { throw refuse("must not contain . or .. segments") }
        if segments.dropLast().contains(where: \.isEmpty) { throw refuse("must not contain empty segments (//)") }
        if segments.count == 1 && prefixFields.contains(field) { throw refuse("needs a / after the bucket (oss://\(bucket)/…)") }
    }

    static func hasCycle(_ edges: [String: [String]]) -> Bool {
        var state: [String: Int] = [:]
        func visit(_ n: String) -> Bool {
            if state[n] == 1 { return true }
            if state[n] == 2 { return false }
            state[n] = 1
            for m in edges[n] ?? [] where visit(m) { return true }
            state[n] = 2
            return false
        }
        return edges.keys.contains { visit($0) }
    }

    /// The description as the service returns it: every default filled in, as clients
    /// (`bcs j <id>` reads `Notification.Topic.Events`) expect.
    static func normalized(_ o: [String: Any]) -> [String: Any] {
        var d = o
        d[JobKey.description] = d[JobKey.description] ?? ""
        d[JobKey.type] = d[JobKey.type] ?? WireJobType.dag.rawValue
        d[JobKey.jobFailOnInstanceFail] = d[JobKey.jobFailOnInstanceFail] ?? true
        d[JobKey.autoRelease] = d[JobKey.autoRelease] ?? false
        d[JobKey.priority] = d[JobKey.priority] ?? 0
        var topic = ((d[JobKey.notification] as? [String: Any])?[NotificationKey.topic] as? [String: Any]) ?? [:]
        for k in [TopicKey.name, .endpoint, .userData, .userTemplate] { topic[k] = topic[k] ?? "" }
        topic[TopicKey.events] = topic[TopicKey.events] ?? [] as [String]
        d[JobKey.notification] = [NotificationKey.topic.rawValue: topic]
        if var dag = d[JobKey.dag] as? [String: Any] {
            var tasks = (dag[DAGKey.tasks] as? [String: Any]) ?? [:]
            for (name, value) in tasks {
                guard var t = value as? [String: Any] else { continue }
                for k in [TaskKey.inputMapping, .outputMapping, .logMapping] { t[k] = t[k] ?? [:] as [String: Any] }
                t[TaskKey.timeout] = t[TaskKey.timeout] ?? 3600
                t[TaskKey.maxRetryCount] = t[TaskKey.maxRetryCount] ?? 0
                t[TaskKey.instanceCount] = t[TaskKey.instanceCount] ?? 1
                t[TaskKey.writeSupport] = t[TaskKey.writeSupport] ?? false
                t[TaskKey.clusterId] = t[TaskKey.clusterId] ?? ""
                var params = (t[TaskKey.parameters] as? [String: Any]) ?? [:]
                params[ParametersKey.inputMappingConfig] = params[ParametersKey.inputMappingConfig]
                    ?? [InputMappingConfigKey.locale.rawValue: "GBK", InputMappingConfigKey.lock.rawValue: false] as [String: Any]
                params[ParametersKey.stdoutRedirectPath] = params[ParametersKey.stdoutRedirectPath] ?? ""
                params[ParametersKey.stderrRedirectPath] = params[ParametersKey.stderrRedirectPath] ?? ""
                var command = (params[ParametersKey.command] as? [String: Any]) ?? [:]
                command[CommandKey.packagePath] = command[CommandKey.packagePath] ?? ""
                command[CommandKey.envVars] = command[CommandKey.envVars] ?? [:] as [String: Any]
                command[CommandKey.docker] = command[CommandKey.docker] ?? [DockerKey.image.rawValue: ""]
                params[ParametersKey.command] = command
                t[TaskKey.parameters] = params
                tasks[name] = t
            }
            dag[DAGKey.tasks] = tasks
            dag[DAGKey.dependencies] = dag[DAGKey.dependencies] ?? [:] as [String: Any]
            d[JobKey.dag] = dag
        }
        return d
    }

    /// An App job's `Outputs` (output name → OSS path), which the synchronous answer repeats.
    static func appOutputs(_ o: [String: Any]) -> [String: JSONValue] {
        (((o[JobKey.app] as? [String: Any])?[AppRunKey.outputs] as? [String: Any]) ?? [:]).mapValues(JSONBody.value)
    }

    /// A stored task's `Parameters`, for log paths.
    static func taskParameters(_ description: String, task: String) -> [String: Any]? {
        guard let o = try? JSONBody.parse(Data(description.utf8)).object else { return nil }
        if let dag = o[JobKey.dag] as? [String: Any], let tasks = dag[DAGKey.tasks] as? [String: Any], let t = tasks[task] as? [String: Any] {
            return t[TaskKey.parameters] as? [String: Any]
        }
        if let app = o[JobKey.app] as? [String: Any], let logging = app[AppRunKey.logging] as? [String: Any] {
            return [ParametersKey.stdoutRedirectPath.rawValue: logging[LoggingKey.stdoutPath] ?? "",
                    ParametersKey.stderrRedirectPath.rawValue: logging[LoggingKey.stderrPath] ?? ""]
        }
        return nil
    }
}
