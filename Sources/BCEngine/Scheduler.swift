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
    var plans: [String: TaskPlan] = [:]   // job/task → parsed task, parsed once
    var upstreamByJob: [String: [String: [String]]] = [:]  // job → task → upstream tasks
    /// pool → (slots, runs images on the host), read once and dropped when the API reports a change.
    var pools: [String: (capacity: Int, host: Bool)] = [:]
    /// Runnable instances read on the last pass that found no free slot yet. Passes triggered by
    /// an instance ending use them instead of querying again; any change the API reports, and
    /// the periodic pass, read afresh. Starting re-checks the state, so a stale entry is harmless.
    var candidates: [EngineStore.Runnable] = []
    var poolDirectories: [String: String] = [:]
    /// The engine's own HOME, the default for instances (read once: ProcessInfo copies the environment).
    let defaultHome = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
    /// The directory of the running bcctl: first on every instance's PATH, so node-side tools
    /// (`bcctl render node`) resolve as a BatchCompute image's software would.
    let toolsDirectory: String? = Scheduler.executableDirectory()

    /// podman or docker when one can run containers here, found once at start.
    let containerRuntime: String?

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
        do {
            let killed = LocalExecutor.killOrphans(of: engine.dataDirectory)
            if killed > 0 { logger.info("ended process groups left by an earlier engine", metadata: ["count": "\(killed)"]) }
            let requeued = try engine.store.requeueInterrupted()
            if requeued > 0 { logger.info("requeued instances interrupted by a restart", metadata: ["count": "\(requeued)"]) }
        } catch { logger.error("cannot requeue interrupted instances: \(error)") }
        // A pass on every wakeup from the API (checked every 5 ms), and at least every 250 ms.
        var sinceLastPass = 0
        while !Task.isCancelled {
            let changed = await engine.wakeup.take()
            if changed { pools = [:] }  // a cluster may have been resized or deleted
            if changed || sinceLastPass >= 50 {
                candidates = []
                await tick()
                await stopCancelledJobs()
                sinceLastPass = 0
            }
            try? await Task.sleep(nanoseconds: 5_000_000)
            sinceLastPass += 1
        }
    }

    /// Reads up to 32 runnable instances into `candidates` when none are left.
    func refillCandidates() {
        guard candidates.isEmpty else { return }
        // Dependencies are parsed once per job, not on every pass.
        var known = upstreamByJob
        do {
            candidates = try engine.store.runnableInstances(limit: 32) { id, description in
                if let u = known[id] { return u }
                let u = EngineStore.upstreamTasks(description)
                known[id] = u
                return u
            }
        } catch {
            logger.error("cannot read runnable instances: \(error)")
        }
        upstreamByJob = known
        // Parsed jobs are cheap to parse again; keep the caches bounded for a long-running engine.
        if upstreamByJob.count > 4096 { upstreamByJob = [:] }
        if plans.count > 4096 { plans = [:] }
    }

    /// One pass: record the instances that just ended and start whatever can start now, in
    /// one transaction.
    public func tick(ending ends: [EngineStore.InstanceEnd] = []) async {
        refillCandidates()
        var remaining: [EngineStore.Runnable] = []
        var chosen: [(c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, directory: String, host: Bool)] = []
        for c in candidates {
            if inFlight["\(c.jobId)/\(c.task)/\(c.index)"] != nil { continue }
            let planKey = "\(c.jobId)/\(c.task)"
            let appDescription: String? = plans[planKey] == nil ? TaskPlan.appName(c.description).flatMap { try? engine.store.app($0)?.description } : nil
            guard let task = plans[planKey] ?? TaskPlan(description: c.description, task: c.task, app: appDescription) else { continue }
            plans[planKey] = task
            let pool = task.clusterId.map { "cluster:\($0)" } ?? "auto:\(c.jobId)/\(c.task)"
            let capacity: Int, host: Bool
            if let known = pools[pool] {
                (capacity, host) = known
            } else if let clusterId = task.clusterId {
                guard let cluster = try? engine.store.cluster(clusterId) else {
                    try? engine.store.failJob(c.jobId, message: "cluster \(clusterId) does not exist")
                    continue
                }
                (capacity, host) = (slots(of: cluster), Scheduler.runsOnHost(cluster))
                pools[pool] = (capacity, host)
            } else {
                (capacity, host) = (task.instanceCount, false)
                pools[pool] = (capacity, host)
            }
            let used = slotsInUse[pool, default: []]
            guard used.count < capacity, let slot = (0..<capacity).first(where: { !used.contains($0) }) else {
                remaining.append(c)
                continue
            }
            slotsInUse[pool, default: []].insert(slot)
            chosen.append((c, task, pool, slot, poolDirectory(pool) + "/\(slot)", host))
        }
        candidates = remaining
        let took: [Bool]
        do {
            took = try engine.store.record(ends: ends, starts: chosen.map {
                EngineStore.InstanceStart(jobId: $0.c.jobId, task: $0.c.task, index: $0.c.index,
                                          logDirectory: $0.directory)
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
            launch(pick.c, task: pick.task, pool: pick.pool, slot: pick.slot, directory: pick.directory, host: pick.host)
        }
        // The ends may have let a downstream task or a retry become runnable: look again once the
        // known candidates are used up.
        if !ends.isEmpty && candidates.isEmpty { await tick() }
    }

    /// Prepares and runs one started instance.
    func launch(_ c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, directory: String, host: Bool) {
        let key = "\(c.jobId)/\(c.task)/\(c.index)"
        var launch = prepare(c, task: task, directory: directory)
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
    func prepare(_ c: EngineStore.Runnable, task: TaskPlan, directory dir: String) -> Prepared {
        let workdir = dir + "/workdir"
        let fm = FileManager.default
        if let leftovers = try? fm.contentsOfDirectory(atPath: workdir) {
            for entry in leftovers { try? fm.removeItem(atPath: workdir + "/" + entry) }  // a fresh working directory
        } else {
            try? fm.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        }
        var env = task.environment
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
        env["BATCH_COMPUTE_OSS_HOST"] = "localhost"
        // Marks the instance's processes as this engine's, so a restarted engine finds and ends them.
        env[LocalExecutor.ownerVariable] = engine.dataDirectory
        func object(_ kind: String, _ prefix: String?) -> String? {
            guard let prefix, !prefix.isEmpty else { return nil }
            return prefix + "\(kind).\(c.jobId).\(c.task).\(c.index)"
        }
        return Prepared(
            launch: InstanceLaunch(commandLine: task.commandLine, workingDirectory: workdir, environment: env,
                                   stdoutPath: dir + "/stdout", stderrPath: dir + "/stderr", timeoutSeconds: task.timeout),
            stdoutObject: object("stdout", task.stdoutPrefix), stderrObject: object("stderr", task.stderrPrefix))
    }

    func finished(_ c: EngineStore.Runnable, task: TaskPlan, pool: String, slot: Int, key: String, launch: Prepared, outcome: InstanceOutcome) async {
        slotsInUse[pool]?.remove(slot)
        inFlight[key] = nil
        // Logs land in OSS before the state says the instance ended, so a reader never sees a finished instance without them.
        uploadOutputs(launch.outputs)
        uploadLogs(task, c, launch: launch)
        if let o = launch.stdoutObject { try? objects.putFile(launch.launch.stdoutPath, at: o) }
        if let o = launch.stderrObject { try? objects.putFile(launch.launch.stderrPath, at: o) }
        let result: EngineStore.InstanceResult = switch outcome {
        case .exited(0): .succeeded
        case .exited(let code):
            .failed(exitCode: Int(code), code: "NonZeroExitCode",
                    message: "instance exited with code \(code)" + (Scheduler.lastLine(of: launch.launch.stderrPath).map { ": \($0)" } ?? ""))
        case .timedOut: .failed(exitCode: nil, code: "Timeout", message: "instance exceeded its timeout of \(task.timeout) s")
        case .failedToStart(let why): .failed(exitCode: nil, code: "StartFailed", message: why)
        }
        // A slot is free: record the end and start the next instance in one commit, now.
        await tick(ending: [EngineStore.InstanceEnd(jobId: c.jobId, task: c.task, index: c.index, result: result, maxRetries: task.maxRetries,
                                                    failJobOnInstanceFailure: task.failJobOnInstanceFailure)])
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

