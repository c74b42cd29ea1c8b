import BCAPI
import Foundation

/// The contract's answers built from the store's rows: what a handler returns for a row. The
/// rows keep what is stored (dates, description text); the wire's forms (WireTime, counts by
/// state, a cluster's groups as they stand) are made here.

extension StateCounts {
    /// Counts keyed by stored state; a state no engine writes is not counted.
    init(stored counts: [String: Int]) {
        self.init(Dictionary(counts.compactMap { k, v in RunState(rawValue: k).map { ($0, v) } }, uniquingKeysWith: +))
    }
}

extension JobStatus {
    init(_ job: EngineStore.JobRow, tasks: [EngineStore.TaskRow], instanceCounts: [String: Int]) {
        let labels = (try? JSONValue.parse(Array(job.description.utf8)))?[JobKey.labels]?.objectValue ?? [:]
        self.init(id: job.id, name: job.name, priority: job.priority, owner: "", state: job.runState, message: job.message,
                  creationTime: WireTime.format(job.creationTime), startTime: WireTime.optional(job.startTime),
                  endTime: WireTime.optional(job.endTime), taskMetrics: StateCounts(counting: tasks.map(\.runState)),
                  instanceMetrics: StateCounts(stored: instanceCounts), labels: labels.compactMapValues(\.stringValue))
    }
}

extension TaskStatus {
    init(_ task: EngineStore.TaskRow, instanceCounts: [String: Int]) {
        self.init(taskName: task.name, state: task.runState, startTime: WireTime.optional(task.startTime),
                  endTime: WireTime.optional(task.endTime), instanceMetrics: StateCounts(stored: instanceCounts))
    }
}

/// Where a task's instances send stdout and stderr (`StdoutRedirectPath`, or an App job's
/// `Logging`): read once per task, not once per instance.
struct TaskLogPaths {
    var stdout: String?
    var stderr: String?

    init(job: EngineStore.JobRow, task: String) {
        let parameters = JobDescription.taskParameters(job.description, task: task)
        stdout = parameters?[ParametersKey.stdoutRedirectPath] as? String
        stderr = parameters?[ParametersKey.stderrRedirectPath] as? String
    }

    /// A log as clients expect to find it: `<dir>stdout.<job>.<task>.<n>`; empty without a directory.
    static func path(_ stream: String, directory: String?, job: String, task: String, index: Int) -> String {
        guard let directory, !directory.isEmpty else { return "" }
        return directory + "\(stream).\(job).\(task).\(index)"
    }
}

extension InstanceStatus {
    init(_ i: EngineStore.InstanceRow, job: String, logs: TaskLogPaths) {
        let state = i.runState
        self.init(instanceId: i.index, state: state, retryCount: i.retryCount, progress: state == .finished ? 100 : 0,
                  startTime: WireTime.optional(i.startTime), endTime: WireTime.optional(i.endTime),
                  stdoutRedirectPath: TaskLogPaths.path("stdout", directory: logs.stdout, job: job, task: i.task, index: i.index),
                  stderrRedirectPath: TaskLogPaths.path("stderr", directory: logs.stderr, job: job, task: i.task, index: i.index),
                  result: Result(exitCode: i.exitCode ?? 0, errorCode: i.errorCode, errorMessage: i.errorMessage),
                  error: Failure(code: i.errorCode, message: i.errorMessage))
    }
}

