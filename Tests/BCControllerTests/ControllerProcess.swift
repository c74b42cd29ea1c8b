import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A bare repository on disk with a working clone to push from.
final class Repository: @unchecked Sendable {
    let root: String
    var origin: String { root + "/origin.git" }
    var work: String { root + "/work" }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-repo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try git(["init", "-q", "--bare", "-b", "main", origin], in: root)
        try git(["init", "-q", "-b", "main", work], in: root)
        try git(["remote", "add", "origin", origin])
    }

    @discardableResult
    func git(_ args: [String], in dir: String? = nil) throws -> String {
        let r = try ProcessRunner.run("/usr/bin/git", ["-C", dir ?? work, "-c", "user.email=test@bcops", "-c", "user.name=test"] + args)
        guard r.status == 0 else { throw RepositoryError(message: "git \(args.joined(separator: " ")): \(r.combined)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: work + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Commits everything and pushes main; returns the new commit.
    @discardableResult
    func push(_ message: String) throws -> String {
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", message])
        try git(["push", "-q", "origin", "main"])
        return try git(["rev-parse", "HEAD"])
    }

    struct RepositoryError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}

/// A real `bcctl controller --embedded-engine` process: the single-binary default.
final class ControllerProcess: @unchecked Sendable {
    let data: String
    let secret = "s3cret-\(UUID().uuidString.prefix(8))"
    private(set) var process = Process()
    private(set) var address = ""
    let arguments: [String]
    let log: String

    init(repository: Repository, path: String = "estate", interval: String = "60s", extra: [String] = [], data: String? = nil) throws {
        self.data = data ?? FileManager.default.temporaryDirectory.appendingPathComponent("bcops-controller-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.data, withIntermediateDirectories: true)
        let secretFile = self.data + "/webhook-secret"
        try secret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        log = self.data + "/controller.log"
        arguments = ["controller", "--repo", repository.origin, "--branch", "main", "--path", path, "--interval", interval,
                     "--listen", "127.0.0.1:0", "--embedded-engine", "--engine-listen", "127.0.0.1:0", "--data", self.data,
                     "--webhook-secret-file", secretFile] + extra
        try start()
    }

    func start() throws {
        try? FileManager.default.removeItem(atPath: data + "/controller/address")
        process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.product("bcctl"))
        process.arguments = arguments
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)!
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let a = try? String(contentsOfFile: data + "/controller/address", encoding: .utf8), a.hasSuffix("\n") {
                address = a.trimmingCharacters(in: .whitespacesAndNewlines)
                return
            }
            usleep(20_000)
        }
        throw Repository.RepositoryError(message: "the controller did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    func terminate() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    deinit { kill() }

    /// The environment a client needs to reach the embedded engine.
    var clientEnvironment: [String: String] {
        let endpoint = (try? String(contentsOfFile: data + "/endpoint", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return ["BCOPS_DATA": data, "BCOPS_ENDPOINT": endpoint, "BCOPS_ACCESS_KEY_ID": "", "BCOPS_ACCESS_KEY_SECRET": ""]
    }

    func bcctl(_ args: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product("bcctl"), args, environment: clientEnvironment)
    }

    func http(_ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: address + path)!)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        if method == "POST" { request.httpBody = body }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    func status() async throws -> [String: Any] {
        let (_, data) = try await http("GET", "/api/status")
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func condition(_ type: String) async throws -> [String: Any]? {
        (try await status()["conditions"] as? [[String: Any]] ?? []).first { $0["type"] as? String == type }
    }

    /// Polls until `check` holds or `timeout` passes; returns whether it held.
    func eventually(_ timeout: Double, _ check: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try await check() { return true }
            try await Task.sleep(nanoseconds: 50_000_000)
        } while Date() < deadline
        return false
    }

    func appliedRevision() async throws -> String? { try await status()["appliedRevision"] as? String }

    /// A GitHub push webhook, signed with `key` (the controller's secret unless forged).
    func githubPush(key: String? = nil, delivery: String = UUID().uuidString, ref: String = "refs/heads/main") async throws -> Int {
        let body = Data("{\"ref\":\"\(ref)\",\"after\":\"0\"}".utf8)
        let signature = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", """
            import hmac, hashlib, sys
            print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())
            """, key ?? secret, String(decoding: body, as: UTF8.self)]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await http("POST", "/hooks/github", headers: ["X-GitHub-Event": "push", "X-GitHub-Delivery": delivery,
                                                                 "X-Hub-Signature-256": "sha256=\(signature)", "Content-Type": "application/json"],
                              body: body).0
    }
}
