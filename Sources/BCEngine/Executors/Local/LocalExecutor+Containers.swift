import Foundation

/// Fitting an instance's command line to its task's package and image.
extension InstancePreparing {
    /// Unpacks the task's package first, mounts its OSS mappings (`+Mounts`) and runs it in
    /// its image; a refusal when one of those cannot be done here.
    func adapt(_ prepared: inout Prepared, _ run: TaskRun) -> Refusal? {
        let task = run.plan
        var command = prepared.launch.commandLine
        if let package = task.packagePath {
            guard let local = try? objects.path(of: package), FileManager.default.fileExists(atPath: local) else {
                return Refusal(code: "PackageNotFound", message: "package \(package) does not exist in the object store")
            }
            command = "tar -xzf \(LocalExecutor.shellQuote(local)) && \(command)"
        }
        if !task.inputs.isEmpty || !task.outputs.isEmpty {
            switch mountPrelude(task, slotDirectory: (prepared.launch.stdoutPath as NSString).deletingLastPathComponent) {
            case .failure(let refusal): return refusal
            case .success(let (prelude, outputs)):
                // A mount namespace of its own: the instance sees OSS at its local paths, no other instance does.
                command = "exec unshare -m --propagation private /bin/sh -c \(LocalExecutor.shellQuote(prelude + " && cd \"$BCOPS_WORKDIR\" && " + command))"
                prepared.launch.environment["BCOPS_WORKDIR"] = prepared.launch.workingDirectory
                prepared.outputs = outputs
            }
        }
        if let image = task.image, !run.runsOnHost {
            guard let runtime = containerRuntime else {
                return Refusal(code: "NoContainerRuntime",
                               message: "the task runs in image \(image) but this host has no container runtime (podman or docker); "
                                   + "give the cluster Runtime: host (runtime: host in the manifest) to run the command on the host")
            }
            let env = prepared.launch.environment.keys.sorted().map { "-e \($0)" }.joined(separator: " ")
            let dir = LocalExecutor.shellQuote(prepared.launch.workingDirectory)
            command = "\(LocalExecutor.shellQuote(runtime)) run --rm -v \(dir):/batchcompute/workdir -w /batchcompute/workdir \(env) "
                + "\(LocalExecutor.shellQuote(image)) /bin/sh -c \(LocalExecutor.shellQuote(command))"
        }
        prepared.launch.commandLine = command
        return nil
    }
}

extension LocalExecutor {
    /// A container runtime that answers (a docker client without a daemon does not count).
    static func findContainerRuntime() -> String? {
        // By its full path: a task runs it on the task's PATH, which need not hold the
        // directory the engine found it in (`~/.local/bin`), and then every image task would
        // fail with `podman: not found` instead of running.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in ["podman", "docker"] {
            guard let candidate = HostProcesses.resolve(name, path: path, in: "/") else { continue }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: candidate)
            p.arguments = ["info"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            // One that cannot even be started is not there: try the next.
            guard (try? p.run()) != nil else { continue }
            p.waitUntilExit()
            if p.terminationStatus == 0 { return candidate }
        }
        return nil
    }

    /// Quotes a word for /bin/sh.
    static func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
