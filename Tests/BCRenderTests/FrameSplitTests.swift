import Testing
import BCModel
@testable import BCRender

@Suite struct FrameSplitTests {
    static let specs = FramerParityTests.contiguous + FramerParityTests.lists
        + ["1-100x2", "1-10x3,20-30x5", "0-999x7", "3,1,3", "1-10x20"]

    /// framer.py's splits, worked out by hand from its arithmetic.
    @Test func framerSplitsByHand() throws {
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1-10"), nodes: 3) == [Array(1...4), Array(5...7), Array(8...10)])
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1-10"), nodes: 1) == [Array(1...10)])
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1-2"), nodes: 3) == [[1], [2], []])
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1,3,5-10"), nodes: 3) == [[1, 3, 5], [6, 7, 8], [9, 10]])
        // 250 frames on 7 nodes: ceil = 36, 250 % 7 = 5 nodes take 36, the other two 35.
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1-250"), nodes: 7).map { [$0.first!, $0.last!, $0.count] } ==
                [[1, 36, 36], [37, 72, 36], [73, 108, 36], [109, 144, 36], [145, 180, 36], [181, 215, 35], [216, 250, 35]])
        // Stepped ranges take framer.py's list path over the expanded frames.
        #expect(FrameSplit.shares(try FrameSpec(parsing: "1-100x2"), nodes: 3) ==
                [Array(stride(from: 1, through: 33, by: 2)), Array(stride(from: 35, through: 67, by: 2)),
                 Array(stride(from: 69, through: 99, by: 2))])
    }

    @Test func outOfRangeNodesGetNothing() throws {
        let spec = try FrameSpec(parsing: "1-10")
        #expect(FrameSplit.framerShare(spec, node: 3, of: 3) == [])
        #expect(FrameSplit.framerShare(spec, node: -1, of: 3) == [])
        #expect(FrameSplit.framerShare(spec, node: 0, of: 0) == [])
        #expect(FrameSplit.shares(spec, nodes: 0) == [])
    }

    /// Every frame is rendered exactly once, in order, whatever the node count.
    @Test(arguments: specs, 1...12)
    func nodesCoverEveryFrameOnce(_ text: String, _ nodes: Int) throws {
        let spec = try FrameSpec(parsing: text)
        let shares = FrameSplit.shares(spec, nodes: nodes)
        #expect(shares.count == nodes)
        #expect(shares.flatMap { $0 }.sorted() == spec.frames.sorted())
        #expect(shares.flatMap { $0 } == spec.frames)
    }

    @Test(arguments: specs, 1...12)
    func chunksCoverEveryFrameOnce(_ text: String, _ size: Int) throws {
        let spec = try FrameSpec(parsing: text)
        let chunks = FrameSplit.shares(spec, framesPerTask: size)
        #expect(chunks.count == FrameSplit.chunkCount(spec, size: size))
        #expect(chunks.count == (spec.count + size - 1) / size)
        #expect(chunks.flatMap { $0 } == spec.frames)
        #expect(chunks.dropLast().allSatisfy { $0.count == size })
        #expect(FrameSplit.chunk(spec, size: size, index: chunks.count) == [])
    }

    @Test func chunksByHand() throws {
        let spec = try FrameSpec(parsing: "1-10")
        #expect(FrameSplit.chunkCount(spec, size: 4) == 3)
        #expect((0..<3).map { FrameSplit.chunk(spec, size: 4, index: $0) } == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]])
        #expect(FrameSplit.chunk(spec, size: 4, index: -1) == [])
        let stepped = try FrameSpec(parsing: "1-100x2,200")
        #expect(FrameSplit.chunk(stepped, size: 20, index: 2) == Array(stride(from: 81, through: 99, by: 2)) + [200])
        let big = try FrameSpec(parsing: "1-1000000")
        #expect(FrameSplit.chunk(big, size: 1000, index: 999) == Array(999_001...1_000_000))
    }

    @Test func describeWritesTheManifestGrammar() throws {
        #expect(FrameSplit.describe([1, 2, 3, 5, 7, 8]) == "1-3,5,7-8")
        #expect(FrameSplit.describe([]) == "")
        #expect(FrameSplit.describe([42]) == "42")
        #expect(FrameSplit.describe([3, 1, 2, 3]) == "3,1-3")
        // What a node's share says reads back as the same frames.
        for text in Self.specs {
            for share in FrameSplit.shares(try FrameSpec(parsing: text), nodes: 5) where !share.isEmpty {
                #expect(try FrameSpec(parsing: FrameSplit.describe(share)).frames == share)
            }
        }
    }
}
