import BCAPI
import BCClient
import BCModel
import BCRender
import Foundation

/// Reads a render job through the API: the job, its instances and each node's log.
public enum RenderJobReader {
    /// The newest job named `nameOrId`, or the job with that ID.
    public static func find(_ nameOrId: String, client: BatchComputeClient) async throws -> JSONValue {
        if nameOrId.hasPrefix("job-"), let job = try? await client.call(.GET, "/jobs/\(nameOrId)") { return job }
        let named = try await client.listAll("/jobs").filter { $0["Name"]?.stringValue == nameOrId }
        guard let newest = named.max(by: { ($0["CreationTime"]?.stringValue ?? "") < ($1["CreationTime"]?.stringValue ?? "") }) else {
            throw RenderReadError(message: "no job named \(nameOrId)")
        }
        return newest
    }

    public static func snapshot(_ nameOrId: String, client: BatchComputeClient) async throws -> RenderJobSnapshot {
        let job = try await find(nameOrId, client: client)
        let id = job["Id"]?.stringValue ?? nameOrId
        let description = try await client.call(.GET, "/jobs/\(id)", query: [("description", "")])
        guard let app = description["App"], let inputs = app["Inputs"], let framesText = inputs["frames"]?.stringValue,
              let frames = try? FrameSpec(parsing: framesText) else {
            throw RenderReadError(message: "job \(id) is not a render job (an App job with frames)")
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
                .filter { !$0.hasPrefix(RenderNodeLog.cpuTimePrefix) }.joined(separator: "\n")))
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
    public static func readLog(_ client: BatchComputeClient, job: String, node: Int, stream: String, from offset: Int = 0,
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
    public static func cpuSeconds(in log: String) -> Double? {
        guard let range = log.range(of: RenderNodeLog.cpuTimePrefix, options: .backwards) else { return nil }
        return Double(log[range.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}

public struct RenderReadError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
