import BCTestSupport
import Foundation
import Testing

/// `bcctl render status` shows a node's failure reason whole (issue #13, item 10: it was cut at
/// 70 characters, "…Error: C"), wrapped to the width (80 when not a terminal) and indented
/// under the node's row.
@Suite(.serialized) struct RenderStatusReasonTests {
    @Test func aNodesFailureReasonIsShownWholeWrappedUnderItsNode() throws {
        let estate = try RenderFarmTests.farm()
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-reason-\(UUID().uuidString).blend").path
        try Data("this is not a blend file at all\n".utf8).write(to: URL(fileURLWithPath: broken))
        // A long scene path makes Blender's error long, as real ones are.
        let scene = "scenes-of-a-rather-long-project-name/shot-042-with-a-descriptive-name/lighting-pass-final-v7.blend"
        #expect(try estate.run("bcctl", ["oss", "cp", broken, "oss://farm/scenes/" + scene]).status == 0)
        try estate.write("job.yaml", RenderFarmTests.job("longreason", frames: "1-2", nodes: 1, scene: scene).replacingOccurrences(
            of: "  nodes: 1", with: "  nodes: 1\n  stopOnNodeFailure: true"))
        #expect(try estate.apply().status == 0)
        let status = try RenderFarmTests.wait(estate, "longreason")
        let nodes = status["nodes"] as? [[String: Any]] ?? []
        let reason = try #require(nodes.first?["error"] as? String, "the node failed with a reason: \(status)")
        #expect(reason.count > 80, "a reason longer than a line: \(reason)")

        let text = try estate.run("bcctl", ["render", "status", "longreason"])
        #expect(text.status == 1, "a failed job: \(text.combined)")
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The node's row, then its reason indented under it (to the FRAMES column), to the end of the table.
        let row = try #require(lines.firstIndex { $0.hasPrefix("0  ") }, "\(text.stdout)")
        let indent = String(repeating: " ", count: "NODE".count + 2)
        #expect(lines[row + 1].hasPrefix(indent + "reason: "), "\(text.stdout)")
        var shown: [String] = []
        for line in lines[(row + 1)...] {
            guard line.hasPrefix(indent), !line.trimmingCharacters(in: .whitespaces).isEmpty else { break }
            shown.append(line)
        }
        #expect(shown.count > 1, "wrapped over several lines: \(text.stdout)")
        #expect(shown.allSatisfy { $0.count <= 80 }, "each line fits 80 columns: \(text.stdout)")
        // Whole: the same characters (a word longer than a line, as a long path, is split across lines).
        let bare = { (s: String) in s.filter { !$0.isWhitespace } }
        #expect(bare(shown.joined()) == bare("reason: " + reason), "the reason whole: \(text.stdout)")
    }
}
