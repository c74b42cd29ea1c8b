import Foundation
import Testing
@testable import BCCommands
@testable import BCManifest

/// `bcctl fmt` as a command: what it writes, prints and exits with. Driven through
/// `FmtCommand.format(paths:check:diff:)`, so no process is needed; one test runs the binary.
@Suite struct FmtCommandTests {
    static let messy = "kind: Job\napiVersion: bcops.io/v1\n"
    static let tidy = "apiVersion: bcops.io/v1\nkind: Job\n"

    /// A fresh directory holding `files` (relative path → text).
    func directory(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-fmt-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func read(_ dir: URL, _ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func checkListsFilesThatWouldChangeExitsThreeAndWritesNothing() throws {
        let dir = try directory(["a.yaml": Self.messy, "b.yaml": Self.tidy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = FmtCommand.format(paths: [dir.path], check: true)
        #expect(report.exitCode == 3)
        #expect(report.output == [dir.appendingPathComponent("a.yaml").path])
        #expect(report.errors.isEmpty)
        #expect(try read(dir, "a.yaml") == Self.messy)
    }

    @Test func checkExitsZeroWhenEverythingIsFormatted() throws {
        let dir = try directory(["b.yaml": Self.tidy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = FmtCommand.format(paths: [dir.path], check: true)
        #expect(report.exitCode == 0)
        #expect(report.output.isEmpty)
    }

    @Test func rewritesInPlaceAndListsChangedFiles() throws {
        let dir = try directory(["a.yaml": Self.messy, "b.yaml": Self.tidy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = FmtCommand.format(paths: [dir.path], check: false)
        #expect(first.exitCode == 0)
        #expect(first.output == [dir.appendingPathComponent("a.yaml").path])
        #expect(try read(dir, "a.yaml") == Self.tidy)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("a.yaml.bcops-tmp").path))
        let second = FmtCommand.format(paths: [dir.path], check: true)
        #expect(second.exitCode == 0 && second.output.isEmpty)
    }

    @Test func syntaxErrorsExitTwoWithTheirPlaceAndLeaveTheFileAlone() throws {
        let broken = "apiVersion: bcops.io/v1\nkind: [Job\nmetadata: {}\n"
        let dir = try directory(["broken.yaml": broken, "a.yaml": Self.messy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = FmtCommand.format(paths: [dir.path], check: true)
        #expect(report.exitCode == 2)
        let path = dir.appendingPathComponent("broken.yaml").path
        #expect(report.errors.count == 1)
        #expect(report.errors.first?.hasPrefix(path + ":") == true)
        #expect(report.errors.first?.split(separator: ":").dropFirst().first.flatMap { Int($0) } != nil)  // path:LINE:COL
        #expect(try read(dir, "broken.yaml") == broken)
    }

    @Test func anchorsAreSkippedWithAMessageAndTheFileKept() throws {
        let text = "kind: Job\nbase: &b {x: 1}\nother: *b\n"
        let dir = try directory(["anchors.yaml": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = FmtCommand.format(paths: [dir.path], check: false)
        let path = dir.appendingPathComponent("anchors.yaml").path
        #expect(report.errors == ["\(path): skipped: uses anchors/aliases, which fmt does not rewrite"])
        #expect(report.exitCode == 0)
        #expect(try read(dir, "anchors.yaml") == text)
    }

    @Test func directoriesYieldYAMLFilesOnlyAndMissingPathsFail() throws {
        let dir = try directory(["x/a.yml": Self.messy, "x/notes.txt": Self.messy, ".hidden/h.yaml": Self.messy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = FmtCommand.format(paths: [dir.path, dir.appendingPathComponent("nope.yaml").path], check: true)
        #expect(report.output == [dir.appendingPathComponent("x/a.yml").path])
        #expect(report.errors == ["\(dir.appendingPathComponent("nope.yaml").path): no such file or directory"])
        #expect(report.exitCode == 2)
    }

    @Test func diffShowsRemovedAndAddedLines() throws {
        let dir = try directory(["a.yaml": Self.messy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.yaml").path
        let report = FmtCommand.format(paths: [path], check: true, diff: true)
        #expect(report.output == [path, "--- \(path)", "+++ \(path) (formatted)", "@@ -1,2 +1,2 @@",
                                  "-kind: Job", " apiVersion: bcops.io/v1", "+kind: Job"])
    }

    @Test func diffHunksKeepThreeLinesOfContext() {
        let old = (1...20).map { "l\($0)" }.joined(separator: "\n") + "\n"
        let new = old.replacingOccurrences(of: "l10\n", with: "L10\n")
        #expect(LineDiff.unified(old: old, new: new, path: "p") == [
            "--- p", "+++ p (formatted)", "@@ -7,7 +7,7 @@", " l7", " l8", " l9", "-l10", "+L10", " l11", " l12", " l13",
        ])
    }

    /// The built binary, next to this test bundle, if the build made one.
    static let bcctl: URL? = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("bcctl")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    @Test(.enabled(if: FmtCommandTests.bcctl != nil)) func theBinaryExitsThreeOnCheckAndTwoOnSyntaxErrors() throws {
        let dir = try directory(["a.yaml": Self.messy, "bad/b.yaml": "a: [\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ args: [String]) throws -> Int32 {
            let p = Process()
            p.executableURL = FmtCommandTests.bcctl
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        #expect(try run(["fmt", "-check", dir.appendingPathComponent("a.yaml").path]) == 3)
        #expect(try run(["fmt", "--check", dir.appendingPathComponent("bad").path]) == 2)
        #expect(try run(["fmt", dir.appendingPathComponent("a.yaml").path]) == 0)
        #expect(try run(["fmt", "-check", dir.appendingPathComponent("a.yaml").path]) == 0)
    }
}

extension FmtCommandTests {
    @Test func rewritingKeepsPermissionsAndSymlinks() throws {
        let dir = try directory(["real/a.yaml": Self.messy])
        defer { try? FileManager.default.removeItem(at: dir) }
        let real = dir.appendingPathComponent("real/a.yaml").path
        let link = dir.appendingPathComponent("link.yaml").path
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: real)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let report = FmtCommand.format(paths: [link], check: false)
        #expect(report.exitCode == 0 && report.output == [link])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        #expect(try String(contentsOfFile: real, encoding: .utf8) == Self.tidy)
        let mode = try FileManager.default.attributesOfItem(atPath: real)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
