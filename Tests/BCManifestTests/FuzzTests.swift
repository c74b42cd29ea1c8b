import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCManifest

/// A seeded random mutator over the loader (libFuzzer-style, but inside the test suite so CI
/// runs it on every commit): whatever the bytes, loading must return diagnostics, never crash
/// or hang, and keep memory bounded.
///
/// `BCOPS_FUZZ_ITERATIONS` (default 3000) and `BCOPS_FUZZ_SEED` widen a run locally.
@Suite struct FuzzTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let tokens: [[UInt8]] = [
        ":", "- ", "{", "}", "[", "]", ",", "&a ", "*a", "\t", "\n", "---\n", "...\n", "'", "\"", "#", "|", ">", "? ",
        "!!str ", "!!int ", "%YAML 1.2\n", "\\", "~", "null", "true", "yes", "0x1F", "1e400", "99999999999999999999",
        "  ", "\r\n", "\u{FEFF}", "é", "🎞", "<<: *a\n", "&a [*a, *a, *a]\n",
    ].map { Array($0.utf8) } + [[0x00], [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xFE, 0xFF]]

    static func seeds() -> [[UInt8]] {
        var out: [[UInt8]] = [Array("""
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata: {name: c1, labels: {team: render}}
        spec:
          imageId: img-ubuntu
          groups:
            default: {instanceType: ecs.sn1.medium, desiredCount: 2, resourceType: Spot, spotStrategy: SpotWithPriceLimit, spotPriceLimit: 0.5}
          env: {A: "1", S: {secretFrom: {env: TOKEN}}}
          mounts: {entries: [{source: "oss://bkt/p/", destination: /mnt/p/, writeSupport: true}]}
        ---
        apiVersion: bcops.io/v1
        kind: Job
        metadata: {name: j1}
        spec:
          tasks:
            a: {command: "echo a", cluster: c1, instanceCount: 4}
            b: {command: "echo b", autoCluster: {instanceType: ecs.sn1.medium, imageId: img-ubuntu}}
          dependencies: {a: [b]}

        """.utf8)]
        let fm = FileManager.default
        for dir in ["examples", "Tests/BCManifestTests/Corpus"] {
            let base = root.appendingPathComponent(dir)
            guard let e = fm.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in e where url.pathExtension == "yaml" {
                if let d = fm.contents(atPath: url.path), d.count < 64 << 10 { out.append([UInt8](d)) }
            }
        }
        return out
    }

    static func mutate(_ input: [UInt8], seeds: [[UInt8]], rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0...b.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !b.isEmpty: b[min(at, b.count - 1)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1: b.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 2 where !b.isEmpty:
                let end = min(b.count, at + Int.random(in: 1...16, using: &rng))
                if at < end { b.removeSubrange(at..<end) }
            case 3:
                let lines = b.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                if let line = lines.randomElement(using: &rng) { b.insert(contentsOf: Array(line) + [10], at: at) }
            case 4:
                let other = seeds.randomElement(using: &rng)!
                if !other.isEmpty {
                    let from = Int.random(in: 0..<other.count, using: &rng)
                    b.insert(contentsOf: other[from..<min(other.count, from + Int.random(in: 1...200, using: &rng))], at: at)
                }
            case 5: b.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "["), count: Int.random(in: 1...400, using: &rng)), at: at)
            default: b.insert(contentsOf: Array("a: &x [*x]\n".utf8), at: at)
            }
        }
        return b
    }

    @Test func loaderNeverCrashesOnMutatedInput() throws {
        let env = ProcessInfo.processInfo.environment
        let iterations = Int(env["BCOPS_FUZZ_ITERATIONS"] ?? "") ?? 3000
        var rng = SplitMix64(state: UInt64(env["BCOPS_FUZZ_SEED"] ?? "") ?? 0xBC0_5EED)
        let seeds = FuzzTests.seeds()
        #expect(seeds.count > 1)
        let loader = ManifestLoader()
        var withProblems = 0
        for i in 0..<iterations {
            let input = FuzzTests.mutate(seeds[i % seeds.count], seeds: seeds, rng: &rng)
            let result = loader.load(bytes: input, name: "fuzz.yaml")
            let lines = input.reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            for d in result.diagnostics {
                if let m = d.mark {
                    #expect(m.line >= 1 && m.line <= lines + 1 && m.column >= 1, "mark \(m) outside \(lines) lines: \(d)")
                }
                #expect(!d.message.isEmpty)
            }
            #expect(result.diagnostics == result.diagnostics.sorted())
            if !result.diagnostics.isEmpty { withProblems += 1 }
        }
        // The mutator must actually reach error paths, or this test proves nothing.
        #expect(withProblems > iterations / 4)
        #expect(FuzzTests.peakResidentMiB() < 2048, "memory is not bounded")
    }

    static func peakResidentMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
