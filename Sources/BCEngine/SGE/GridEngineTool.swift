import Foundation

/// A failure talking to Grid Engine or building a node, with what was run and what it said.
public enum SGEError: Error, CustomStringConvertible, Sendable {
    /// A command exited non-zero (`qconf` exits 1 with its message on stderr, reference §1.6).
    case command([String], status: Int32, output: String)
    /// Grid Engine is not installed or its qmaster does not answer.
    case unavailable(String)
    /// A node's sge_execd did not come up (no live pid in its spool's pidfile).
    case execdNotStarted(host: String, detail: String)
    /// No free /24 is left for another node (`SGENode.indices`).
    case addressesExhausted

    public var description: String {
        switch self {
        case .command(let argv, let status, let output):
            "\(argv.joined(separator: " ")) exited \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .unavailable(let why): "Grid Engine is not available: \(why)"
        case .execdNotStarted(let host, let detail): "sge_execd of node \(host) did not start: \(detail)"
        case .addressesExhausted: "no free /24 in 10.201.0.0–10.250.255.255 for another SGE node (at most 12,500 nodes)"
        }
    }
}

/// Runs Grid Engine's commands (and `ip`, `unshare`) synchronously, on the realiser's own
/// thread: never on the server's cooperative threads, which a 2-core machine has 2 of.
struct GridEngineTool: Sendable {
    static let root = "/var/lib/gridengine"
    static let cell = "default"
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["SGE_ROOT"] = root
        env["SGE_CELL"] = cell
        env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + (env["PATH"] ?? "")
        return env
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `argv` to its end. Output goes through files, not pipes, so a chatty command can
    /// never block on a full pipe while we wait for it.
    @discardableResult
    static func run(_ argv: [String], stdin: String? = nil) throws -> Output {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        p.environment = environment
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = dir.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: input)
            p.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// Runs `argv` and throws `SGEError.command` unless it exits 0.
    @discardableResult
    static func must(_ argv: [String], stdin: String? = nil) throws -> String {
        let o = try run(argv, stdin: stdin)
        guard o.status == 0 else { throw SGEError.command(argv, status: o.status, output: o.stderr + o.stdout) }
        return o.stdout
    }

    /// Whether `argv` exits 0 (an existence check: `qconf -sq Q`, `qconf -shgrp @G`, `qconf -se H`).
    static func succeeds(_ argv: [String]) -> Bool { (try? run(argv).status) == 0 }

    /// The idempotent upsert of reference §1.6: `-M…` when the object exists, else `-A…`,
    /// from a file named `name` (qconf takes some object names from the file's name).
    static func upsert(show: String, add: String, modify: String, object: String, file contents: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-sge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("object")
        try Data(contents.utf8).write(to: file)
        let exists = succeeds(["qconf", show, object])
        try must(["qconf", exists ? modify : add, file.path])
    }

    /// The qmaster's host name (`act_qmaster`), which nodes must resolve to reach it.
    static func qmasterHost() throws -> String {
        let path = "\(root)/\(cell)/common/act_qmaster"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw SGEError.unavailable("\(path) is missing: Grid Engine is not installed") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether `pid` is alive and is a process called `comm` (pidfiles outlive their daemons,
    /// reference §1.3, and a pid may be reused).
    static func isAlive(_ pid: Int32, comm: String) -> Bool {
        guard pid > 0, let c = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) else { return false }
        return c.trimmingCharacters(in: .whitespacesAndNewlines) == comm
    }
}
