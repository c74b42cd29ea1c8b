import BCAPI
import BCClient
import Foundation

/// How far a running WorkflowRun is: its calls (shards, last attempts) known so far, and how
/// many are done, as its runner last wrote them in the run's metadata on OSS. Read only for
/// runs that are running, one small object each, so a plan can say `running (3/7 calls done)`.
public struct WorkflowProgress: Sendable, Equatable {
    public var calls: Int
    public var done: Int

    public var phrase: String { "\(done)/\(calls) call\(calls == 1 ? "" : "s") done" }

    /// The runs the manifests declare that the engine runs now, read concurrently. A run whose
    /// metadata cannot be read yet (its runner is starting) is said as plainly `running`.
    static func read(_ desired: [DesiredResource], live: LiveState, client: BatchComputeClient) async -> [ResourceAddress: WorkflowProgress] {
        var wanted: [(ResourceAddress, String)] = []
        for d in desired {
            guard let prefix = d.runMetadataPrefix, let o = live.current(d.address), o.runState == .running else { continue }
            wanted.append((d.address, prefix + WorkflowRunID.of(jobId: o.id) + ".metadata.json"))
        }
        guard !wanted.isEmpty else { return [:] }
        let oss = OSSClient(client)
        return await withTaskGroup(of: (ResourceAddress, WorkflowProgress?).self) { group in
            for (address, url) in wanted {
                group.addTask {
                    guard let bytes = try? await oss.get(url), let doc = try? JSONValue.parse(bytes),
                          let p = doc["progress"], let calls = p["calls"]?.intValue, let done = p["done"]?.intValue else { return (address, nil) }
                    return (address, WorkflowProgress(calls: calls, done: done))
                }
            }
            var out: [ResourceAddress: WorkflowProgress] = [:]
            for await (address, progress) in group { if let progress { out[address] = progress } }
            return out
        }
    }
}
