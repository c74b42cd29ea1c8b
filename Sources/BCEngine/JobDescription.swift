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

    static let topLevel: Set<String> = ["Name", "Description", "Priority", "Notification", "JobFailOnInstanceFail", "AutoRelease",
                                        "Type", "DAG", "App", "Labels"]
    static let taskFields: Set<String> = ["Parameters", "InputMapping", "OutputMapping", "LogMapping", "WriteSupport", "Timeout",
                                          "InstanceCount", "MaxRetryCount", "ClusterId", "AutoCluster", "Mounts"]
    static let parameterFields: Set<String> = ["Command", "InputMappingConfig", "StdoutRedirectPath", "StderrRedirectPath"]
    static let commandFields: Set<String> = ["CommandLine", "PackagePath", "EnvVars", "Docker"]
    static let appFields: Set<String> = ["AppName", "Inputs", "Outputs", "Logging", "Config"]

    init(_ o: [String: Any], engine: Engine) throws {
        try JSONBody.checkKnown(o, JobDescription.topLevel, where: "")
        try JSONBody.checkLabels(o)
        name = try JSONBody.string(o, "Name", required: true)!
        guard !name.isEmpty, name.utf8.count <= 128 else { throw APIError.invalid("Name", "must be 1 to 128 characters") }
        type = try JSONBody.string(o, "Type") ?? "DAG"
        guard type == "DAG" || type == "App" else { throw APIError.invalid("Type", "must be DAG or App") }
        let p = try JSONBody.int(o, "Priority", required: type == "DAG") ?? 0
        guard (0...1000).contains(p) else { throw APIError.invalid("Priority", "must be 0 to 1000") }
        priority = p
        _ = try JSONBody.bool(o, "JobFailOnInstanceFail")
        _ = try JSONBody.bool(o, "AutoRelease")
        if type == "DAG" {
            tasks = try JobDescription.dagTasks(try JSONBody.dict(o, "DAG", required: true)!, engine: engine)
        } else {
            let app = try JSONBody.dict(o, "App", required: true)!
            tasks = try JobDescription.appTask(app, engine: engine)
            if let config = try JSONBody.dict(app, "Config"), let t = try JSONBody.int(config, "Timeout") { timeout = t }
        }
    }

    static func dagTasks(_ dag: [String: Any], engine: Engine) throws -> [(name: String, instances: Int)] {
        try JSONBody.checkKnown(dag, ["Tasks", "Dependencies"], where: "DAG.")
        let taskMap = try JSONBody.dict(dag, "Tasks", required: true)!
        guard !taskMap.isEmpty else { throw APIError.invalid("Tasks", "a job needs at least one task") }
        var out: [(String, Int)] = []
        for (name, value) in taskMap.sorted(by: { $0.key < $1.key }) {
            guard name.range(of: #"^[A-Za-z_-][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
                throw APIError.invalid("TaskName", "\"\(name)\": letters, digits, _ and -, not starting with a digit")
            }
            guard let task = value as? [String: Any] else { throw APIError.invalid("Tasks", "task \(name) must be an object") }
            try JSONBody.checkKnown(task, taskFields, where: "DAG.Tasks.\(name).")
            let count = try JSONBody.int(task, "InstanceCount") ?? 1
            guard count >= 1, count <= 100_000 else { throw APIError.invalid("InstanceCount", "must be 1 to 100000, got \(count)") }
            if let r = try JSONBody.int(task, "MaxRetryCount"), r < 0 { throw APIError.invalid("MaxRetryCount", "must be ≥ 0, got \(r)") }
            if let t = try JSONBody.int(task, "Timeout"), t < 1 { throw APIError.invalid("Timeout", "must be ≥ 1, got \(t)") }
            let cluster = try JSONBody.string(task, "ClusterId")
            let auto = try JSONBody.dict(task, "AutoCluster")
            if (cluster ?? "").isEmpty && auto == nil { throw APIError.missing("ClusterId") }
            if let auto { try checkAutoCluster(auto, engine: engine) }
            let params = try JSONBody.dict(task, "Parameters", required: true)!
            try JSONBody.checkKnown(params, parameterFields, where: "DAG.Tasks.\(name).Parameters.")
            let command = try JSONBody.dict(params, "Command", required: true)!
            try JSONBody.checkKnown(command, commandFields, where: "DAG.Tasks.\(name).Parameters.Command.")
            _ = try JSONBody.string(command, "CommandLine", required: true)
            for key in ["StdoutRedirectPath", "StderrRedirectPath"] {
                if let path = try JSONBody.string(params, key), !path.isEmpty { try checkOSS(path, key) }
            }
            if let pkg = try JSONBody.string(command, "PackagePath"), !pkg.isEmpty { try checkOSS(pkg, "PackagePath") }
            for key in ["InputMapping", "OutputMapping", "LogMapping"] {
                for (k, v) in try JSONBody.dict(task, key) ?? [:] {
                    guard let v = v as? String else { throw APIError.invalid(key, "values must be strings") }
                    try checkOSS(key == "InputMapping" ? k : v, key)
                }
            }
            out.append((name, count))
        }
        let deps = try JSONBody.dict(dag, "Dependencies") ?? [:]
        var edges: [String: [String]] = [:]
        for (from, to) in deps {
            guard taskMap[from] != nil else { throw APIError.invalid("Dependencies", "unknown task \(from)") }
            guard let list = to as? [String] else { throw APIError.invalid("Dependencies", "values must be lists of task names") }
            for t in list where taskMap[t] == nil { throw APIError.invalid("Dependencies", "unknown task \(t)") }
            edges[from] = list
        }
        if hasCycle(edges) { throw APIError(400, "BadDAG", "It is a cyclic dag.") }
        return out
    }

    /// An AutoCluster's image and instance type are checked as a cluster's are: an image the
    /// engine knows (`InvalidImageId`), a type in its catalog (`InvalidInstanceType`).
    static func checkAutoCluster(_ auto: [String: Any], engine: Engine) throws {
        for key in ["ImageId", "ECSImageId"] {
            if let id = try JSONBody.string(auto, key), !id.isEmpty { try ImagesAPI.checkKnown(id, field: "AutoCluster." + key, store: engine.store) }
        }
        if let t = try JSONBody.string(auto, "InstanceType"), !t.isEmpty, engine.catalog[t] == nil {
            throw APIError.invalid("InstanceType", "unknown instance type \(t)")
        }
    }

    static func appTask(_ app: [String: Any], engine: Engine) throws -> [(name: String, instances: Int)] {
        try JSONBody.checkKnown(app, appFields, where: "App.")
        let appName = try JSONBody.string(app, "AppName", required: true)!
        let bare = appName.hasPrefix(":") ? String(appName.dropFirst()) : appName
        guard let stored = try engine.store.app(bare) else { throw APIError.notFound("app \(appName)") }
        let declared = try JSONBody.parse(Data(stored.description.utf8)).object
        // An input or output the App does not declare would be dropped without a word: refuse it, by name.
        for (field, group) in [("Inputs", "InputParameters"), ("Outputs", "OutputParameters")] {
            let known = (declared[group] as? [String: Any]) ?? [:]
            for name in (try JSONBody.dict(app, field) ?? [:]).keys.sorted() where known[name] == nil {
                let list = known.keys.sorted().joined(separator: ", ")
                throw APIError.invalid(field, "app \(bare) has no \(field == "Inputs" ? "input" : "output") named \(name)"
                                       + (list.isEmpty ? " (it declares none)" : " (it declares \(list))"))
            }
        }
        if let config = try JSONBody.dict(app, "Config"), let auto = try JSONBody.dict(config, "AutoCluster") {
            try checkAutoCluster(auto, engine: engine)
        }
        for key in ["StdoutPath", "StderrPath"] {
            if let logging = try JSONBody.dict(app, "Logging"), let path = try JSONBody.string(logging, key), !path.isEmpty { try checkOSS(path, "Logging." + key) }
        }
        var count = 1
        if let config = try JSONBody.dict(app, "Config"), let n = try JSONBody.int(config, "InstanceCount") {
            count = n
        } else if let d = try JSONBody.parse(Data(stored.description.utf8)).object["Config"] as? [String: Any],
                  let item = d["InstanceCount"] as? [String: Any], let n = item["Default"] as? Int {
            count = n
        }
        guard count >= 1 else { throw APIError.invalid("InstanceCount", "must be ≥ 1, got \(count)") }
        return [("app", count)]
    }

    /// Fields whose path is a prefix the engine appends object names to (`stdout.<job>.<task>.<n>`).
    static let prefixFields: Set<String> = ["StdoutRedirectPath", "StderrRedirectPath", "LogMapping", "Logging.StdoutPath", "Logging.StderrPath"]

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
        d["Description"] = d["Description"] ?? ""
        d["Type"] = d["Type"] ?? "DAG"
        d["JobFailOnInstanceFail"] = d["JobFailOnInstanceFail"] ?? true
        d["AutoRelease"] = d["AutoRelease"] ?? false
        d["Priority"] = d["Priority"] ?? 0
        var topic = ((d["Notification"] as? [String: Any])?["Topic"] as? [String: Any]) ?? [:]
        for (k, v) in ["Name": "", "Endpoint": "", "UserData": "", "UserTemplate": ""] as [String: Any] { topic[k] = topic[k] ?? v }
        topic["Events"] = topic["Events"] ?? [] as [String]
        d["Notification"] = ["Topic": topic]
        if var dag = d["DAG"] as? [String: Any] {
            var tasks = (dag["Tasks"] as? [String: Any]) ?? [:]
            for (name, value) in tasks {
                guard var t = value as? [String: Any] else { continue }
                for (k, v) in ["InputMapping": [:], "OutputMapping": [:], "LogMapping": [:]] as [String: [String: Any]] { t[k] = t[k] ?? v }
                t["Timeout"] = t["Timeout"] ?? 3600
                t["MaxRetryCount"] = t["MaxRetryCount"] ?? 0
                t["InstanceCount"] = t["InstanceCount"] ?? 1
                t["WriteSupport"] = t["WriteSupport"] ?? false
                t["ClusterId"] = t["ClusterId"] ?? ""
                var params = (t["Parameters"] as? [String: Any]) ?? [:]
                params["InputMappingConfig"] = params["InputMappingConfig"] ?? ["Locale": "GBK", "Lock": false] as [String: Any]
                params["StdoutRedirectPath"] = params["StdoutRedirectPath"] ?? ""
                params["StderrRedirectPath"] = params["StderrRedirectPath"] ?? ""
                var command = (params["Command"] as? [String: Any]) ?? [:]
                command["PackagePath"] = command["PackagePath"] ?? ""
                command["EnvVars"] = command["EnvVars"] ?? [:] as [String: Any]
                command["Docker"] = command["Docker"] ?? ["Image": ""]
                params["Command"] = command
                t["Parameters"] = params
                tasks[name] = t
            }
            dag["Tasks"] = tasks
            dag["Dependencies"] = dag["Dependencies"] ?? [:] as [String: Any]
            d["DAG"] = dag
        }
        return d
    }

    /// An App job's `Outputs` (output name → OSS path), which the synchronous answer repeats.
    static func appOutputs(_ o: [String: Any]) -> [String: JSONValue] {
        (((o["App"] as? [String: Any])?["Outputs"] as? [String: Any]) ?? [:]).mapValues(JSONBody.value)
    }

    /// A stored task's `Parameters`, for log paths.
    static func taskParameters(_ description: String, task: String) -> [String: Any]? {
        guard let o = try? JSONBody.parse(Data(description.utf8)).object else { return nil }
        if let dag = o["DAG"] as? [String: Any], let tasks = dag["Tasks"] as? [String: Any], let t = tasks[task] as? [String: Any] {
            return t["Parameters"] as? [String: Any]
        }
        if let app = o["App"] as? [String: Any], let logging = app["Logging"] as? [String: Any] {
            return ["StdoutRedirectPath": logging["StdoutPath"] ?? "", "StderrRedirectPath": logging["StderrPath"] ?? ""]
        }
        return nil
    }
}
