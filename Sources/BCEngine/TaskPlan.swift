import Foundation

/// What the scheduler needs of one task: from a DAG task, or from an App job expanded
/// against its App (command line with `${param}` filled in, defaults, config, image).
struct TaskPlan: Sendable {
    var commandLine: String
    var instanceCount: Int
    var clusterId: String?
    var timeout: Int
    var maxRetries: Int
    var environment: [String: String]
    var stdoutPrefix: String?
    var stderrPrefix: String?
    var failJobOnInstanceFailure: Bool
    /// The job is deleted once it has finished.
    var autoRelease: Bool
    /// `oss://…tar.gz` unpacked into the working directory before the command runs.
    var packagePath: String?
    /// A Docker image the command should run in, if any.
    var image: String?
    /// OSS (or NAS) locations that must appear at local paths: InputMapping, Mounts, App inputs with LocalPath.
    var inputs: [Mapping] = []
    /// Local directories uploaded to OSS when the instance ends: OutputMapping, App outputs with LocalPath.
    var outputs: [(local: String, oss: String)] = []
    /// LogMapping: local files uploaded when the instance ends as `<ossDir><basename>.<job>.<task>.<instance>`.
    var logs: [(local: String, ossDirectory: String)] = []

    struct Mapping: Sendable, Equatable {
        var source: String
        var destination: String
        var writable: Bool
    }

    static func mountEntries(_ mounts: Any?) -> [Mapping] {
        ((mounts as? [String: Any])?["Entries"] as? [[String: Any]] ?? []).compactMap { e in
            guard let s = e["Source"] as? String, let d = e["Destination"] as? String else { return nil }
            return Mapping(source: s, destination: d, writable: e["WriteSupport"] as? Bool ?? false)
        }
    }

    /// The cluster a task of a job runs on (a DAG task's `ClusterId`, an App job's `Config.ClusterId`).
    static func clusterId(_ description: String, task: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any] else { return nil }
        if let t = ((o["DAG"] as? [String: Any])?["Tasks"] as? [String: Any])?[task] as? [String: Any] { return t["ClusterId"] as? String }
        return ((o["App"] as? [String: Any])?["Config"] as? [String: Any])?["ClusterId"] as? String
    }

    /// The App an App job names, if it is one.
    static func appName(_ description: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any],
              o["Type"] as? String == "App", let name = (o["App"] as? [String: Any])?["AppName"] as? String else { return nil }
        return name.hasPrefix(":") ? String(name.dropFirst()) : name
    }

    init?(description: String, task: String, app: String?) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any] else { return nil }
        failJobOnInstanceFailure = o["JobFailOnInstanceFail"] as? Bool ?? true
        autoRelease = o["AutoRelease"] as? Bool ?? false
        if let dag = o["DAG"] as? [String: Any], let t = (dag["Tasks"] as? [String: Any])?[task] as? [String: Any] {
            let params = t["Parameters"] as? [String: Any] ?? [:]
            let command = params["Command"] as? [String: Any] ?? [:]
            commandLine = command["CommandLine"] as? String ?? ""
            instanceCount = t["InstanceCount"] as? Int ?? 1
            let cluster = t["ClusterId"] as? String ?? ""
            clusterId = cluster.isEmpty ? nil : cluster
            timeout = t["Timeout"] as? Int ?? 3600
            maxRetries = t["MaxRetryCount"] as? Int ?? 0
            environment = (command["EnvVars"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            stdoutPrefix = params["StdoutRedirectPath"] as? String
            stderrPrefix = params["StderrRedirectPath"] as? String
            packagePath = (command["PackagePath"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            // `bcs sub --docker` sends the image as an EnvVar (the SDK's default `Docker.Image` is "").
            let docker = [(command["Docker"] as? [String: Any])?["Image"] as? String, environment["BATCH_COMPUTE_DOCKER_IMAGE"]]
                .compactMap { $0 }.first { !$0.isEmpty }
            image = docker
            let writable = t["WriteSupport"] as? Bool ?? false
            inputs = (t["InputMapping"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { oss, local in
                (local as? String).map { Mapping(source: oss, destination: $0, writable: writable) }
            } + TaskPlan.mountEntries(t["Mounts"])
            outputs = (t["OutputMapping"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { local, oss in
                (oss as? String).map { (local, $0) }
            }
            logs = (t["LogMapping"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { local, oss in
                (oss as? String).map { (local, $0) }
            }
        } else if let job = o["App"] as? [String: Any], let app,
                  let a = try? JSONSerialization.jsonObject(with: Data(app.utf8)) as? [String: Any] {
            let config = job["Config"] as? [String: Any] ?? [:]
            let defaults = a["Config"] as? [String: Any] ?? [:]
            func setting(_ key: String) -> Any? { config[key] ?? (defaults[key] as? [String: Any])?["Default"] ?? defaults[key] }
            var values: [String: String] = [:]
            for (group, given) in [("InputParameters", job["Inputs"]), ("OutputParameters", job["Outputs"])] {
                for (name, p) in a[group] as? [String: Any] ?? [:] {
                    if let d = (p as? [String: Any])?["Default"], !(d is NSNull) { values[name] = "\(d)" }
                }
                for (name, v) in given as? [String: Any] ?? [:] { values[name] = "\(v)" }
            }
            var line = a["CommandLine"] as? String ?? ""
            for (name, value) in values { line = line.replacingOccurrences(of: "${\(name)}", with: value) }
            commandLine = line
            instanceCount = setting("InstanceCount") as? Int ?? 1
            clusterId = (setting("ClusterId") as? String).flatMap { $0.isEmpty ? nil : $0 }
            timeout = setting("Timeout") as? Int ?? 86_400
            maxRetries = setting("MaxRetryCount") as? Int ?? 0
            environment = (a["EnvVars"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            let logging = job["Logging"] as? [String: Any] ?? [:]
            stdoutPrefix = logging["StdoutPath"] as? String
            stderrPrefix = logging["StderrPath"] as? String
            packagePath = nil
            let docker = (a["Docker"] as? [String: Any])?["Image"] as? String ?? ""
            image = docker.isEmpty ? nil : docker
            for (name, p) in (a["InputParameters"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let local = (p as? [String: Any])?["LocalPath"] as? String, !local.isEmpty, let value = values[name], value.hasPrefix("oss://") {
                    inputs.append(Mapping(source: value, destination: local, writable: false))
                }
            }
            for (name, p) in (a["OutputParameters"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let local = (p as? [String: Any])?["LocalPath"] as? String, !local.isEmpty, let value = values[name], value.hasPrefix("oss://") {
                    outputs.append((local, value))
                }
            }
        } else {
            return nil
        }
    }
}
