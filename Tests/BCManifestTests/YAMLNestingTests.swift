import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCManifest

/// Hostile nesting in manifests: a located error (`path:line:col: nesting deeper than N
/// levels`) at `YAMLComposer.maxDepth`, fast, whatever the kind of collection, and never a
/// stack overflow; nesting up to the limit still loads.
@Suite struct YAMLNestingTests {
    static let limit = YAMLComposer.maxDepth
    static var message: String { "nesting deeper than \(limit) levels" }

    static func render(_ result: LoadResult) -> [String] { result.diagnostics.map(\.description) }

    @Test func aHundredThousandFlowSequencesStopAtTheLimit() {
        let bytes = Array("a: ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        let started = Date()
        let result = ManifestLoader().load(bytes: bytes, name: "deep.yaml")
        // The root mapping is level 1: the first sequence past the limit is the 256th `[`.
        #expect(Self.render(result) == ["deep.yaml:1:\(3 + Self.limit): \(Self.message)"])
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func unclosedSequencesAndFlowMappingsToo() {
        // Never closed: the error is the depth, found before libyaml reaches the end. Two
        // mappings hold the sequences: the first `[` (column 6) is level 3.
        let open = Array("kind: App\nspec:\n  x: ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(Self.render(ManifestLoader().load(bytes: open, name: "open.yaml")) == ["open.yaml:3:\(6 + Self.limit - 2): \(Self.message)"])
        let maps = Array(String(repeating: "{a: ", count: 100_000).utf8)
        #expect(Self.render(ManifestLoader().load(bytes: maps, name: "maps.yaml")) == ["maps.yaml:1:\(1 + 4 * Self.limit): \(Self.message)"])
    }

    @Test func blockNestingStopsAtTheLimit() {
        var text = ""
        for level in 0..<(Self.limit + 10) { text += String(repeating: " ", count: level) + "a:\n" }
        text += String(repeating: " ", count: Self.limit + 10) + "b\n"
        let result = ManifestLoader().load(bytes: Array(text.utf8), name: "block.yaml")
        #expect(Self.render(result) == ["block.yaml:\(Self.limit + 1):\(Self.limit + 1): \(Self.message)"])
    }

    @Test func nestingUpToTheLimitLoads() {
        // A mapping at the root (level 1) holding 255 sequences: 256 levels, accepted by the
        // composer; the schema then reports the unknown field, not the depth.
        let depth = Self.limit - 1
        let bytes = Array("a: ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: depth) + [UInt8](repeating: UInt8(ascii: "]"), count: depth)
        let composer = YAMLComposer(bytes: bytes)
        #expect(throws: Never.self) { _ = try composer.nextDocument() }
        #expect(!Self.render(ManifestLoader().load(bytes: bytes, name: "ok.yaml")).contains { $0.contains("nesting deeper") })
    }

    @Test func fmtReportsTheDepthInsteadOfCrashing() {
        let bytes = Array("a: ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 100_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        guard case .syntaxError(let problem) = ManifestFormatter().format(bytes: bytes) else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(problem.message == Self.message)
        #expect(problem.mark.line == 1 && problem.mark.column == Int32(3 + Self.limit))
    }

    @Test func bcplanValidateNamesTheFileLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-deep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "apiVersion: bcops.io/v1\nkind: App\nmetadata:\n  name: deep\nspec:\n  commandLine: "
            + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        try Data(text.utf8).write(to: dir.appendingPathComponent("deep.yaml"))
        let r = try ProcessRunner.run(ProcessRunner.product("bcplan"), ["validate", dir.path, "-no-color"])
        #expect(r.status == 1, "\(r.combined)")
        #expect(r.combined.contains("deep.yaml:6:\(16 + Self.limit - 2): \(Self.message)"), "\(r.combined)")
    }
}
