import BCAPI
import BCClient
import BCModel
import BCRenderClient
import Foundation

/// Follows the applied revision's RenderJobs: progress and the per-node view (as `bcctl render
/// status -json`), and, when a job's project auto-downloads, its finished frames downloaded
/// once per run (the run's job ID is remembered).
actor RenderJobWatcher: RunWatcher {
    nonisolated let statusKey = "renders"
    nonisolated let kinds: Set<Kind> = [.RenderProject, .RenderJob]
    private var watched: [RenderWatch] = []
    /// What was last served, by RenderJob name.
    private var served: [String: JSONValue] = [:]
    private var downloaded: Set<String> = []

    func watch(_ manifests: [Manifest]) { watched = RenderWatch.all(in: manifests) }

    func follow(client: BatchComputeClient) async -> [JSONValue]? {
        // Cannot list the jobs now: what was served stays until the next pass reads them.
        guard !watched.isEmpty, let jobs = try? await client.allJobs() else { return nil }
        // The newest run of each name, from one list (not one list per RenderJob).
        var newest: [String: (id: String, created: String)] = [:]
        for j in jobs where j.creationTime >= (newest[j.name]?.created ?? "") {
            newest[j.name] = (j.id, j.creationTime)
        }
        var seen: [String: JSONValue] = [:]
        for watch in watched {
            guard let id = newest[watch.name]?.id else { continue }
            // A run that ended (and was downloaded, if asked) does not change: keep what was read.
            if let known = served[watch.name], known["id"]?.stringValue == id,
               JobState(rawValue: known["state"]?.stringValue ?? "")?.isEnded == true,
               watch.downloadDirectory == nil || downloaded.contains(id) {
                seen[watch.name] = known
                continue
            }
            // A run that cannot be read now is left out of this pass's status, and read again next pass.
            guard let snapshot = try? await RenderJobReader.snapshot(id, client: client) else { continue }
            var json = snapshot.json
            if let dir = watch.downloadDirectory, snapshot.state == .finished {
                let target = (dir as NSString).appendingPathComponent(watch.name)
                // A download that fails is tried again next pass: the run counts as downloaded
                // only once it was, and the status says `downloadedTo: null` meanwhile.
                if !downloaded.contains(snapshot.id), (try? await RenderDownloader.download(output: snapshot.output, to: target, client: client)) != nil {
                    downloaded.insert(snapshot.id)
                }
                if case .object(var o) = json {
                    o["downloadedTo"] = downloaded.contains(snapshot.id) ? .string(target) : .null
                    json = .object(o)
                }
            }
            seen[watch.name] = json
        }
        served = seen
        return seen.keys.sorted().map { seen[$0]! }
    }
}

/// A RenderJob to follow: its name, and where its frames go when its project auto-downloads.
struct RenderWatch: Sendable {
    var name: String
    var downloadDirectory: String?

    /// `downloadDir` (default `rm_output/`, as the Render Manager) is relative to the
    /// controller's working directory unless absolute.
    static func all(in manifests: [Manifest]) -> [RenderWatch] {
        var projects: [String: RenderProjectSpec] = [:]
        for i in manifests.indices where manifests[i].kind == .RenderProject {
            if let p = manifests[i].spec as? RenderProjectSpec { projects[manifests[i].metadata.name] = p }
        }
        return manifests.compactMap { m in
            guard let job = m.spec as? RenderJobSpec else { return nil }
            let project = projects[job.project]
            let dir = project?.autoDownload == true ? (project?.downloadDir ?? "rm_output/") : nil
            let absolute = dir.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            return RenderWatch(name: m.metadata.name, downloadDirectory: absolute)
        }
    }
}
