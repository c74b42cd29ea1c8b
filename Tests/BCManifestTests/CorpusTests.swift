import BCModel
import Foundation
import Testing
@testable import BCManifest

/// The malformed-manifest corpus: every `Corpus/NNN-name.yaml` is loaded with
/// `ManifestLoader().load(bytes:name:)` and its rendered diagnostics must equal
/// `Corpus/NNN-name.expected` line for line (file, line, column, address, field and message).
///
/// The `.expected` files hold what a user should see. Where the loader is known to be wrong
/// the case is listed in `knownBugs` with the reason, and its assertion runs under
/// `withKnownIssue`, so it turns into a failure the day the source is fixed.
///
/// To review actual output after changing messages, run with `BCOPS_CORPUS_DUMP=/some/dir`:
/// each case's actual output is written there as `<name>.actual`.
@Suite struct CorpusTests {
    static let directory: URL = Bundle.module.url(forResource: "Corpus", withExtension: nil)!

    /// Case names (file names without `.yaml`), sorted.
    static let caseNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
    }()

    /// Cases whose expectation the loader does not meet yet, with what is wrong.
    static let knownBugs: [String: String] = [:]

    static func render(_ result: LoadResult) -> [String] { result.diagnostics.map(\.description) }

    static func expectedLines(_ name: String) throws -> [String] {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".expected"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    @Test func corpusHasAtLeastSixtyCases() {
        #expect(Self.caseNames.count >= 60)
    }

    @Test func everyInputHasAnExpectationAndViceVersa() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
        let inputs = Set(files.filter { $0.hasSuffix(".yaml") }.map { $0.dropLast(5) })
        let expectations = Set(files.filter { $0.hasSuffix(".expected") }.map { $0.dropLast(9) })
        #expect(inputs.subtracting(expectations).isEmpty, "inputs without .expected")
        #expect(expectations.subtracting(inputs).isEmpty, ".expected without input")
        for name in Self.knownBugs.keys { #expect(inputs.contains(Substring(name)), "known bug \(name) has no case") }
    }

    @Test(arguments: caseNames)
    func corpusCase(_ name: String) throws {
        let file = name + ".yaml"
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let result = ManifestLoader().load(bytes: bytes, name: file)
        let actual = Self.render(result)
        if let dump = ProcessInfo.processInfo.environment["BCOPS_CORPUS_DUMP"] {
            try (actual.joined(separator: "\n") + "\n").write(toFile: dump + "/" + name + ".actual", atomically: true, encoding: .utf8)
        }
        let expected = try Self.expectedLines(name)
        // Every case is malformed: it must report at least one problem and be invalid.
        #expect(!expected.isEmpty)
        #expect(!result.isValid)
        // Loading is deterministic.
        #expect(Self.render(ManifestLoader().load(bytes: bytes, name: file)) == actual)
        if let bug = Self.knownBugs[name] {
            withKnownIssue(Comment(rawValue: bug)) {
                #expect(actual == expected)
            }
        } else {
            #expect(actual == expected)
        }
    }

    // MARK: Cases too large to keep as files

    /// A valid Cluster whose description makes one document larger than 1 MiB.
    static func hugeDocument(descriptionBytes: Int) -> [UInt8] {
        Array("""
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: farm
        spec:
          imageId: img-ubuntu
          groups:
            workers: {instanceType: ecs.sn1.medium, desiredCount: 2}
          description: \(String(repeating: "x", count: descriptionBytes))

        """.utf8)
    }

    @Test func documentOverOneMebibyteIsRefusedAtItsStart() {
        let bytes = Self.hugeDocument(descriptionBytes: SourceFile.maxDocumentBytes + 10)
        let result = ManifestLoader().load(bytes: bytes, name: "huge.yaml")
        #expect(Self.render(result) == ["huge.yaml:1:1: document is larger than 1048576 characters; split it"])
        #expect(result.manifests.isEmpty)
    }

    @Test func documentJustUnderTheLimitLoads() {
        let bytes = Self.hugeDocument(descriptionBytes: SourceFile.maxDocumentBytes - 1000)
        let result = ManifestLoader().load(bytes: bytes, name: "big.yaml")
        #expect(result.diagnostics.isEmpty)
        #expect(result.manifests.count == 1)
    }

    @Test func oversizedDocumentDoesNotHideTheNextOne() {
        var bytes = Self.hugeDocument(descriptionBytes: SourceFile.maxDocumentBytes + 10)
        bytes += Array("""
        ---
        apiVersion: bcops.io/v1
        kind: Cluster
        metadata:
          name: 2farm
        spec: {imageId: img-ubuntu, groups: {w: {instanceType: ecs.sn1.medium, desiredCount: 1}}}

        """.utf8)
        let result = ManifestLoader().load(bytes: bytes, name: "two.yaml")
        #expect(Self.render(result) == [
            "two.yaml:1:1: document is larger than 1048576 characters; split it",
            // The huge document has 9 lines, so the second one's name is on line 14.
            "two.yaml:14:9: Cluster/2farm: metadata.name: name \"2farm\" must not start with a digit",
        ])
    }

    @Test func fileOverSixteenMebibytesIsRefusedWithoutParsing() {
        let bytes = [UInt8](repeating: UInt8(ascii: "#"), count: SourceFile.maxFileBytes + 1)
        let result = ManifestLoader().load(bytes: bytes, name: "big.yaml")
        #expect(Self.render(result) == ["big.yaml: file is 16777217 bytes; the limit is 16777216"])
    }

    @Test func deepNestingBuiltInCodeStopsAtTheLimit() {
        // 10 000 levels: composing must fail fast with the depth message, not overflow the stack.
        let bytes = Array("a: ".utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 10_000) + [UInt8](repeating: UInt8(ascii: "]"), count: 10_000)
        let result = ManifestLoader().load(bytes: bytes, name: "deep.yaml")
        #expect(Self.render(result) == ["deep.yaml:1:\(4 + YAMLComposer.maxDepth - 1): nesting deeper than 256 levels"])
    }
}
