import Foundation

/// Fitting an instance's command line to its task's package and image.
extension LocalExecutor {
    /// Why an instance cannot run on this host; it fails with this, without retries unless
    /// the cause may pass (a directory that could not be made).
    struct Refusal: Error, Sendable {
        var code: String
        var message: String
        var retriable = false
    }

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
            command = "\(runtime) run --rm -v \(dir):/batchcompute/workdir -w /batchcompute/workdir \(env) "
                + "\(LocalExecutor.shellQuote(image)) /bin/sh -c \(LocalExecutor.shellQuote(command))"
        }
        prepared.launch.commandLine = command
        return nil
    }

    /// A container runtime that answers (a docker client without a daemon does not count).
    static func findContainerRuntime() -> String? {
        for candidate in ["podman", "docker"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [candidate, "info"]
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
