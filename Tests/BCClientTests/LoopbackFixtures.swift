import BCClient
import BCTestSupport
import Foundation

/// A CA of the test's own and a certificate it signed for `engine.localhost`, `localhost` and
/// 127.0.0.1, made with the openssl CLI in a fresh directory: what a team with a private CA
/// puts in front of an engine.
struct TestPKI {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var certificate: String { directory + "/server.pem" }
    var key: String { directory + "/server.key" }

    static func make() throws -> TestPKI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "subjectAltName=DNS:engine.localhost,DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: dir + "/server.ext", atomically: true, encoding: .utf8)
        try makeCA(in: dir, name: "ca")
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/server.key", "-out", dir + "/server.csr",
                     "-subj", "/CN=engine.localhost"])
        try openssl(["x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
                     "-CAcreateserial", "-out", dir + "/server.pem", "-days", "2", "-extfile", dir + "/server.ext"])
        return TestPKI(directory: dir)
    }

    /// Another CA, which signed nothing the server presents.
    func otherCA() throws -> String {
        try Self.makeCA(in: directory, name: "other-ca")
        return directory + "/other-ca.pem"
    }

    private static func makeCA(in dir: String, name: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/\(name).key", "-out", "\(dir)/\(name).pem",
                     "-days", "2", "-subj", "/CN=bcops test \(name)", "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign"])
    }

    private static func openssl(_ arguments: [String]) throws {
        let r = try ProcessRunner.run("/usr/bin/openssl", arguments)
        guard r.status == 0 else { throw FixtureError("openssl \(arguments.first ?? ""): \(r.combined)") }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// One of loopback_servers.py's servers (a TLS terminator or an HTTP proxy) as its own
/// process, on a free loopback port. It ends with `stop()`, when this process closes its
/// stdin (or dies), or after 120 s, whichever comes first.
final class LoopbackServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    /// What it logged: one line per TLS handshake, or per request the proxy carried.
    let log: String
    private let input = Pipe()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("loopback_servers.py").path

    private init(mode: String, arguments: (String) -> [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-\(mode)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let portFile = dir + "/port"
        log = dir + "/log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.script, mode, portFile] + arguments(log)
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The port file appears (renamed into place) once the server listens: 10 s at most.
        var port: Int?
        var tries = 0
        while port == nil && process.isRunning && tries < 200 {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(50_000) }
            tries += 1
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError("\(mode) server did not start")
        }
        self.port = port
    }

    /// TLS on a loopback port, piping each connection to `upstream` (the engine's plain port).
    static func tlsTerminator(_ pki: TestPKI, upstream: Int) throws -> LoopbackServer {
        try LoopbackServer(mode: "tls") { [pki.certificate, pki.key, String(upstream), $0] }
    }

    /// An HTTP proxy (CONNECT and absolute-form requests) that reaches loopback only.
    static func proxy() throws -> LoopbackServer {
        try LoopbackServer(mode: "proxy") { [$0] }
    }

    var logLines: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGKILL: the test runner blocks SIGTERM, and its children inherit the blocked mask.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? input.fileHandleForWriting.close()
    }

    deinit { stop() }
}

/// The real engine, reached over https through a TLS terminator with the test's own CA:
/// the request signatures are checked end to end, as for an engine behind a load balancer.
final class EngineBehindTLS: @unchecked Sendable {
    let engine: EngineProcess
    let pki: TestPKI
    let tls: LoopbackServer

    init() throws {
        pki = try TestPKI.make()
        engine = try EngineProcess()
        tls = try LoopbackServer.tlsTerminator(pki, upstream: engine.port)
    }

    /// A configuration read the way every command reads it (`fromEnvironment`), from exactly
    /// this environment: the engine's keys, `BCOPS_ENDPOINT=URL`, and `extra`.
    func configuration(_ endpoint: String, _ extra: [String: String] = [:]) throws -> ClientConfiguration {
        let env = ["BCOPS_ENDPOINT": endpoint, "BCOPS_ACCESS_KEY_ID": engine.credentials.accessKeyId,
                   "BCOPS_ACCESS_KEY_SECRET": engine.credentials.accessKeySecret].merging(extra) { $1 }
        return try ClientConfiguration.fromEnvironment(env)
    }

    /// `https://HOST:PORT` of the TLS terminator.
    func https(_ host: String = "127.0.0.1") -> String { "https://\(host):\(tls.port)" }

    /// `http://HOST:PORT` of the engine itself.
    func http(_ host: String = "127.0.0.1") -> String { "http://\(host):\(engine.port)" }

    func stop() {
        tls.stop()
        engine.stop()
    }
}

extension BatchComputeClient {
    /// One signed call that reads the engine: the list of jobs (empty on a new engine).
    func listJobs() async throws -> Int {
        try await allJobs().count
    }
}
