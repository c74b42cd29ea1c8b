import BCAPI
import Foundation

/// What an ended instance leaves goes to OSS before its end is reported, so a reader never
/// sees a finished instance without its logs; an upload that fails fails the instance.
extension InstancePreparing {
    /// Uploads what an ended instance left and says how it ended.
    func settle(_ id: InstanceID, _ run: TaskRun, _ prepared: Prepared, outcome: ProcessOutcome) -> InstanceReport {
        var lost = uploadOutputs(prepared.outputs, for: id)
        lost += uploadLogs(run.plan, id, prepared)
        for (path, object, what) in [(prepared.launch.stdoutPath, prepared.stdoutObject, "stdout log"),
                                     (prepared.launch.stderrPath, prepared.stderrObject, "stderr log")] {
            // No file: the process never started, so it wrote no log and there is nothing to upload.
            guard let object, FileManager.default.fileExists(atPath: path) else { continue }
            lost += upload(path, to: object, what: what, for: id)
        }
        for reason in lost { workerLogs?.append(id, "upload failed: \(reason)") }
        for reason in lost { logger.error("instance \(id): \(reason)") }
        let report: InstanceReport
        switch outcome {
        case .exited(0):
            report = .succeeded
        case .exited(let code):
            report = .failed(exitCode: Int(code), code: "NonZeroExitCode",
                             message: "instance exited with code \(code)" + (LocalExecutor.lastLine(of: prepared.launch.stderrPath).map { ": \($0)" } ?? ""))
        case .timedOut:
            report = .failed(exitCode: nil, code: "Timeout", message: "instance exceeded its timeout of \(run.plan.timeout) s")
        case .failedToStart(let why):
            report = .failed(exitCode: nil, code: "StartFailed", message: why)
        case .unknown:
            workerLogs?.append(id, "ended out of sight: it runs again")
            workerLogs?.ended(id)
            return .unknown  // it runs again, and uploads again
        }
        if let workerLogs {
            switch report {
            case .failed(_, let code, _) where run.plan.maxRetries > 0:
                workerLogs.append(id, "failed (\(code)); the task allows \(run.plan.maxRetries) retries: it runs again while any is left")
            case .failed(_, let code, _): workerLogs.append(id, "failed (\(code))")
            default: workerLogs.append(id, lost.isEmpty ? "finished" : "failed (UploadFailed)")
            }
            workerLogs.ended(id)
        }
        guard !lost.isEmpty else { return report }
        switch report {
        case .failed(let exitCode, let code, let message):
            // Its own failure comes first: that is what needs fixing; the lost uploads follow.
            return .failed(exitCode: exitCode, code: code, message: ([message] + lost).joined(separator: "; "))
        default:
            return .failed(exitCode: 0, code: "UploadFailed", message: lost.joined(separator: "; "))
        }
    }

    /// One upload; the reason when it fails, as the instance's error shows it.
    func upload(_ path: String, to url: String, what: String, for id: InstanceID? = nil) -> [String] {
        do {
            try objects.putFile(path, at: url)
            if let id, let workerLogs {
                let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
                workerLogs.append(id, "uploaded \(what) (\(size.map(String.init) ?? "?") bytes) to \(url)")
            }
            return []
        } catch {
            return ["cannot upload \(what) to \(url): \(reason(error))"]
        }
    }

    /// Everything an instance left in its output directories.
    func uploadOutputs(_ outputs: [(directory: String, oss: String)], for id: InstanceID? = nil) -> [String] {
        var lost: [String] = []
        for o in outputs {
            // No directory: the instance never got as far as its mounts, and wrote nothing.
            guard let e = FileManager.default.enumerator(atPath: o.directory) else { continue }
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                let full = o.directory + "/" + rel
                if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                    lost += upload(full, to: o.oss + rel, what: "output \(rel)", for: id)
                }
            }
        }
        return lost
    }

    /// LogMapping, after the instance: a relative path is the instance's working directory's;
    /// one inside an OutputMapping path is read from that mapping's private directory; any
    /// other absolute path is the host's (shared by instances running at once, as on one VM).
    func uploadLogs(_ task: TaskPlan, _ id: InstanceID, _ prepared: Prepared) -> [String] {
        var lost: [String] = []
        for log in task.logs {
            var path = log.local.hasPrefix("/") ? log.local : prepared.launch.workingDirectory + "/" + log.local
            for (i, o) in task.outputs.enumerated() where i < prepared.outputs.count && log.local.hasPrefix(o.local.hasSuffix("/") ? o.local : o.local + "/") {
                path = prepared.outputs[i].directory + "/" + log.local.dropFirst(o.local.count).drop { $0 == "/" }
            }
            guard FileManager.default.fileExists(atPath: path) else {
                logger.info("LogMapping: \(log.local) does not exist after instance \(id); nothing uploaded")
                continue
            }
            let name = (log.local as NSString).lastPathComponent + ".\(id.jobId).\(id.task).\(id.index)"
            lost += upload(path, to: log.ossDirectory + name, what: "log \(log.local)", for: id)
        }
        return lost
    }

    /// Why a file operation failed, in words people can act on: the system's reason rather
    /// than Foundation's sentence, and the object store's paths as the `oss://` names the
    /// task gave.
    func reason(_ error: Error) -> String {
        if let api = error as? APIError { return api.message }
        let ns = error as NSError
        var text = ns.localizedDescription.replacingOccurrences(of: "The operation could not be completed. ", with: "")
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            text = String(cString: strerror(Int32(posix.code)))
        }
        guard let path = ns.userInfo[NSFilePathErrorKey] as? String else { return text }
        guard path.hasPrefix(objects.root + "/") else { return "\(path): \(text)" }
        let object = "oss://" + path.dropFirst(objects.root.count + 1)
        if ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.fileWriteFileExists.rawValue {
            return "\(object) is an object, not a folder"  // the folder to write into could not be made
        }
        return "\(object): \(text)"
    }
}

extension LocalExecutor {
    /// How a process ended, as its worker log says it.
    static func said(_ outcome: ProcessOutcome) -> String {
        switch outcome {
        case .exited(let code) where code > 128: return "process exited with code \(code) (signal \(code - 128))"
        case .exited(let code): return "process exited with code \(code)"
        case .timedOut: return "timed out: its process group was killed"
        case .failedToStart(let why): return "process did not start: \(why)"
        case .unknown: return "process ended out of sight, leaving no status"
        }
    }

    /// The last non-empty line of a log (read from its last 4 KiB, at most 400 characters): what a
    /// failed program said last is what people need in the failure's reason.
    static func lastLine(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }  // read-only: closing cannot lose anything
        guard let end = try? handle.seekToEnd() else { return nil }
        // A failed seek leaves the handle at the end: no last line, as for an empty log.
        try? handle.seek(toOffset: end > 4096 ? end - 4096 : 0)
        guard let data = try? handle.readToEnd(), let text = String(data: data, encoding: .utf8) else { return nil }
        let line = text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }
        return line.map { String($0.trimmingCharacters(in: .whitespaces).prefix(400)) }
    }
}
