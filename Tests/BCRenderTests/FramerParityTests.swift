import Foundation
import Testing
import BCModel
@testable import BCRender

/// The split must match the Blender App's own framer.py node for node, so a job moved to bcops
/// renders the same frames on the same nodes. Runs the real script (once, all cases batched).
@Suite struct FramerParityTests {
    static let contiguous = ["1-1", "1-2", "1-10", "5-17", "1-250", "0-0"]
    static let lists = ["1,3,5-10", "1,3,8-10,21", "7", "1-3,2-4"]
    static let grid: [(spec: String, nodes: Int)] = (contiguous + lists).flatMap { s in (1...12).map { (s, $0) } }

    /// framer.py's answer for every node of every grid case (nil where it exits "Nothing to do").
    static func runFramer(_ cases: [(spec: String, nodes: Int)]) throws -> [[[Int]?]] {
        let script = try #require(Bundle.module.url(forResource: "framer", withExtension: "py"),
                                  "framer.py is missing from the test bundle")
        let driver = """
            import contextlib, io, json, sys
            sys.path.insert(0, sys.argv[1])
            import framer
            out = []
            for spec, nodes in json.load(sys.stdin):
                row = []
                for node in range(nodes):
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):
                            row.append(list(framer.parseFrames(spec, id=node, total_nodes=nodes)))
                    except SystemExit:
                        row.append(None)
                out.append(row)
            print(json.dumps(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // -B: write no __pycache__ into the test bundle.
        process.arguments = ["python3", "-B", "-c", driver, script.deletingLastPathComponent().path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let request = try JSONSerialization.data(withJSONObject: cases.map { [$0.spec, $0.nodes] as [Any] })
        input.fileHandleForWriting.write(request)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // A missing python3 fails here (env exits 127): the parity claim must not pass unchecked.
        try #require(process.terminationStatus == 0, "python3 framer.py failed (\(process.terminationStatus)): \(text)")
        return try JSONDecoder().decode([[[Int]?]].self, from: data)
    }

    @Test func framerShareMatchesFramerPy() throws {
        let answers = try Self.runFramer(Self.grid)
        try #require(answers.count == Self.grid.count)
        var surplusSeen = 0
        for (c, framer) in zip(Self.grid, answers) {
            let spec = try FrameSpec(parsing: c.spec)
            try #require(framer.count == c.nodes)
            for node in 0..<c.nodes {
                let ours = FrameSplit.framerShare(spec, node: node, of: c.nodes)
                let theirs = framer[node]
                let lower = framer[..<node].flatMap { $0 ?? [] }
                if ours.isEmpty {
                    // Our one deviation: framer.py's answer only repeats frames a lower node renders.
                    surplusSeen += 1
                    let dup = theirs ?? []
                    #expect(!dup.isEmpty && dup.allSatisfy(lower.contains),
                            "\(c.spec) node \(node)/\(c.nodes): we skip, framer.py renders \(String(describing: theirs))")
                } else {
                    #expect(ours == theirs, "\(c.spec) node \(node)/\(c.nodes)")
                }
            }
        }
        #expect(surplusSeen > 0, "the grid must exercise the surplus-node deviation")
    }

    @Test func surplusNodesAreExactlyThoseBeyondTheFrameCount() throws {
        for c in Self.grid {
            let spec = try FrameSpec(parsing: c.spec)
            for node in 0..<c.nodes {
                let empty = FrameSplit.framerShare(spec, node: node, of: c.nodes).isEmpty
                #expect(empty == (node >= spec.count), "\(c.spec) node \(node)/\(c.nodes)")
            }
        }
    }
}
