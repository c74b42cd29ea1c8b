import BCAPI
import BCClient
import BCModel
import BCRender
import Foundation

/// Reads a render job through the API: the job, its instances and each node's log.
public enum RenderJobReader {
    /// The newest job named `nameOrId`, or the job with that ID.
    public static func find(_ nameOrId: String, client: BatchComputeClient) async throws -> JobStatus {
        // An ID the engine does not answer for may still be a name: look it up as one.
        if nameOrId.hasPrefix("job-"), let job = try? await client.job(nameOrId) { return job }
        let named = try await client.allJobs().filter { $0.name == nameOrId }
        guard let newest = named.max(by: { $0.creationTime < $1.creationTime }) else {
            throw RenderReadError(message: "no job named \(nameOrId)")
        }
        return newest
    }

    public static func snapshot(_ nameOrId: String, client: BatchComputeClient) async throws -> RenderJobSnapshot {
        let job = try await find(nameOrId, client: client)
        let id = job.id
        let description = try await client.jobDescription(id)
        guard let app = description.app, let framesText = app.inputs["frames"]?.stringValue,
              let frames = try? FrameSpec(parsing: framesText) else {
            throw RenderReadError(message: "job \(id) is not a render job (an App job with frames)")
        }
        let chunk = Int(app.inputs["framesPerTask"]?.stringValue ?? "") ?? 0
        let instances = try await client.instances(of: id, task: "app")
        let count = app.config?.instanceCount ?? max(1, instances.count)
        let shares = chunk > 0 ? FrameSplit.shares(frames, framesPerTask: chunk) : FrameSplit.shares(frames, nodes: count)
        var nodes: [RenderJobSnapshot.Node] = []
        for instance in instances {
            let index = instance.instanceId
            let log = try await readLog(client, job: id, node: index, stream: "stdout")
            var progress = RenderProgress()
            // Its own closing line is bcops', not the renderer's: the last line shown is the renderer's.
            let cpu = cpuSeconds(in: log)
            progress.consume(Substring(cpu == nil ? log : log.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix(RenderNodeLog.cpuTimePrefix) }.joined(separator: "\n")))
            progress.finish()
            let errorMessage = instance.result.errorMessage
            nodes.append(.init(index: index, frames: index < shares.count ? shares[index] : [], state: instance.state,
                               retries: instance.retryCount, progress: progress, cpuSeconds: cpu,
                               error: errorMessage.isEmpty ? nil : errorMessage))
        }
        var elapsed: Double?
        if let start = WireTime.parse(job.startTime) {
            let end = WireTime.parse(job.endTime) ?? Date()
            elapsed = max(0, end.timeIntervalSince(start))
        }
        return RenderJobSnapshot(name: job.name, id: id, state: job.state, message: job.message, frames: frames,
                                 output: app.outputs["output"]?.stringValue ?? "", nodes: nodes, elapsed: elapsed)
    }

    /// A whole log (from the engine's `/bcops/logs`), following its offset until it has all of it.
    /// What the engine has no log for reads as the text so far.
    public static func readLog(_ client: BatchComputeClient, job: String, node: Int, stream: String, from offset: Int = 0,
                               task: String = "app") async throws -> String {
        var text: [UInt8] = []
        var at = offset
        while true {
            let page: LogPage
            do {
                page = try await client.instanceLog(job: job, task: task, instance: node, stream: stream, offset: at)
            } catch let e as APIError where e.status != 0 {
                return String(decoding: text, as: UTF8.self)
            }
            text += page.bytes
            if page.nextOffset == at || page.bytes.count < LogPage.maxBytes { break }
            at = page.nextOffset
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
