import Foundation
import Testing
@testable import BCGit

/// All BCGit tests in one serialized suite: the leak test reads the process's RSS, which other
/// tests running alongside would disturb.
@Suite(.serialized) struct GitMirrorTests {}

/// An origin repository made with the git CLI in a temp directory: `origin.git` (bare, the
/// remote the mirror clones), `work` (a clone to commit and push from), and room for mirrors.
final class GitFixture {
    let root: String
    var origin: String { root + "/origin.git" }
    var work: String { root + "/work" }
    var mirrorDir: String { root + "/mirror" }

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("bcgit-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try git("init", "--quiet", "--bare", "-b", "main", origin)
        try git("clone", "--quiet", origin, work)
        try git("-C", work, "checkout", "--quiet", "-b", "main")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs git with a clean, fixed environment (no user or system config, fixed identity).
    @discardableResult
    func git(_ args: String...) throws -> String {
        try run(["git"] + args)
    }

    @discardableResult
    func run(_ argv: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": root, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
            "GIT_AUTHOR_NAME": "Ada Tester", "GIT_AUTHOR_EMAIL": "ada@example.com",
            "GIT_COMMITTER_NAME": "Ada Tester", "GIT_COMMITTER_EMAIL": "ada@example.com",
        ]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(message: "\(argv.joined(separator: " ")) failed: \(String(decoding: stderr, as: UTF8.self))")
        }
        return String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `files` (path → content; nil deletes) into the work tree, commits everything and
    /// pushes `branch`. Returns the new commit id.
    @discardableResult
    func commit(_ files: [String: String?], message: String, branch: String = "main", force: Bool = false) throws -> String {
        for (path, content) in files {
            let full = work + "/" + path
            if let content {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try content.write(toFile: full, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.removeItem(atPath: full)
            }
        }
        try git("-C", work, "add", "-A")
        try git("-C", work, "commit", "--quiet", "--allow-empty", "-m", message)
        try git("-C", work, "push", "--quiet", force ? "--force" : "--no-force", "origin", "HEAD:refs/heads/\(branch)")
        return try git("-C", work, "rev-parse", "HEAD")
    }

    func revParse(_ ref: String) throws -> String {
        try git("--git-dir", origin, "rev-parse", ref)
    }

    /// The standard content: manifests nested under `deploy/`, a non-YAML file beside them, and
    /// YAML outside `deploy/`.
    static let manifests: [String: String?] = [
        "deploy/cluster.yaml": "kind: Cluster\nname: render\n",
        "deploy/jobs/nightly.yml": "kind: Job\nname: nightly\n",
        "deploy/jobs/deep/er/frame.yaml": "kind: Job\nname: frame\n",
        "deploy/README.md": "# not a manifest\n",
        "deploy/jobs/notes.txt": "neither\n",
        "other/pool.yaml": "kind: Pool\n",
        "top.yaml": "kind: Top\n",
    ]
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension GitFile {
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The error a throwing call raised, for checking its reason and message. (Untyped closure:
/// Swift does not infer typed throws for closures yet.)
func gitError<T>(_ body: () throws -> T) -> GitError? {
    do {
        _ = try body()
        return nil
    } catch let error as GitError {
        return error
    } catch {
        Issue.record("expected a GitError, got \(error)")
        return nil
    }
}
