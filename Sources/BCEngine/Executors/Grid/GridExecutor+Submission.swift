import Foundation

/// An array on disk: the launch script of each task, the array's script, its manifest.
extension GridExecutor {
    /// Prepares each instance as the local executor would, writes its launch as a script a node
    /// runs, notes the array's manifest, and submits it. Runs off the loop.
    func prepareAndSubmit(_ planned: GridManifest, _ run: TaskRun, ossHost: String) async -> Result<Submitted, GridError> {
        var manifest = planned
        let dir = arraysDirectory + "/" + manifest.name
        let fm = FileManager.default
        try? fm.removeItem(atPath: dir)  // a name reused after a lost sequence file: the old array is long gone
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            return .failure(GridError(scheduler: backend.scheduler, command: "mkdir \(dir)", output: reason(error)))
        }
        manifest.cursor = await backend.cursor()
        var prepared: [Int: PreparedInstance] = [:]
        var refused: [ExecutorEvent] = []
        for (i, index) in manifest.instances.enumerated() {
            let id = InstanceID(jobId: manifest.jobId, task: manifest.task, index: index)
            let task = i + 1
            let instanceDir = instanceDirectory(id)
            // Made or not, the launch says why it cannot run (its log files cannot be opened).
            try? fm.createDirectory(atPath: instanceDir, withIntermediateDirectories: true)
            var p = prepare(id, run, directory: instanceDir, ossHost: ossHost)
            // That variable marks processes the local executor's restart may end: not these.
            p.launch.environment[HostProcesses.ownerVariable] = nil
            var script = "#!/bin/sh\nexit 0\n"  // refused: the task does nothing, its end is reported now
            if let refusal = adapt(&p, run) {
                refused.append(.ended(id, refusal.retriable ? .failed(exitCode: nil, code: refusal.code, message: refusal.message)
                                                            : .refused(code: refusal.code, message: refusal.message)))
            } else {
                prepared[task] = p
                script = GridExecutor.launchScript(id, p.launch)
            }
            do { try script.write(toFile: dir + "/task.\(task).sh", atomically: false, encoding: .utf8) } catch {
                return .failure(GridError(scheduler: backend.scheduler, command: "write \(dir)/task.\(task).sh", output: reason(error)))
            }
        }
        let arrayScript = dir + "/array.sh"
        let text = """
            #!/bin/sh
            # bcops array \(manifest.name): task number n runs task.n.sh (instance \(manifest.jobId)/\(manifest.task)/<index in array.json>)
            # Slurm: the task's own job id, which `sacct -c` knows it by (SlurmBackend.recordedEnds).
            [ -z "$SLURM_JOB_ID" ] || echo "$SLURM_JOB_ID" >\(LocalExecutor.shellQuote(dir))/slurm.$SLURM_ARRAY_TASK_ID.jobid
            exec /bin/sh \(LocalExecutor.shellQuote(dir))/task.${SGE_TASK_ID:-$SLURM_ARRAY_TASK_ID}.sh

            """
        do {
            try text.write(toFile: arrayScript, atomically: false, encoding: .utf8)
            try write(manifest)
        } catch {
            return .failure(GridError(scheduler: backend.scheduler, command: "write \(dir)", output: reason(error)))
        }
        do throws(GridError) {
            let id = try await backend.submit(GridArraySubmission(name: manifest.name, script: arrayScript, count: manifest.instances.count,
                                                                  directory: dir, timeoutSeconds: run.plan.timeout, queue: queue(for: run)))
            manifest.arrayId = id
            // Lost: a restart finds the array by its name instead.
            try? write(manifest)
            return .success(Submitted(jobId: id, prepared: prepared, refused: refused))
        } catch {
            return .failure(error)
        }
    }

    /// What the local executor's spawn does, as a script: the instance's environment and
    /// nothing else (`env -i`), its working directory, stdin from /dev/null, stdout and stderr
    /// to its files, and the command line through `/bin/sh -c`.
    static func launchScript(_ id: InstanceID, _ launch: ProcessLaunch) -> String {
        let q = LocalExecutor.shellQuote
        let env = launch.environment.keys.sorted().map { q($0 + "=" + launch.environment[$0]!) }.joined(separator: " \\\n    ")
        return """
            #!/bin/sh
            # bcops instance \(id)
            exec </dev/null >\(q(launch.stdoutPath)) 2>\(q(launch.stderrPath))
            cd \(q(launch.workingDirectory)) || exit 1
            exec /usr/bin/env -i \\
                \(env) \\
                /bin/sh -c \(q(launch.commandLine))

            """
    }

    func write(_ manifest: GridManifest) throws {
        let data = try JSONEncoder().encode(manifest)
        try data.write(to: URL(fileURLWithPath: arraysDirectory + "/" + manifest.name + "/array.json"), options: .atomic)
    }

    /// An array whose every end was recorded: its scripts and manifest go.
    func remove(_ manifest: GridManifest) {
        // Already gone (a test cleaned up): nothing to remove.
        try? FileManager.default.removeItem(atPath: arraysDirectory + "/" + manifest.name)
        if let id = manifest.arrayId, let sge = backend as? GridEngineBackend {
            Task { await sge.forget(id) }
        }
    }
}
