import BCModel
import BCTestSupport
import Foundation
import Testing
@testable import BCManifest

/// The direct node readers must agree with the `Decodable` reference path: same values,
/// same diagnostics, on every input we have.
@Suite struct NodeReaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inputs() -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        let fm = FileManager.default
        for dir in ["examples", "Tests/BCManifestTests/Corpus", "docs"] {
            guard let e = fm.enumerator(at: root.appendingPathComponent(dir), includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in e where url.pathExtension == "yaml" {
                if let d = fm.contents(atPath: url.path) { out.append((url.lastPathComponent, [UInt8](d))) }
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Both paths on the same bytes; `Manifest` is compared through its specs' equality.
    static func agree(_ name: String, _ bytes: [UInt8]) -> Bool {
        let fast = ManifestLoader(reading: .direct).load(bytes: bytes, name: name)
        let reference = ManifestLoader(reading: .codable).load(bytes: bytes, name: name)
        #expect(fast.diagnostics.map(\.description) == reference.diagnostics.map(\.description), "\(name)")
        #expect(fast.manifests.count == reference.manifests.count, "\(name)")
        for (a, b) in zip(fast.manifests, reference.manifests) {
            #expect(a.manifest.metadata == b.manifest.metadata, "\(name)")
            #expect(sameSpec(a.manifest.spec, b.manifest.spec), "\(name): \(a.manifest.address)")
            #expect(a.structuralProblems == b.structuralProblems, "\(name)")
        }
        return fast.diagnostics.map(\.description) == reference.diagnostics.map(\.description)
    }

    static func sameSpec(_ a: any ResourceSpec, _ b: any ResourceSpec) -> Bool {
        func eq<T: Equatable>(_ x: T, _ y: any ResourceSpec) -> Bool { (y as? T) == x }
        switch a {
        case let x as AppSpec: return eq(x, b)
        case let x as ClusterSpec: return eq(x, b)
        case let x as SGEClusterSpec: return eq(x, b)
        case let x as RenderProjectSpec: return eq(x, b)
        case let x as RenderJobSpec: return eq(x, b)
        case let x as WorkflowRunSpec: return eq(x, b)
        case let x as JobSpec: return eq(x, b)
        default: return false
        }
    }

    @Test func examplesDocsAndCorpusDecodeTheSameBothWays() {
        let inputs = Self.inputs()
        #expect(inputs.count > 100)
        for (name, bytes) in inputs { _ = Self.agree(name, bytes) }
    }

    @Test func mutatedInputsDecodeTheSameBothWays() {
        let seeds = FuzzTests.seeds()
        var rng = SplitMix64(state: 0xD1FF)
        for i in 0..<1500 {
            let input = FuzzTests.mutate(seeds[i % seeds.count], seeds: seeds, rng: &rng)
            _ = Self.agree("fuzz-\(i).yaml", input)
        }
    }

    /// A manifest holding every field the schema knows, nested objects filled in too: both
    /// paths must accept every key (no unknown field) and read the same values.
    @Test(arguments: Kind.allCases)
    func everySchemaFieldIsReadByBothPaths(kind: Kind) {
        let schema = SchemaRecorder.manifestSchema(for: kind)
        var lines: [String] = []
        Self.emit(.object(schema), indent: 0, into: &lines)
        let text = lines.joined(separator: "\n") + "\n"
        let fast = ManifestLoader(reading: .direct).load(bytes: Array(text.utf8), name: "max.yaml")
        #expect(!fast.diagnostics.contains { $0.message.hasPrefix("unknown field") || $0.message.hasPrefix("expected ") },
                "\(fast.diagnostics.map(\.description))\n\(text)")
        #expect(fast.manifests.count == 1)
        _ = Self.agree("max-\(kind).yaml", Array(text.utf8))
    }

    /// Writes a YAML value for a schema node: objects with every property, maps with one entry.
    static func emit(_ node: SchemaNode, indent: Int, into lines: inout [String], key: String? = nil) {
        let pad = String(repeating: "  ", count: indent)
        let head = key.map { "\(pad)\($0):" } ?? ""
        switch node {
        case .string(let values): lines.append("\(head) \(values?.first.map { "\"\($0)\"" } ?? "\"x\"")")
        case .integer: lines.append("\(head) 1")
        case .number: lines.append("\(head) 0.5")
        case .boolean: lines.append("\(head) true")
        case .anyValue: lines.append("\(head) {a: [1, \"b\", null]}")
        case .oneOf(let options): emit(options[0], indent: indent, into: &lines, key: key)
        case .array(let item):
            lines.append(head)
            var sub: [String] = []
            emit(item, indent: indent + 2, into: &sub, key: "item")
            lines.append("\(pad)  -\(sub.first!.drop(while: { $0 == " " }).dropFirst("item:".count))")
            if sub.count > 1 { lines.append(contentsOf: sub.dropFirst()) }
        case .map(let value):
            lines.append(head)
            emit(value, indent: indent + 1, into: &lines, key: "k1")
        case .object(let o):
            if key != nil { lines.append(head) }
            for p in o.properties { emit(p.schema, indent: key == nil ? indent : indent + 1, into: &lines, key: p.name) }
        }
    }

    @Test func generatedReadersAreUpToDate() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "scripts/gen_node_readers.py", "--check"]
        p.currentDirectoryURL = Self.root
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "run scripts/gen_node_readers.py: Sources/BCManifest/NodeReaders.generated.swift is stale")
    }
}
