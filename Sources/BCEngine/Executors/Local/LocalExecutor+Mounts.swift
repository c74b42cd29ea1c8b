import Foundation

/// OSS at a task's local paths: InputMapping, Mounts and OutputMapping.
extension InstancePreparing {
    /// Shell commands that make the task's OSS inputs appear at their local paths (read-only
    /// bind mounts, or an overlay whose writes stay local with WriteSupport) and bind a fresh
    /// directory at each output path; run inside the instance's own mount namespace.
    func mountPrelude(_ task: TaskPlan, slotDirectory: String) -> Result<(String, [(directory: String, oss: String)]), Refusal> {
        guard geteuid() == 0 else {
            return .failure(Refusal(code: "MountsUnavailable", message: "the task maps OSS to local paths, which needs the engine to run as root (mount namespaces)"))
        }
        let q = LocalExecutor.shellQuote
        let fm = FileManager.default
        let scratch = slotDirectory + "/mounts"
        // The previous instance's scratch, if any; absent is the usual case.
        try? fm.removeItem(atPath: scratch)
        var steps: [String] = []
        for (i, m) in task.inputs.enumerated() {
            guard m.source.hasPrefix("oss://") else {
                return .failure(Refusal(code: "MountsUnavailable", message: "\(m.source): only oss:// sources can be mapped on this engine"))
            }
            guard let source = try? objects.path(of: m.source) else {
                return .failure(Refusal(code: "InvalidMapping", message: "\(m.source) is not a valid OSS location"))
            }
            let isDirectory = m.source.hasSuffix("/")
            if isDirectory {
                // An empty prefix is a directory nobody wrote yet; one that cannot be made is refused just below.
                try? fm.createDirectory(atPath: source, withIntermediateDirectories: true)
            }
            guard fm.fileExists(atPath: source) else {
                return .failure(Refusal(code: "InvalidMapping", message: "\(m.source) does not exist in the object store"))
            }
            let dest = m.destination
            if isDirectory && m.writable {
                let upper = "\(scratch)/\(i)/upper", work = "\(scratch)/\(i)/work"
                if let refusal = makeDirectories([upper, work], for: m.source) { return .failure(refusal) }
                steps.append("mkdir -p \(q(dest)) && mount -t overlay overlay -o \(q("lowerdir=\(source),upperdir=\(upper),workdir=\(work)")) \(q(dest))")
            } else {
                let make = isDirectory ? "mkdir -p \(q(dest))" : "mkdir -p \(q((dest as NSString).deletingLastPathComponent)) && touch \(q(dest))"
                steps.append("\(make) && mount --bind \(q(source)) \(q(dest)) && mount -o remount,bind,ro \(q(dest))")
            }
        }
        var outputs: [(directory: String, oss: String)] = []
        for (i, o) in task.outputs.enumerated() {
            let dir = "\(scratch)/out-\(i)"
            if let refusal = makeDirectories([dir], for: o.oss) { return .failure(refusal) }
            steps.append("mkdir -p \(q(o.local)) && mount --bind \(q(dir)) \(q(o.local))")
            outputs.append((dir, o.oss.hasSuffix("/") ? o.oss : o.oss + "/"))
        }
        return .success((steps.joined(separator: " && "), outputs))
    }

    /// Makes the scratch directories a mapping needs; a refusal saying which and why when one
    /// cannot be made (the mount would fail inside the instance with a less telling message).
    private func makeDirectories(_ paths: [String], for mapping: String) -> Refusal? {
        for path in paths {
            do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
                return Refusal(code: "MountsUnavailable", message: "cannot make \(path) for \(mapping): \(reason(error))",
                               retriable: true)
            }
        }
        return nil
    }
}
