import BCModel

/// How a render job's frames are divided between the instances (or tasks) that render them.
///
/// Two schemes: the Blender App's `framer.py`, which every node of a job runs to pick its own
/// share (so a project migrated from the App renders the same frames on the same nodes), and
/// Flamenco-style fixed-size chunks, which suit queues that hand out work piece by piece.
public enum FrameSplit: Sendable {
    /// The frames node `node` (0-based, `BATCH_COMPUTE_DAG_INSTANCE_ID`) of `nodes`
    /// (`BATCH_COMPUTE_DAG_INSTANCE_COUNT`) renders, exactly as framer.py's
    /// `parseFrames(render_frames, id=node, total_nodes=nodes)` answers, so that results match
    /// jobs rendered by the App.
    ///
    /// framer.py has two paths: `_parseContinuedFrames` for text matching `^(\d+)\-(\d+)$`
    /// and `_parseIntermittentFrames` over the expanded list otherwise (our `1-100x2` forms take
    /// that path over `spec.frames`). Their arithmetic is the same: the continued path is the
    /// intermittent one over `a…b` shifted by `a`. So both come down to one computation of
    /// positions in `spec.frames` (see `framerPositions`), and a plain `a-b` is never expanded.
    ///
    /// **One deliberate deviation.** framer.py means to print "Nothing to do, exit" when there
    /// are more nodes than frames, but never does: `_calcRange` clamps the start to the last
    /// position, so every surplus node renders the last frame again, which another node already
    /// renders (1-2 on 3 nodes: `[1]`, `[2]`, `[2]`). Two nodes writing the same output file is
    /// wasted time at best and a torn file at worst, so we answer `[]` ("nothing to do") for a
    /// node whose framer.py slice lies entirely within the positions lower-numbered nodes have.
    /// Every other node gets exactly framer.py's frames.
    ///
    /// Returns `[]` when `nodes < 1` or `node` is not in `0..<nodes`.
    public static func framerShare(_ spec: FrameSpec, node: Int, of nodes: Int) -> [Int] {
        guard let positions = framerPositions(count: spec.count, node: node, of: nodes) else { return [] }
        return frames(of: spec, at: positions.lowerBound ..< positions.upperBound + 1)
    }

    /// framer.py's slice of positions for one node, or nil for a surplus node (see above).
    ///
    /// Slices of successive nodes are consecutive and their ends never decrease, so the
    /// positions nodes `0..<node` have together are exactly `0...end(node - 1)`: a slice is a
    /// duplicate precisely when its end is not beyond that.
    static func framerPositions(count: Int, node: Int, of nodes: Int) -> ClosedRange<Int>? {
        guard nodes >= 1, (0..<nodes).contains(node), count >= 1 else { return nil }
        let mine = framerSlice(count: count, node: node, of: nodes)
        if node > 0, mine.upperBound <= framerSlice(count: count, node: node - 1, of: nodes).upperBound { return nil }
        return mine
    }

    /// framer.py's `_parseIntermittentFrames` arithmetic, positions `0..<count`, clamping included.
    private static func framerSlice(count: Int, node: Int, of nodes: Int) -> ClosedRange<Int> {
        func calcRange(_ a: Int, _ b: Int, _ id: Int, _ step: Int) -> ClosedRange<Int> {
            min(id * step + a, b) ... min((id + 1) * step + a - 1, b)
        }
        let step = (count + nodes - 1) / nodes   // int(math.ceil(len * 1.0 / total_nodes))
        let mod = count % nodes
        if mod == 0 || node < mod { return calcRange(0, count - 1, node, step) }
        return calcRange(step * mod, count - 1, node - mod, step - 1)
    }

    /// framer.py's share of every node, for showing how a job's frames will be divided.
    public static func shares(_ spec: FrameSpec, nodes: Int) -> [[Int]] {
        (0..<max(nodes, 0)).map { framerShare(spec, node: $0, of: nodes) }
    }

    /// Chunk `index` (0-based) of `size` frames: `spec.frames[index*size ..< min((index+1)*size, count)]`,
    /// as Flamenco's chunked render tasks; `[]` past the last chunk. `size` must be at least 1.
    public static func chunk(_ spec: FrameSpec, size: Int, index: Int) -> [Int] {
        precondition(size >= 1, "chunk size must be at least 1")
        guard index >= 0, index < chunkCount(spec, size: size) else { return [] }
        let start = index * size
        return frames(of: spec, at: start ..< min(start + size, spec.count))
    }

    /// How many chunks of `size` frames a job has (the last one may be shorter).
    public static func chunkCount(_ spec: FrameSpec, size: Int) -> Int {
        precondition(size >= 1, "chunk size must be at least 1")
        return (spec.count + size - 1) / size
    }

    /// Every chunk of `framesPerTask` frames, for showing how a job's frames will be divided.
    public static func shares(_ spec: FrameSpec, framesPerTask: Int) -> [[Int]] {
        (0..<chunkCount(spec, size: framesPerTask)).map { chunk(spec, size: framesPerTask, index: $0) }
    }

    /// A frame list in the manifest grammar: runs of consecutive frames as `a-b`, the rest comma
    /// separated (`[1,2,3,5,7,8]` → `"1-3,5,7-8"`, `[]` → `""`). Parsing the result with
    /// `FrameSpec` gives the same list back.
    public static func describe(_ frames: [Int]) -> String {
        runs(frames, rangeSeparator: "-")
    }

    /// Runs of consecutive frames joined by commas, each run written `a<sep>b` (or `a` alone).
    static func runs(_ frames: [Int], rangeSeparator: String) -> String {
        var parts: [String] = []
        var i = 0
        while i < frames.count {
            var j = i
            while j + 1 < frames.count, frames[j + 1] == frames[j] + 1 { j += 1 }
            parts.append(i == j ? "\(frames[i])" : "\(frames[i])\(rangeSeparator)\(frames[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// `spec.frames[positions]` without expanding the whole spec (a job may name a million frames).
    static func frames(of spec: FrameSpec, at positions: Range<Int>) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(positions.count)
        var skip = positions.lowerBound
        var need = positions.count
        for segment in spec.segments where need > 0 {
            if skip >= segment.count { skip -= segment.count; continue }
            let take = min(segment.count - skip, need)
            for k in skip ..< skip + take { out.append(segment.start + k * segment.step) }
            need -= take
            skip = 0
        }
        return out
    }
}
