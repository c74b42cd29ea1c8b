import BCAPI
import BCClient
import BCModel
import BCRender
import Foundation

/// A render job as `bcctl render status` shows it: the frames, each node's share and state,
/// and what each node's log says so far. Read through the API (job, instances, logs).
struct RenderJobSnapshot: Sendable {
    struct Node: Sendable {
        var index: Int
        var frames: [Int]
        var state: String
        var retries: Int
        var progress: RenderProgress
        /// The renderer's CPU time, from the node's last line (`bcctl render node` prints it).
        var cpuSeconds: Double?
        var error: String?
    }

    enum FrameState: String, Sendable { case done, rendering, failed, waiting }

    var name: String
    var id: String
    var state: String
    var message: String
    var frames: FrameSpec
    var output: String
    var nodes: [Node]
    var elapsed: Double?

    /// Done when its node saved it (or finished), failed when its node failed before saving it.
    func frameStates() -> [(frame: Int, state: FrameState)] {
        var out: [(Int, FrameState)] = []
        for node in nodes {
            let saved = Set(node.progress.savedFrames)
            for (i, f) in node.frames.enumerated() {
                let done = node.state == "Finished" || saved.contains(f) || (node.progress.savedFrames.isEmpty && i < node.progress.framesSaved)
                let state: FrameState = done ? .done
                    : node.state == "Failed" || node.state == "Stopped" ? .failed
                    : node.state == "Running" && (node.progress.currentFrame == f || (node.progress.currentFrame == nil && i == node.progress.framesSaved)) ? .rendering
                    : .waiting
                out.append((f, state))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }
}

enum RenderJobReader {
    /// The newest job named `nameOrId`, or the job with that ID.
    static func find(_ nameOrId: String, client: BatchComputeClient) async throws -> JSONValue {
        if nameOrId.hasPrefix("job-"), let job = try? await client.call(.GET, "/jobs/\(nameOrId)") { return job }
        let named = try await client.listAll("/jobs").filter { $0["Name"]?.stringValue == nameOrId }
        guard let newest = named.max(by: { ($0["CreationTime"]?.stringValue ?? "") < ($1["CreationTime"]?.stringValue ?? "") }) else {
            throw RenderNodeError(message: "no job named \(nameOrId)")
        }
        return newest
    }

    static func snapshot(_ nameOrId: String, client: BatchComputeClient) async throws -> RenderJobSnapshot {
        let job = try await find(nameOrId, client: client)
        let id = job["Id"]?.stringValue ?? nameOrId
        let description = try await client.call(.GET, "/jobs/\(id)", query: [("description", "")])
        guard let app = description["App"], let inputs = app["Inputs"], let framesText = inputs["frames"]?.stringValue,
              let frames = try? FrameSpec(parsing: framesText) else {
            throw RenderNodeError(message: "job \(id) is not a render job (an App job with frames)")
        }
        let chunk = Int(inputs["framesPerTask"]?.stringValue ?? "") ?? 0
        let instances = try await client.listAll("/jobs/\(id)/tasks/app/instances")
        let count = app["Config"]?["InstanceCount"]?.intValue ?? max(1, instances.count)
        let shares = chunk > 0 ? FrameSplit.shares(frames, framesPerTask: chunk) : FrameSplit.shares(frames, nodes: count)
        var nodes: [RenderJobSnapshot.Node] = []
        for instance in instances {
            let index = instance["InstanceId"]?.intValue ?? nodes.count
            let log = try await readLog(client, job: id, node: index, stream: "stdout")
            var progress = RenderProgress()
            // Its own closing line is bcops', not the renderer's: the last line shown is the renderer's.
            let cpu = cpuSeconds(in: log)
            progress.consume(Substring(cpu == nil ? log : log.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(RendererProcess.cpuTimePrefix) }.joined(separator: "\n")))
            progress.finish()
            let errorMessage = instance["Result"]?["ErrorMessage"]?.stringValue ?? ""
            nodes.append(.init(index: index, frames: index < shares.count ? shares[index] : [], state: instance["State"]?.stringValue ?? "Waiting",
                               retries: instance["RetryCount"]?.intValue ?? 0, progress: progress, cpuSeconds: cpu,
                               error: errorMessage.isEmpty ? nil : errorMessage))
        }
        var elapsed: Double?
        if let start = job["StartTime"]?.stringValue.flatMap(WireTime.parse) {
            let end = job["EndTime"]?.stringValue.flatMap(WireTime.parse) ?? Date()
            elapsed = max(0, end.timeIntervalSince(start))
        }
        return RenderJobSnapshot(name: job["Name"]?.stringValue ?? "", id: id, state: job["State"]?.stringValue ?? "",
                                 message: job["Message"]?.stringValue ?? "", frames: frames,
                                 output: app["Outputs"]?["output"]?.stringValue ?? "", nodes: nodes, elapsed: elapsed)
    }

    /// A whole log (from the engine's `/bcops/logs`), following its offset until it has all of it.
    static func readLog(_ client: BatchComputeClient, job: String, node: Int, stream: String, from offset: Int = 0,
                        task: String = "app") async throws -> String {
        var text = Data()
        var at = offset
        while true {
            let response = try await client.send(.GET, "/bcops/logs/\(job)/\(task)/\(node)", query: [("Stream", stream), ("Offset", String(at))])
            guard response.status == 200 else { return String(decoding: text, as: UTF8.self) }
            text.append(contentsOf: response.body)
            let next = Int(response.headers["x-bcops-offset"].first ?? "") ?? at
            if next == at || response.body.count < 1 << 20 { break }
            at = next
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `bcctl render node`'s closing line: `bcops render node: renderer CPU time 1.23 s`.
    static func cpuSeconds(in log: String) -> Double? {
        guard let range = log.range(of: RendererProcess.cpuTimePrefix, options: .backwards) else { return nil }
        return Double(log[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}
