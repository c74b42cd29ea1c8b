import BCAPI
import Foundation

/// What the scheduler needs of one task: from a DAG task, or from an App job expanded
/// against its App (command line with `${param}` filled in, defaults, config, image).
/// Read by hand from the stored JSON, keyed by the contract's coding keys: a stored value of
/// an unexpected type reads as absent here, where the typed decoder would refuse the whole
/// description (and apps keep numbers as `Default`s, which `AppDescription` types as strings).
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
        ((mounts as? [String: Any])?[MountsKey.entries] as? [[String: Any]] ?? []).compactMap { e in
            guard let s = e[MountEntryKey.source] as? String, let d = e[MountEntryKey.destination] as? String else { return nil }
            return Mapping(source: s, destination: d, writable: e[MountEntryKey.writeSupport] as? Bool ?? false)
        }
    }

    /// The cluster a task of a job runs on (a DAG task's `ClusterId`, an App job's `Config.ClusterId`).
    static func clusterId(_ description: String, task: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any] else { return nil }
        if let t = ((o[JobKey.dag] as? [String: Any])?[DAGKey.tasks] as? [String: Any])?[task] as? [String: Any] { return t[TaskKey.clusterId] as? String }
        return ((o[JobKey.app] as? [String: Any])?[AppRunKey.config] as? [String: Any])?[AppRunConfigKey.clusterId] as? String
    }

    /// The App an App job names, if it is one, as written: `:name` for a public App.
    static func appName(_ description: String) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any],
              o[JobKey.type] as? String == BCAPI.JobDescription.JobType.app.rawValue, let name = (o[JobKey.app] as? [String: Any])?[AppRunKey.appName] as? String else { return nil }
        return name
    }

    init?(description: String, task: String, app: String?) {
        guard let o = try? JSONSerialization.jsonObject(with: Data(description.utf8)) as? [String: Any] else { return nil }
        failJobOnInstanceFailure = o[JobKey.jobFailOnInstanceFail] as? Bool ?? true
        autoRelease = o[JobKey.autoRelease] as? Bool ?? false
        if let dag = o[JobKey.dag] as? [String: Any], let t = (dag[DAGKey.tasks] as? [String: Any])?[task] as? [String: Any] {
            let params = t[TaskKey.parameters] as? [String: Any] ?? [:]
            let command = params[ParametersKey.command] as? [String: Any] ?? [:]
            commandLine = command[CommandKey.commandLine] as? String ?? ""
            instanceCount = t[TaskKey.instanceCount] as? Int ?? 1
            let cluster = t[TaskKey.clusterId] as? String ?? ""
            clusterId = cluster.isEmpty ? nil : cluster
            timeout = t[TaskKey.timeout] as? Int ?? 3600
            maxRetries = t[TaskKey.maxRetryCount] as? Int ?? 0
            environment = (command[CommandKey.envVars] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            stdoutPrefix = params[ParametersKey.stdoutRedirectPath] as? String
            stderrPrefix = params[ParametersKey.stderrRedirectPath] as? String
            packagePath = (command[CommandKey.packagePath] as? String).flatMap { $0.isEmpty ? nil : $0 }
            // `bcs sub --docker` sends the image as an EnvVar (the SDK's default `Docker.Image` is "").
            let docker = [(command[CommandKey.docker] as? [String: Any])?[DockerKey.image] as? String, environment["BATCH_COMPUTE_DOCKER_IMAGE"]]
                .compactMap { $0 }.first { !$0.isEmpty }
            image = docker
            let writable = t[TaskKey.writeSupport] as? Bool ?? false
            inputs = (t[TaskKey.inputMapping] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { oss, local in
                (local as? String).map { Mapping(source: oss, destination: $0, writable: writable) }
            } + TaskPlan.mountEntries(t[TaskKey.mounts])
            outputs = (t[TaskKey.outputMapping] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { local, oss in
                (oss as? String).map { (local, $0) }
            }
            logs = (t[TaskKey.logMapping] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { local, oss in
                (oss as? String).map { (local, $0) }
            }
        } else if let job = o[JobKey.app] as? [String: Any], let app,
                  let a = try? JSONSerialization.jsonObject(with: Data(app.utf8)) as? [String: Any] {
            let config = job[AppRunKey.config] as? [String: Any] ?? [:]
            let defaults = a[AppKey.config] as? [String: Any] ?? [:]
            func setting(_ key: AppRunConfigKey) -> Any? { config[key] ?? (defaults[key] as? [String: Any])?[AppItemKey.default] ?? defaults[key] }
            var values: [String: String] = [:]
            for (group, given) in [(AppKey.inputParameters, job[AppRunKey.inputs]), (AppKey.outputParameters, job[AppRunKey.outputs])] {
                for (name, p) in a[group] as? [String: Any] ?? [:] {
                    if let d = (p as? [String: Any])?[AppParameterKey.default], !(d is NSNull) { values[name] = "\(d)" }
                }
                for (name, v) in given as? [String: Any] ?? [:] { values[name] = "\(v)" }
            }
            var line = a[AppKey.commandLine] as? String ?? ""
            for (name, value) in values { line = line.replacingOccurrences(of: "${\(name)}", with: value) }
            commandLine = line
            instanceCount = setting(.instanceCount) as? Int ?? 1
            clusterId = (setting(.clusterId) as? String).flatMap { $0.isEmpty ? nil : $0 }
            timeout = setting(.timeout) as? Int ?? 86_400
            maxRetries = setting(.maxRetryCount) as? Int ?? 0
            environment = (a[AppKey.envVars] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            let logging = job[AppRunKey.logging] as? [String: Any] ?? [:]
            stdoutPrefix = logging[LoggingKey.stdoutPath] as? String
            stderrPrefix = logging[LoggingKey.stderrPath] as? String
            packagePath = nil
            let docker = (a[AppKey.docker] as? [String: Any])?[DockerKey.image] as? String ?? ""
            image = docker.isEmpty ? nil : docker
            for (name, p) in (a[AppKey.inputParameters] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let local = (p as? [String: Any])?[AppParameterKey.localPath] as? String, !local.isEmpty, let value = values[name], value.hasPrefix("oss://") {
                    inputs.append(Mapping(source: value, destination: local, writable: false))
                }
            }
            for (name, p) in (a[AppKey.outputParameters] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let local = (p as? [String: Any])?[AppParameterKey.localPath] as? String, !local.isEmpty, let value = values[name], value.hasPrefix("oss://") {
                    outputs.append((local, value))
                }
            }
        } else {
            return nil
        }
    }
}
