import BCTestSupport
import Foundation

/// A real engine serving Cromwell's API (`bcctl engine serve --cromwell-listen 127.0.0.1:0`),
/// and the real clients a genomics team points at it: cromshell 2.x (in `.build-venv`),
/// cromwell-tools (in `.build-venv-cromwell-tools`: its pins of google-auth 1.x cannot share a
/// venv with cromshell's 2.x) and curl. `scripts/lib.sh` (`need_cromwell_clients`) installs them.
final class CromwellFixture: @unchecked Sendable {
    let engine: EngineProcess
    let port: Int
    let home: String
    var url: String { "http://127.0.0.1:\(port)" }
    var api: String { url + "/api/workflows/v1" }

    static let cromshell = ProcessRunner.root.appendingPathComponent(".build-venv/bin/cromshell").path
    static let cromwellTools = ProcessRunner.root.appendingPathComponent(".build-venv-cromwell-tools/bin/cromwell-tools").path
    static let fixtures = ProcessRunner.root.appendingPathComponent("Tests/Fixtures/workflows")

    struct NotStarted: Error, CustomStringConvertible { var description: String }

    init(arguments: [String] = [], dataDirectory: String? = nil, listen: String = "127.0.0.1:0") throws {
        engine = try EngineProcess(dataDirectory: dataDirectory, listen: listen, arguments: ["--cromwell-listen", "127.0.0.1:0"] + arguments)
        let said = engine.waitForOutput(containing: "/api/workflows/v1", "cromwell API not started", seconds: 30)
        guard let r = said.range(of: "cromwell API listening on http://127.0.0.1:"),
              let p = Int(said[r.upperBound...].prefix { $0.isNumber }) else {
            engine.stop()
            throw NotStarted(description: said)
        }
        port = p
        home = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-cromshell-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    deinit { engine.stop() }

    /// `cromshell -cu URL ARGS…`, with a config directory of this test's own.
    func cromshell(_ arguments: String...) throws -> ProcessRunner.Output {
        try ProcessRunner.run(Self.cromshell, ["--no_turtle", "-mc", "-cu", url] + arguments, environment: ["CROMSHELL_CONFIG": home])
    }

    func cromwellTools(_ command: String, _ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(Self.cromwellTools, [command, "--url", url] + arguments)
    }

    /// curl, answering the body and the HTTP status (`-w` on a line of its own).
    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let r = try ProcessRunner.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    func json(_ path: String, _ extra: [String] = []) throws -> [String: Any] {
        let r = try curl(extra + [url + path])
        return (try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]) ?? ["httpStatus": r.status, "body": r.body]
    }

    func status(_ id: String) throws -> String { try json("/api/workflows/v1/\(id)/status")["status"] as? String ?? "" }

    /// Polls until the workflow's status is one of `wanted` (or the time is up); the last status.
    @discardableResult
    func wait(_ id: String, for wanted: Set<String> = ["Succeeded", "Failed", "Aborted"], seconds: Double = 120) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try status(id)
            if wanted.contains(last) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return last
    }

    /// A bcctl command against the engine (`bcctl oss …`, `bcctl workflow status …`).
    func bcctl(_ arguments: String...) throws -> ProcessRunner.Output {
        try ProcessRunner.run(EngineProcess.binary("bcctl"), arguments, environment: engine.clientEnvironment)
    }

    /// A file under the test's own directory.
    func write(_ name: String, _ text: String) throws -> String {
        let path = home + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A loopback port free now: an engine restarted on it is where its running jobs find it again.
    static func freePort() throws -> Int {
        let r = try ProcessRunner.run("/usr/bin/python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The id in a submission's answer (`{"id": …, "status": …}`), wherever the client printed it.
    static func id(in text: String) -> String? {
        let pattern = try! NSRegularExpression(pattern: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        guard let m = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return String(text[Range(m.range, in: text)!])
    }
}
