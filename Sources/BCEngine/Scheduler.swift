import BCAPI
import Foundation
import Logging

/// Starts waiting instances when their dependencies are done and their cluster has a free
/// slot, runs them through an executor, and records how they ended.
///
/// Capacity of a cluster is Σ over its groups of DesiredVMCount × vCPUs of the group's
/// instance type; a resize changes it at the next tick, and shrinking lets running instances
/// finish. An AutoCluster task gets a pool of its own, sized to its instances.
public actor Scheduler {
    let engine: Engine
    let executor: any InstanceExecutor
    let objects: ObjectStore
    let logger: Logger
    var slotsInUse: [String: Set<Int>] = [:]  // pool → slot numbers running an instance
    var inFlight: [String: (jobId: String, task: Task<Void, Never>)] = [:]  // job/task/index → its run
    var plans: [String: TaskPlan] = [:]   // job/task → parsed task, parsed once, dropped when its job leaves the queue
    var upstreamByJob: [String: [String: [String]]] = [:]  // job → task → upstream tasks
    /// pool → what its cluster offers, read once and dropped when the API reports a change.
    var pools: [String: Pool] = [:]
    /// Tasks with waiting instances whose upstream tasks are done, in dispatch order (priority,
    /// then age); nil when it must be read again. Each task is looked at on its own, so a task
    /// whose cluster is full costs nothing and holds back no other task.
    var waiting: [EngineStore.WaitingTask]?
    /// Waiting instance numbers read ahead per task (job/task), so an instance's end starts the
    /// next one without a query. Starting re-checks the state, so a stale entry is harmless.
    var readAhead: [String: [Int]] = [:]
    var poolDirectories: [String: String] = [:]
    /// False once the engine is stopping: ends are still recorded, nothing new starts.
    var accepting = true
    /// `BATCH_COMPUTE_OSS_HOST`: where instances reach OSS (the engine serves it on its own port).
    var ossHost = "127.0.0.1"

    public func serving(at host: String, port: Int) {
        ossHost = "\(host == "localhost" || host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
    }
    /// The engine's own HOME, the default for instances (read once: ProcessInfo copies the environment).
    let defaultHome = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
    /// The directory of the running bcctl: first on every instance's PATH, so node-side tools
    /// (`bcctl render node`) resolve as a BatchCompute image's software would.
    let toolsDirectory: String? = Scheduler.executableDirectory()

    /// podman or docker when one can run containers here, found once at start.
    let containerRuntime: String?

    /// What a pool of slots offers: a cluster's (its groups' nodes × vCPUs, its runtime, its
    /// EnvVars), or an AutoCluster's (one slot per instance).
    struct Pool: Sendable {
        var capacity: Int
        var host: Bool
        var environment: [String: String] = [:]
        /// The cluster's `Configs.Mounts` and `InputMapping`: on BatchCompute every node of the
        /// cluster has them, so every task placed there sees them too.
        var inputs: [TaskPlan.Mapping] = []
    }

    public init(engine: Engine, executor: any InstanceExecutor = LocalExecutor(), logger: Logger,
                containerRuntime: String? = Scheduler.findContainerRuntime()) {
        self.engine = engine
        self.executor = executor
        self.objects = engine.objects
        self.logger = logger
        self.containerRuntime = containerRuntime
    }

    /// A container runtime that answers (a docker client without a daemon does not count).
    public static func findContainerRuntime() -> String? {
        for candidate in ["podman", "docker"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [candidate, "info"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return candidate }
        }
        return nil
    }

    /// Runs until cancelled.
    public func run() async {
        objects.clearIncoming()
        await recover()
        // A pass on every wakeup from the API (checked every 5 ms), and at least every 250 ms.
        var sinceLastPass = 0
        while !Task.isCancelled {
            let changed = await engine.wakeup.take()
            if changed { pools = [:] }  // a cluster may have been resized or deleted
            if changed || sinceLastPass >= 50 {
                forgetQueue()
                await tick()
                await stopCancelledJobs()
                sinceLastPass = 0
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
            sinceLastPass += 1
        }
    }

    /// Drops what was read of the queue, so the next pass reads it afresh.
    func forgetQueue() {
        waiting = nil
        readAhead = [:]
    }

    /// Reads the tasks that may start instances: waiting instances, upstream tasks finished.
    /// Caches of jobs that left the queue (ended, stopped, deleted) are dropped here, so
    /// nothing cached outlives its job.
    func readQueue() -> [EngineStore.WaitingTask] {
        let tasks: [EngineStore.WaitingTask]
        do {
            tasks = try engine.store.waitingTasks()
        } catch {
            logger.error("cannot read waiting tasks: \(error)")
            return []
        }
        var upstreamDone: [String: [String: String]] = [:]  // job → task states, read once per job with dependencies
        let runnable = tasks.filter { t in
            guard let upstream = upstream(of: t.jobId), let needs = upstream[t.task], !needs.isEmpty else { return true }
            if upstreamDone[t.jobId] == nil {
                upstreamDone[t.jobId] = (try? engine.store.taskStates(of: t.jobId)) ?? [:]
            }
            return needs.allSatisfy { upstreamDone[t.jobId]?[$0] == "Finished" }
        }
        let live = Set(tasks.map(\.jobId)).union(inFlight.values.map(\.jobId))
        upstreamByJob = upstreamByJob.filter { live.contains($0.key) }
        plans = plans.filter { live.contains(String($0.key.prefix { $0 != "/" })) }
        return runnable
    }

    /// A job's DAG dependencies (task → upstream tasks), parsed once per job.
    func upstream(of jobId: String) -> [String: [String]]? {
        if let known = upstreamByJob[jobId] { return known }
        guard let job = try? engine.store.job(jobId) else { return nil }
        let u = EngineStore.upstreamTasks(job.description)
        upstreamByJob[jobId] = u
        return u
    }

    /// A task's plan, parsed once per job and task.
    func plan(_ jobId: String, _ task: String) -> TaskPlan? {
        let key = "\(jobId)/\(task)"
        if let known = plans[key] { return known }
        guard let job = try? engine.store.job(jobId) else { return nil }
        let app = TaskPlan.appName(job.description).flatMap { try? engine.store.app($0)?.description }
        guard let plan = TaskPlan(description: job.description, task: task, app: app) else { return nil }
        plans[key] = plan
        return plan
    }

    /// The pool a task runs in, or nil when its cluster is gone (the job then fails).
    func pool(for task: TaskPlan, jobId: String, taskName: String) -> (name: String, pool: Pool)? {
        guard let clusterId = task.clusterId else {
            let name = "auto:\(jobId)/\(taskName)"
            return (name, pools[name] ?? Pool(capacity: task.instanceCount, host: false))
        }
        let name = "cluster:\(clusterId)"
        if let known = pools[name] { return (name, known) }
        guard let cluster = try? engine.store.cluster(clusterId) else { return nil }
        let pool = Pool(capacity: slots(of: cluster), host: Scheduler.runsOnHost(cluster), environment: Scheduler.environment(of: cluster),
                        inputs: Scheduler.mappings(of: cluster))
        pools[name] = pool
        return (name, pool)
    }

    /// One pass: record the instances that just ended and start whatever can start now, in
    /// one transaction. Every task gets the free slots of its own pool, in priority order.
    public func tick(ending ends: [EngineStore.InstanceEnd] = []) async {
        if ends.contains(where: { endMayRequeue($0) }) { forgetQueue() }
        if waiting == nil { waiting = accepting ? readQueue() : [] }
        var chosen: [(c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, directory: String, host: Bool, environment: [String: String])] = []
        var drained: Set<String> = []
        var failedJobs: Set<String> = []
        for t in waiting ?? [] where !failedJobs.contains(t.jobId) {
            guard let planned = plan(t.jobId, t.task) else { continue }
            guard let (poolName, pool) = pool(for: planned, jobId: t.jobId, taskName: t.task) else {
                fail(t.jobId, message: "cluster \(planned.clusterId ?? "") does not exist")
                failedJobs.insert(t.jobId)
                continue
            }
            var task = planned
            for m in pool.inputs where !task.inputs.contains(where: { $0.destination == m.destination }) { task.inputs.append(m) }
            var used = slotsInUse[poolName, default: []]
            var free = pool.capacity - used.count
            guard free > 0 else { continue }
            let key = "\(t.jobId)/\(t.task)"
            var ahead = readAhead[key] ?? []
            if ahead.count < free {
                let after = ahead.last ?? -1
                let more = (try? engine.store.waitingInstances(jobId: t.jobId, task: t.task, after: after, limit: max(free - ahead.count, 32))) ?? []
                ahead += more.map(\.index)
                if ahead.isEmpty { drained.insert(key) }
            }
            var slot = 0
            while free > 0, !ahead.isEmpty {
                let index = ahead.removeFirst()
                if inFlight["\(key)/\(index)"] != nil { continue }
                while used.contains(slot) { slot += 1 }
                used.insert(slot)
                free -= 1
                chosen.append((EngineStore.Runnable(jobId: t.jobId, task: t.task, index: index, priority: t.priority),
                               task, poolName, slot, poolDirectory(poolName) + "/\(slot)", pool.host, pool.environment))
            }
            slotsInUse[poolName] = used
            readAhead[key] = ahead
        }
        if !drained.isEmpty || !failedJobs.isEmpty {
            waiting?.removeAll { drained.contains("\($0.jobId)/\($0.task)") || failedJobs.contains($0.jobId) }
            for key in drained { readAhead[key] = nil }
        }
        let took: [Bool]
        do {
            took = try engine.store.record(ends: ends, starts: chosen.map {
                EngineStore.InstanceStart(jobId: $0.c.jobId, task: $0.c.task, index: $0.c.index, logDirectory: $0.directory)
            })
        } catch {
            logger.error("cannot record instance ends and starts: \(error)")
            took = Array(repeating: false, count: chosen.count)
        }
        for (pick, started) in zip(chosen, took) {
            guard started else {
                slotsInUse[pick.pool]?.remove(pick.slot)
                continue
            }
            launch(pick.c, task: pick.task, pool: pick.pool, slot: pick.slot, directory: pick.directory, host: pick.host,
                   clusterEnvironment: pick.environment)
        }
        releaseFinished(ends)
    }

    /// Whether an end can make work runnable that the queue does not hold: a failure (a retry,
    /// or a failed job) or the end of a job with dependencies (a downstream task may be free).
    func endMayRequeue(_ end: EngineStore.InstanceEnd) -> Bool {
        if case .failed = end.result { return true }
        return !(upstreamByJob[end.jobId]?.isEmpty ?? true)
    }

    /// AutoRelease: a job that asked for it is deleted once it has Finished.
    func releaseFinished(_ ends: [EngineStore.InstanceEnd]) {
        for jobId in Set(ends.map(\.jobId)) {
            guard let task = plans.first(where: { $0.key.hasPrefix(jobId + "/") })?.value, task.autoRelease,
                  inFlight.values.allSatisfy({ $0.jobId != jobId }),
                  (try? engine.store.job(jobId))??.state == "Finished" else { continue }
            do {
                try engine.store.deleteJob(jobId)
                logger.info("released job \(jobId) (AutoRelease)")
            } catch {
                logger.error("cannot release job \(jobId) (AutoRelease): \(error)")
            }
        }
    }

    /// Fails a job the scheduler cannot place, saying why.
    func fail(_ jobId: String, message: String) {
        do { try engine.store.failJob(jobId, message: message) } catch {
            logger.error("cannot fail job \(jobId) (\(message)): \(error)")
        }
    }

    /// Prepares and runs one started instance.
    func launch(_ c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, directory: String, host: Bool,
                clusterEnvironment: [String: String]) {
        let key = "\(c.jobId)/\(c.task)/\(c.index)"
        var launch = prepare(c, task: task, directory: directory, clusterEnvironment: clusterEnvironment)
        if let problem = adapt(&launch, task: task, hostRuntime: host) {
            // Nothing to run: the instance fails with the reason, without retries.
            slotsInUse[pool]?.remove(slot)
            try? engine.store.finishInstance(jobId: c.jobId, task: c.task, index: c.index,
                                             result: .failed(exitCode: nil, code: problem.code, message: problem.message),
                                             maxRetries: 0, failJobOnInstanceFailure: task.failJobOnInstanceFailure)
            return
        }
        let executor = self.executor
        let run = Task {
            let outcome = await executor.run(launch.launch) { _ in }
            await self.finished(c, task: task, pool: pool, slot: slot, key: key, launch: launch, outcome: outcome)
        }
        inFlight[key] = (c.jobId, run)
    }

    /// `/proc/self/exe`'s directory when it holds bcctl (the engine may be hosted by a test binary).
    static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let dir = (exe as NSString).deletingLastPathComponent
        return FileManager.default.isExecutableFile(atPath: dir + "/bcctl") ? dir : nil
    }

    /// Whether a cluster runs images' commands on the host (bcops' `Runtime: host`).
    /// A cluster's mounts and input mappings, which every node of it has.
    static func mappings(of cluster: EngineStore.ClusterRow) -> [TaskPlan.Mapping] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(cluster.description.utf8)) as? [String: Any] else { return [] }
        let writable = o["WriteSupport"] as? Bool ?? false
        let mapped = (o["InputMapping"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.compactMap { oss, local in
            (local as? String).map { TaskPlan.Mapping(source: oss, destination: $0, writable: writable) }
        }
        return TaskPlan.mountEntries((o["Configs"] as? [String: Any])?["Mounts"]) + mapped
    }

    /// A cluster's `EnvVars`, which BatchCompute puts in every node's environment.
    static func environment(of cluster: EngineStore.ClusterRow) -> [String: String] {
        guard let o = try? JSONSerialization.jsonObject(with: Data(cluster.description.utf8)) as? [String: Any] else { return [:] }
        return (o["EnvVars"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
    }

    static func runsOnHost(_ cluster: EngineStore.ClusterRow) -> Bool {
        guard let o = try? JSONSerialization.jsonObject(with: Data(cluster.description.utf8)) as? [String: Any] else { return false }
        return o["Runtime"] as? String == "host"
    }

    /// Fits the launch to the task's package and image; a reason when it cannot run here.
    func adapt(_ launch: inout Prepared, task: TaskPlan, hostRuntime: Bool) -> (code: String, message: String)? {
        var command = launch.launch.commandLine
        if let package = task.packagePath {
            guard let local = try? objects.path(of: package), FileManager.default.fileExists(atPath: local) else {
                return ("PackageNotFound", "package \(package) does not exist in the object store")
            }
            command = "tar -xzf \(LocalExecutor.shellQuote(local)) && \(command)"
        }
        if !task.inputs.isEmpty || !task.outputs.isEmpty {
            switch mountPrelude(task, slotDirectory: (launch.launch.stdoutPath as NSString).deletingLastPathComponent) {
            case .failure(let problem): return (problem.code, problem.message)
            case .success(let (prelude, outputs)):
                // A mount namespace of its own: the instance sees OSS at its local paths, no other instance does.
                command = "exec unshare -m --propagation private /bin/sh -c \(LocalExecutor.shellQuote(prelude + " && cd \"$BCOPS_WORKDIR\" && " + command))"
                launch.launch.environment["BCOPS_WORKDIR"] = launch.launch.workingDirectory
                launch.outputs = outputs
            }
        }
        if let image = task.image, !hostRuntime {
            guard let runtime = containerRuntime else {
                return ("NoContainerRuntime", "the task runs in image \(image) but this host has no container runtime (podman or docker); "
                        + "give the cluster Runtime: host (runtime: host in the manifest) to run the command on the host")
            }
            let env = launch.launch.environment.keys.sorted().map { "-e \($0)" }.joined(separator: " ")
            let dir = LocalExecutor.shellQuote(launch.launch.workingDirectory)
            command = "\(runtime) run --rm -v \(dir):/batchcompute/workdir -w /batchcompute/workdir \(env) "
                + "\(LocalExecutor.shellQuote(image)) /bin/sh -c \(LocalExecutor.shellQuote(command))"
        }
        launch.launch.commandLine = command
        return nil
    }

    struct MountProblem: Error { var code: String; var message: String }

    /// Shell commands that make the task's OSS inputs appear at their local paths (read-only
    /// bind mounts, or an overlay whose writes stay local with WriteSupport) and bind a fresh
    /// directory at each output path; run inside the instance's own mount namespace.
    func mountPrelude(_ task: TaskPlan, slotDirectory: String) -> Result<(String, [(directory: String, oss: String)]), MountProblem> {
        guard geteuid() == 0 else {
            return .failure(MountProblem(code: "MountsUnavailable", message: "the task maps OSS to local paths, which needs the engine to run as root (mount namespaces)"))
        }
        let q = LocalExecutor.shellQuote
        let fm = FileManager.default
        let scratch = slotDirectory + "/mounts"
        try? fm.removeItem(atPath: scratch)
        var steps: [String] = []
        for (i, m) in task.inputs.enumerated() {
            guard m.source.hasPrefix("oss://") else {
                return .failure(MountProblem(code: "MountsUnavailable", message: "\(m.source): only oss:// sources can be mapped on this engine"))
            }
            guard let source = try? objects.path(of: m.source) else {
                return .failure(MountProblem(code: "InvalidMapping", message: "\(m.source) is not a valid OSS location"))
            }
            let isDirectory = m.source.hasSuffix("/")
            if isDirectory { try? fm.createDirectory(atPath: source, withIntermediateDirectories: true) }
            guard fm.fileExists(atPath: source) else {
                return .failure(MountProblem(code: "InvalidMapping", message: "\(m.source) does not exist in the object store"))
            }
            let dest = m.destination
            if isDirectory && m.writable {
                let upper = "\(scratch)/\(i)/upper", work = "\(scratch)/\(i)/work"
                try? fm.createDirectory(atPath: upper, withIntermediateDirectories: true)
                try? fm.createDirectory(atPath: work, withIntermediateDirectories: true)
                steps.append("mkdir -p \(q(dest)) && mount -t overlay overlay -o \(q("lowerdir=\(source),upperdir=\(upper),workdir=\(work)")) \(q(dest))")
            } else {
                let make = isDirectory ? "mkdir -p \(q(dest))" : "mkdir -p \(q((dest as NSString).deletingLastPathComponent)) && touch \(q(dest))"
                steps.append("\(make) && mount --bind \(q(source)) \(q(dest)) && mount -o remount,bind,ro \(q(dest))")
            }
        }
        var outputs: [(directory: String, oss: String)] = []
        for (i, o) in task.outputs.enumerated() {
            let dir = "\(scratch)/out-\(i)"
            try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            steps.append("mkdir -p \(q(o.local)) && mount --bind \(q(dir)) \(q(o.local))")
            outputs.append((dir, o.oss.hasSuffix("/") ? o.oss : o.oss + "/"))
        }
        return .success((steps.joined(separator: " && "), outputs))
    }

    /// Uploads everything an instance left in its output directories.
    func uploadOutputs(_ outputs: [(directory: String, oss: String)]) {
        for o in outputs {
            guard let e = FileManager.default.enumerator(atPath: o.directory) else { continue }
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                let full = o.directory + "/" + rel
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                    try? objects.putFile(full, at: o.oss + rel)
                }
            }
        }
    }

    /// LogMapping, after the instance: a relative path is the instance's working directory's;
    /// one inside an OutputMapping path is read from that mapping's private directory; any
    /// other absolute path is the host's (shared by instances running at once, as on one VM).
    func uploadLogs(_ task: TaskPlan, _ c: EngineStore.Runnable, launch: Prepared) {
        for log in task.logs {
            var path = log.local.hasPrefix("/") ? log.local : launch.launch.workingDirectory + "/" + log.local
            for (i, o) in task.outputs.enumerated() where i < launch.outputs.count && log.local.hasPrefix(o.local.hasSuffix("/") ? o.local : o.local + "/") {
                path = launch.outputs[i].directory + "/" + log.local.dropFirst(o.local.count).drop { $0 == "/" }
            }
            guard FileManager.default.fileExists(atPath: path) else {
                logger.info("LogMapping: \(log.local) does not exist after instance \(c.jobId)/\(c.task)/\(c.index); nothing uploaded")
                continue
            }
            let name = (log.local as NSString).lastPathComponent + ".\(c.jobId).\(c.task).\(c.index)"
            do { try objects.putFile(path, at: log.ossDirectory + name) } catch {
                logger.error("LogMapping: cannot upload \(log.local) to \(log.ossDirectory + name): \(error)")
            }
        }
    }

    func slots(of cluster: EngineStore.ClusterRow) -> Int {
        guard let o = try? JSONSerialization.jsonObject(with: Data(cluster.description.utf8)) as? [String: Any] else { return 0 }
        let defaultType = o["InstanceType"] as? String
        var total = 0
        for value in (o["Groups"] as? [String: Any] ?? [:]).values {
            guard let g = value as? [String: Any] else { continue }
            let count = g["DesiredVMCount"] as? Int ?? 0
            let type = g["InstanceType"] as? String ?? defaultType ?? ""
            total += count * (engine.catalog[type]?.cpu ?? 1)
        }
        return total
    }

    struct Prepared: Sendable {
        var launch: InstanceLaunch
        var stdoutObject: String?
        var stderrObject: String?
        /// Per-instance directories bound at OutputMapping paths, uploaded to OSS at the end.
        var outputs: [(directory: String, oss: String)] = []
    }

    /// `DATA/slots/<pool>`, named once per pool.
    func poolDirectory(_ pool: String) -> String {
        if let d = poolDirectories[pool] { return d }
        let d = engine.dataDirectory + "/slots/" + pool.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: ":", with: "-")
        if poolDirectories.count > 4096 { poolDirectories = [:] }
        poolDirectories[pool] = d
        return d
    }

    /// Each slot of a pool has a directory that is reused: creating and deleting a directory
    /// and two log files per instance cost more than the instance itself for short tasks.
    /// `fresh: false` describes an instance already running there (one a restarted engine
    /// adopts), leaving its directory alone.
    func prepare(_ c: EngineStore.Runnable, task: TaskPlan, directory dir: String, clusterEnvironment: [String: String] = [:],
                 fresh: Bool = true) -> Prepared {
        let workdir = dir + "/workdir"
        let fm = FileManager.default
        if !fresh {
            // Nothing to reset: the instance is running in it.
        } else if let leftovers = try? fm.contentsOfDirectory(atPath: workdir) {
            for entry in leftovers { try? fm.removeItem(atPath: workdir + "/" + entry) }  // a fresh working directory
        } else {
            try? fm.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        }
        // The cluster's EnvVars are the node's environment (SGE bootstraps read them); the task's own win.
        var env = clusterEnvironment.merging(task.environment) { _, task in task }
        let path = env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env["PATH"] = toolsDirectory.map { $0 + ":" + path } ?? path
        env["HOME"] = env["HOME"] ?? defaultHome
        env["BATCH_COMPUTE_DAG_JOB_ID"] = c.jobId
        env["BATCH_COMPUTE_DAG_TASK_ID"] = c.task
        env["BATCH_COMPUTE_DAG_INSTANCE_ID"] = String(c.index)
        env["BATCH_COMPUTE_DAG_INSTANCE_COUNT"] = String(task.instanceCount)
        env["BATCH_COMPUTE_CLUSTER_ID"] = task.clusterId ?? "auto-\(c.jobId)"
        env["BATCH_COMPUTE_WORKER_ID"] = "i-local-\(c.index)"
        env["BATCH_COMPUTE_REGION"] = "local"
        env["BATCH_COMPUTE_OSS_HOST"] = ossHost
        // Marks the instance's processes as this engine's, so a restarted engine finds and ends them.
        env[LocalExecutor.ownerVariable] = engine.dataDirectory
        func object(_ kind: String, _ prefix: String?) -> String? {
            guard let prefix, !prefix.isEmpty else { return nil }
            return prefix + "\(kind).\(c.jobId).\(c.task).\(c.index)"
        }
        return Prepared(
            launch: InstanceLaunch(commandLine: task.commandLine, workingDirectory: workdir, environment: env,
                                   stdoutPath: dir + "/stdout", stderrPath: dir + "/stderr", timeoutSeconds: task.timeout,
                                   statusPath: Scheduler.statusPath(dir, c.jobId, c.task, c.index)),
            stdoutObject: object("stdout", task.stdoutPrefix), stderrObject: object("stderr", task.stderrPrefix))
    }

    func finished(_ c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, key: String, launch: Prepared, outcome: InstanceOutcome) async {
        slotsInUse[pool]?.remove(slot)
        inFlight[key] = nil
        guard let end = settle(c, task: task, launch: launch, outcome: outcome) else {
            await tick()
            return
        }
        // A slot is free: record the end and start the next instance in one commit, now.
        await tick(ending: [end])
        // Recorded: the status file has served (removed only now, so a crash before the commit still finds it).
        if let status = launch.launch.statusPath { unlink(status) }
    }

    /// Where an instance's exit status is written, named after the instance (not the slot): a
    /// late write for an earlier instance of the slot (one a restarted engine ended) can never be
    /// taken for the next one's.
    static func statusPath(_ slotDirectory: String, _ jobId: String, _ task: String, _ index: Int) -> String {
        "\(slotDirectory)/status.\(jobId).\(task).\(index)"
    }

    /// Uploads what an ended instance left and says how it ended; nil when that is unknown (an
    /// adopted instance that left no status), after putting it back to run again.
    func settle(_ c: EngineStore.Runnable, task: TaskPlan, launch: Prepared, outcome: InstanceOutcome) -> EngineStore.InstanceEnd? {
        // Logs land in OSS before the state says the instance ended, so a reader never sees a finished instance without them.
        uploadOutputs(launch.outputs)
        uploadLogs(task, c, launch: launch)
        if let o = launch.stdoutObject { try? objects.putFile(launch.launch.stdoutPath, at: o) }
        if let o = launch.stderrObject { try? objects.putFile(launch.launch.stderrPath, at: o) }
        let result: EngineStore.InstanceResult
        switch outcome {
        case .exited(0): result = .succeeded
        case .exited(let code):
            result = .failed(exitCode: Int(code), code: "NonZeroExitCode",
                             message: "instance exited with code \(code)" + (Scheduler.lastLine(of: launch.launch.stderrPath).map { ": \($0)" } ?? ""))
        case .timedOut: result = .failed(exitCode: nil, code: "Timeout", message: "instance exceeded its timeout of \(task.timeout) s")
        case .failedToStart(let why): result = .failed(exitCode: nil, code: "StartFailed", message: why)
        case .unknown:
            do { try engine.store.requeue(jobId: c.jobId, task: c.task, index: c.index) } catch {
                logger.error("cannot requeue instance \(c.jobId)/\(c.task)/\(c.index): \(error)")
            }
            forgetQueue()
            return nil
        }
        return EngineStore.InstanceEnd(jobId: c.jobId, task: c.task, index: c.index, result: result, maxRetries: task.maxRetries,
                                       failJobOnInstanceFailure: task.failJobOnInstanceFailure)
    }

    // MARK: Restarts and stops

    /// A restarted engine settles what the store says was running: instances still running are
    /// adopted (their slots kept, their deadlines too), instances that ended while the engine
    /// was down are recorded from the status `bcops-keeper` wrote, and only those whose fate
    /// is unknown run again. Process groups of instances that no longer run (their job was
    /// stopped or deleted) are ended.
    func recover() async {
        let running: [EngineStore.RunningInstance]
        do { running = try engine.store.runningInstances() } catch {
            logger.error("cannot read the instances a restart interrupted: \(error)")
            return
        }
        var orphans: [String: LocalExecutor.Orphan] = [:]
        var strays: [LocalExecutor.Orphan] = []
        for o in LocalExecutor.orphans(of: engine.dataDirectory) {
            if o.index >= 0, orphans[o.key] == nil { orphans[o.key] = o } else { strays.append(o) }
        }
        let local = executor as? LocalExecutor
        var ends: [EngineStore.InstanceEnd] = []
        var recordedStatuses: [String] = []
        var (adopted, recorded, requeued) = (0, 0, 0)
        for r in running {
            let orphan = orphans.removeValue(forKey: r.key)
            let c = EngineStore.Runnable(jobId: r.jobId, task: r.task, index: r.index, priority: 0)
            guard let dir = r.directory, let slot = Int((dir as NSString).lastPathComponent),
                  let task = plan(r.jobId, r.task), let (poolName, pool) = pool(for: task, jobId: r.jobId, taskName: r.task) else {
                if let orphan { kill(-orphan.group, SIGKILL) }
                do { try engine.store.requeue(jobId: r.jobId, task: r.task, index: r.index) } catch {
                    logger.error("cannot requeue instance \(r.key): \(error)")
                }
                requeued += 1
                continue
            }
            var prepared = prepare(c, task: task, directory: dir, clusterEnvironment: pool.environment, fresh: false)
            prepared.outputs = task.outputs.enumerated().map { i, o in (dir + "/mounts/out-\(i)", o.oss.hasSuffix("/") ? o.oss : o.oss + "/") }
            if let orphan, let local {
                slotsInUse[poolName, default: []].insert(slot)
                let left = task.timeout - Int(Date().timeIntervalSince(r.startTime ?? Date()))
                let launch = prepared
                let run = Task {
                    let outcome = await local.adopt(pid: orphan.group, statusPath: Scheduler.statusPath(dir, r.jobId, r.task, r.index),
                                                    timeoutSeconds: left)
                    await self.finished(c, task: task, pool: poolName, slot: slot, key: r.key, launch: launch, outcome: outcome)
                }
                inFlight[r.key] = (r.jobId, run)
                adopted += 1
            } else if let code = LocalExecutor.recordedStatus(Scheduler.statusPath(dir, r.jobId, r.task, r.index)) {
                if let end = settle(c, task: task, launch: prepared, outcome: .exited(code)) { ends.append(end) }
                recordedStatuses.append(Scheduler.statusPath(dir, r.jobId, r.task, r.index))
                recorded += 1
            } else {
                if let orphan { kill(-orphan.group, SIGKILL) }
                _ = settle(c, task: task, launch: prepared, outcome: .unknown)
                requeued += 1
            }
        }
        // Groups no running instance claims: their job was stopped or deleted while the engine was down.
        for o in Array(orphans.values) + strays { kill(-o.group, SIGKILL) }
        let ended = orphans.count + strays.count
        if adopted + recorded + requeued + ended > 0 {
            logger.info("recovered after a restart", metadata: [
                "adopted": "\(adopted)", "recordedWhileDown": "\(recorded)", "runAgain": "\(requeued)", "endedStrayGroups": "\(ended)"])
        }
        if !ends.isEmpty { await tick(ending: ends) }
        for path in recordedStatuses { unlink(path) }
    }

    /// Stops taking new work, waits up to `drain` for running instances to end (recording
    /// them), and hands the rest over: they go on running, and the next engine on this data
    /// directory adopts them. Returns what it did, for the log.
    public func shutdown(drain: Duration) async -> String {
        accepting = false
        forgetQueue()
        let before = inFlight.count
        let deadline = ContinuousClock.now + drain
        while !inFlight.isEmpty && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = inFlight.count
        if before == 0 { return "no instance was running" }
        return "\(before - left) of \(before) running instances ended while draining; "
            + (left == 0 ? "none left" : "\(left) left running for the next engine on \(engine.dataDirectory) to adopt")
    }

    /// The last non-empty line of a log (read from its last 4 KiB, at most 400 characters): what a
    /// failed program said last is what people need in the failure's reason.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: end > 4096 ? end - 4096 : 0)
        guard let data = try? handle.readToEnd(), let text = String(data: data, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
        return line.map { String($0.trimmingCharacters(in: .whitespaces).prefix(400)) }
    }

    /// Kills the processes of jobs that were stopped or deleted while running.
    func stopCancelledJobs() async {
        let jobs = Set(inFlight.values.map(\.jobId))
        guard !jobs.isEmpty else { return }
        for jobId in jobs {
            let state = (try? engine.store.job(jobId))??.state
            if state != "Running" && state != "Waiting" {
                for (_, run) in inFlight where run.jobId == jobId { run.task.cancel() }
            }
        }
    }
}

