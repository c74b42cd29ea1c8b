import Foundation

/// Where an instance runs on this host, and with what environment.
extension LocalExecutor {
    /// `DATA/slots/<pool>/<slot>`: each slot of a pool has a directory that is reused, since
    /// creating and deleting a directory and two log files per instance cost more than the
    /// instance itself for short tasks.
    func slotDirectory(pool: String, slot: Int) -> String {
        // Character by character: Foundation's replacingOccurrences, twice per instance, was 5 % of
        // the engine's time on `bench/dispatch.sh`.
        let name = String(String.UnicodeScalarView(pool.unicodeScalars.map { $0 == "/" ? "_" : $0 == ":" ? "-" : $0 }))
        return dataDirectory + "/slots/" + name + "/" + String(slot)
    }

    func logDirectory(pool: String, slot: Int?) -> String? {
        slotDirectory(pool: pool, slot: slot ?? 0)
    }

    /// The slot a log directory this executor named is for.
    static func slot(ofLogDirectory directory: String) -> Int? {
        Int((directory as NSString).lastPathComponent)
    }

    /// Where an instance's exit status is written, named after the instance (not the slot): a
    /// late write for an earlier instance of the slot (one a restarted engine ended) can never be
    /// taken for the next one's.
    static func statusPath(_ slotDirectory: String, _ id: InstanceID) -> String {
        "\(slotDirectory)/status.\(id.jobId).\(id.task).\(id.index)"
    }

    /// Whether `path` is a directory with nothing in it (false when it cannot be read).
    static func isEmptyDirectory(_ path: String) -> Bool {
        guard let dir = opendir(path) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { return false }
        }
        return true
    }
}

/// Shared with the Grid Engine and Slurm executors (`InstancePreparing`).
extension InstancePreparing {
    /// The instance's process in its slot directory, with a fresh working directory, and the
    /// environment BatchCompute gives a node. `fresh: false` describes an instance already
    /// running there (one a restarted engine adopts), leaving its directory alone.
    func prepare(_ id: InstanceID, _ run: TaskRun, directory dir: String, ossHost: String, fresh: Bool = true) -> Prepared {
        let task = run.plan
        let workdir = dir + "/workdir"
        if fresh { resetWorkingDirectory(workdir) }
        // The cluster's EnvVars are the node's environment (SGE bootstraps read them); the task's own win.
        var env = run.clusterEnvironment.merging(task.environment) { _, task in task }
        let path = env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        env["PATH"] = toolsDirectory.map { $0 + ":" + path } ?? path
        env["HOME"] = env["HOME"] ?? defaultHome
        env["BATCH_COMPUTE_DAG_JOB_ID"] = id.jobId
        env["BATCH_COMPUTE_DAG_TASK_ID"] = id.task
        env["BATCH_COMPUTE_DAG_INSTANCE_ID"] = String(id.index)
        env["BATCH_COMPUTE_DAG_INSTANCE_COUNT"] = String(task.instanceCount)
        env["BATCH_COMPUTE_CLUSTER_ID"] = task.clusterId ?? "auto-\(id.jobId)"
        env["BATCH_COMPUTE_WORKER_ID"] = "i-local-\(id.index)"
        env["BATCH_COMPUTE_REGION"] = "local"
        env["BATCH_COMPUTE_OSS_HOST"] = ossHost
        // Marks the instance's processes as this engine's, so a restarted engine finds and ends them.
        env[HostProcesses.ownerVariable] = dataDirectory
        func object(_ kind: String, _ prefix: String?) -> String? {
            guard let prefix, !prefix.isEmpty else { return nil }
            return prefix + "\(kind).\(id.jobId).\(id.task).\(id.index)"
        }
        return Prepared(
            launch: ProcessLaunch(commandLine: task.commandLine, workingDirectory: workdir, environment: env,
                                  stdoutPath: dir + "/stdout", stderrPath: dir + "/stderr", timeoutSeconds: task.timeout,
                                  statusPath: LocalExecutor.statusPath(dir, id)),
            stdoutObject: object("stdout", task.stdoutPrefix), stderrObject: object("stderr", task.stderrPrefix))
    }

    /// Empties the slot's working directory (or makes it). What cannot be removed or made shows
    /// up as the instance's own failure (a file it finds, or a working directory that does not
    /// exist when it starts), so it is logged, not fatal here.
    private func resetWorkingDirectory(_ workdir: String) {
        // Most instances leave nothing: a look with readdir costs a fraction of FileManager's listing.
        if LocalExecutor.isEmptyDirectory(workdir) { return }
        let fm = FileManager.default
        if let leftovers = try? fm.contentsOfDirectory(atPath: workdir) {
            for entry in leftovers {
                do { try fm.removeItem(atPath: workdir + "/" + entry) } catch {
                    logger.warning("cannot clear \(workdir)/\(entry) for the next instance: \(error)")
                }
            }
        } else {
            do { try fm.createDirectory(atPath: workdir, withIntermediateDirectories: true) } catch {
                logger.error("cannot create the working directory \(workdir): \(error)")
            }
        }
    }
}
