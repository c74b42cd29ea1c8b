import BCClient
import BCModel
import BCRender
import Foundation

/// A render job as `bcctl render status` shows it: the frames, each node's share and state,
/// and what each node's log says so far. Read through the API (job, instances, logs).
public struct RenderJobSnapshot: Sendable {
    public struct Node: Sendable {
        public var index: Int
        public var frames: [Int]
        public var state: InstanceState
        public var retries: Int
        public var progress: RenderProgress
        /// The renderer's CPU time, from the node's last line (`bcctl render node` prints it).
        public var cpuSeconds: Double?
        public var error: String?
    }

    public enum FrameState: String, Sendable { case done, rendering, failed, waiting }

    public var name: String
    public var id: String
    public var state: JobState
    public var message: String
    public var frames: FrameSpec
    public var output: String
    public var nodes: [Node]
    public var elapsed: Double?

    /// Done when its node saved it (or finished), failed when its node failed before saving it.
    public func frameStates() -> [(frame: Int, state: FrameState)] {
        var out: [(Int, FrameState)] = []
        for node in nodes {
            let saved = Set(node.progress.savedFrames)
            for (i, f) in node.frames.enumerated() {
                let done = node.state == .finished || saved.contains(f) || (node.progress.savedFrames.isEmpty && i < node.progress.framesSaved)
                let state: FrameState = done ? .done
                    : node.state == .failed || node.state == .stopped ? .failed
                    : node.state == .running && (node.progress.currentFrame == f || (node.progress.currentFrame == nil && i == node.progress.framesSaved)) ? .rendering
                    : .waiting
                out.append((f, state))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// For `render status -json` and the controller's `/api/status`.
    public var json: JSONValue {
        let s = self
        let states = s.frameStates()
        return .object([
            "name": .string(s.name), "id": .string(s.id), "state": .string(s.state.rawValue), "message": .string(s.message),
            "frames": .string(s.frames.text), "output": .string(s.output),
            "framesDone": .integer(states.filter { $0.state == .done }.count), "framesTotal": .integer(states.count),
            "failedFrames": .array(states.filter { $0.state == .failed }.map { .integer($0.frame) }),
            "elapsedSeconds": s.elapsed.map(JSONValue.number) ?? .null,
            "nodes": .array(s.nodes.map { n in
                .object(["node": .integer(n.index), "frames": .array(n.frames.map(JSONValue.integer)), "state": .string(n.state.rawValue),
                         "retries": .integer(n.retries), "framesSaved": .integer(n.progress.framesSaved),
                         "currentFrame": n.progress.currentFrame.map(JSONValue.integer) ?? .null,
                         "lastLine": n.progress.lastLine.map(JSONValue.string) ?? .null,
                         "cpuSeconds": n.cpuSeconds.map(JSONValue.number) ?? .null, "error": n.error.map(JSONValue.string) ?? .null])
            }),
        ])
    }
}