extension ClusterStatus {
    /// `vms`: the cluster's VMs by group and state; `operationLogs`: its VM operation log.
    init(_ row: EngineStore.ClusterRow, vms: [String: [String: Int]], operationLogs: [String] = []) throws {
        let o = try JSONValue.parse(Array(row.description.utf8)).objectValue ?? [:]
        let clusterType = o[ClusterKey.instanceType]?.stringValue
        let disks = o[ClusterKey.configs]?[ConfigsKey.disks] ?? .object([:])
        var groups: [String: Group] = [:]
        var running = 0
        for (name, value) in o[ClusterKey.groups]?.objectValue ?? [:] {
            let states = vms[name] ?? [:]
            running += states[ClusterVMState.running.rawValue] ?? 0
            groups[name] = Group(desiredVMCount: value[ClusterGroupKey.desiredVMCount]?.intValue ?? 0, actualVMCount: states.values.reduce(0, +),
                                 instanceType: value[ClusterGroupKey.instanceType]?.stringValue ?? clusterType ?? "",
                                 resourceType: value[ClusterGroupKey.resourceType]?.stringValue ?? "OnDemand",
                                 spotStrategy: value[ClusterGroupKey.spotStrategy]?.stringValue ?? "",
                                 spotPriceLimit: value[ClusterGroupKey.spotPriceLimit]?.doubleValue ?? 0, disks: disks)
        }
        let empty = JSONValue.object([:])
        self.init(id: row.id, name: row.name, ownerId: 0, description: o[ClusterKey.description]?.stringValue ?? "", revision: row.revision,
                  runtime: o[ClusterKey.runtime]?.stringValue ?? "container",
                  labels: (o[ClusterKey.labels]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                  creationTime: WireTime.format(row.creationTime), state: ClusterState(rawValue: row.state) ?? .active,
                  instanceType: clusterType ?? "", imageId: o[ClusterKey.imageId]?.stringValue ?? "",
                  userData: o[ClusterKey.userData] ?? empty, envVars: o[ClusterKey.envVars] ?? empty, inputMapping: o[ClusterChangeKey.inputMapping] ?? empty,
                  inputMappingConfig: .object([InputMappingConfigKey.locale.rawValue: .string("GBK"), InputMappingConfigKey.lock.rawValue: .bool(false)]),
                  notification: o[ClusterKey.notification] ?? empty, configs: o[ClusterKey.configs] ?? empty, writeSupport: false,
                  bootstrap: o[ClusterKey.bootstrap]?.stringValue ?? "", securityGroup: "", groups: groups, operationLogs: operationLogs,
                  metrics: Metrics(runningCount: running))
        sgeMasterGroup = o[ClusterKey.sgeMasterGroup]?.stringValue
    }
}

extension ClusterVM {
    /// A ClusterInstance (§8.3): a slot of this host with an ECS-style id.
    init(_ vm: EngineStore.ClusterVMRow) {
        self.init(id: vm.id, state: ClusterVMState(rawValue: vm.state) ?? .running, ipAddress: vm.ipAddress, hostName: vm.hostName,
                  creationTime: WireTime.format(vm.creationTime))
    }
}

extension AppStatus {
    init(_ row: EngineStore.AppRow) throws {
        let description = try JSONValue.parse(Array(row.description.utf8)).objectValue ?? [:]
        self.init(description: description, revision: row.revision, creationTime: WireTime.format(row.creationTime))
    }
}

extension ImageStatus {
    init(_ i: SystemImages.Image) {
        self.init(id: i.id, name: i.name, type: .system, description: i.description, ecsImageId: i.ecsImageId, ownerId: 0,
                  platform: i.platform, creationTime: WireTime.format(SystemImages.creationTime))
    }

    init(_ r: EngineStore.ImageRow) {
        self.init(id: r.id, name: r.name, type: .user, description: r.description, ecsImageId: r.ecsImageId, ownerId: 0,
                  platform: r.platform, creationTime: WireTime.format(r.creationTime))
    }
}

extension WorkspaceState {
    init(_ w: EngineStore.WorkspaceState) { self.init(workspace: w.name, lineage: w.lineage, serial: w.serial) }
}

extension Lease {
    init(_ l: EngineStore.Lease) {
        self.init(id: l.id, workspace: l.workspace, owner: l.owner, operation: l.operation, info: l.info,
                  creationTime: WireTime.format(l.created), expireTime: WireTime.format(l.expires))
    }
}

extension Approval {
    init(_ a: EngineStore.Approval) {
        self.init(workspace: a.workspace, revision: a.revision, digest: a.digest, approvedBy: a.approvedBy,
                  creationTime: WireTime.format(a.created))
    }
}

extension EngineEvent {
    init(_ e: EngineStore.Event) {
        self.init(seq: e.seq, time: WireTime.format(e.time), kind: e.kind, resource: e.resource, detail: e.detail)
    }
}

extension WireTime {
    /// A moment that may not have come yet: empty until it has, as BatchCompute answers.
    static func optional(_ date: Date?) -> String { date.map(format) ?? "" }
}
