import Foundation
import Testing

/// Real servers for the ssh:// and http:// tests: Debian's `sshd` and `git http-backend` behind a
/// small Python HTTP server with Basic auth. Each dies with its test three ways: `stop()` (call it
/// in a `defer`), a watchdog that kills it after `lifetime` seconds (so a libgit2 call that hangs
/// on it fails instead — libgit2 1.5 has no network timeouts of its own), and the end of its
/// stdin (a pipe this process holds), should the test process itself die.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let lock = NSLock()
    private var stopped = false

    /// Starts `argv` and returns its first line of standard output (nil if it exited first).
    init(_ argv: [String], lifetime: Double) throws {
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + lifetime) { [weak self] in
            self?.stop(wait: false)
        }
    }

    /// The first line the server printed (its port, or that it started); nil if it exited first.
    func firstLine() -> String? {
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !stopped && process.isRunning
    }

    /// Kills the server and everything it started (SIGKILL: the test runner blocks SIGTERM, and
    /// children inherit the blocked mask).
    func stop(wait: Bool = true) {
        lock.lock()
        let first = !stopped
        stopped = true
        if first { killProcessTree(process.processIdentifier) }
        lock.unlock()
        if first {
            try? input.fileHandleForWriting.close()
            if wait { process.waitUntilExit() }
        }
    }

    deinit {
        stop(wait: false)
    }
}

/// SIGSTOPs `pid` (so it starts nothing more), collects its descendants from /proc (children of
/// every thread), and SIGKILLs them all.
func killProcessTree(_ pid: pid_t) {
    guard pid > 0 else { return }
    kill(pid, SIGSTOP)
    var children: [pid_t] = []
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    for task in tasks {
        let list = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
        children += list.split(separator: " ").compactMap { pid_t($0) }
    }
    kill(pid, SIGKILL)
    for child in children { killProcessTree(child) }
}

/// A loopback TCP port nobody listens on right now (the kernel's pick for port 0).
func freeLoopbackPort() -> Int? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}

/// Every regular file under `directory` whose bytes contain `needle` (paths relative to it).
func filesContaining(_ needle: String, under directory: String) -> [String] {
    let fm = FileManager.default
    let bytes = Data(needle.utf8)
    var hits: [String] = []
    for case let path as String in fm.enumerator(atPath: directory) ?? FileManager.DirectoryEnumerator() {
        var isDirectory: ObjCBool = false
        let full = directory + "/" + path
        guard fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = fm.contents(atPath: full) else { continue }
        if data.range(of: bytes) != nil { hits.append(path) }
    }
    return hits
}

/// Debian's OpenSSH server, run as root in the foreground on a free loopback port, with its own
/// host key and config in `root`, accepting the public keys in `authorizedKeys` only.
final class SSHServer {
    static let sshd = "/usr/sbin/sshd"
    /// sshd must run as root to log a client in as root (privilege separation needs /run/sshd).
    static var available: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: sshd)
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ssh-keygen")
    }

    let port: Int
    /// sshd's own log (`-e`, LogLevel VERBOSE).
    let log: String
    private let server: ServerProcess

    /// `extraConfig` lines are appended to the generated sshd_config.
    init(root: String, authorizedKeys: String, fixture: GitFixture, extraConfig: [String] = [],
         lifetime: Double = 120) throws {
        let hostKey = root + "/ssh_host_ed25519_key"
        if !FileManager.default.fileExists(atPath: hostKey) {
            try fixture.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bcgit-test-host", "-f", hostKey])
        }
        // Privilege separation's chroot directory (normally made by the systemd unit).
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        log = root + "/sshd.log"
        var lastLog = ""
        for _ in 0..<5 {  // another process may take the free port before sshd binds it
            guard let port = freeLoopbackPort() else { break }
            let config = root + "/sshd_config"
            try """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            AuthorizedKeysFile \(authorizedKeys)
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            UseDNS no
            PrintMotd no
            X11Forwarding no
            AllowTcpForwarding no
            MaxAuthTries 6
            LoginGraceTime 30
            LogLevel VERBOSE
            PidFile \(root)/sshd.pid
            \(extraConfig.joined(separator: "\n"))

            """.write(toFile: config, atomically: true, encoding: .utf8)
            try? FileManager.default.removeItem(atPath: log)
            // sh keeps sshd's stdin-watch: when this process dies, `read` returns and sshd is killed.
            let server = try ServerProcess([
                "/bin/sh", "-c",
                "\"$0\" -D -e -f \"$1\" </dev/null >>\"$2\" 2>&1 & echo started; read -r _; kill -9 $!",
                Self.sshd, config, log,
            ], lifetime: lifetime)
            _ = server.firstLine()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                lastLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if lastLog.contains("Server listening on") || lastLog.contains("Bind to port")
                    || lastLog.contains("Cannot bind") || !server.isRunning { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            if lastLog.contains("Server listening on") {
                self.port = port
                self.server = server
                return
            }
            server.stop()
        }
        throw FixtureError(message: "sshd did not start: \(lastLog)")
    }

    func stop() {
        server.stop()
    }

    var logText: String {
        (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    }
}

/// `git http-backend` (smart HTTP) for the repositories under `projectRoot`, behind a Python
/// HTTP/1.0 server that wants HTTP Basic `user`/`password` on every request and logs one line
/// per request (`METHOD path auth=ok|bad|none`) to `log` — never the credentials.
final class SmartHTTPServer {
    let port: Int
    let log: String
    private let server: ServerProcess

    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
            && FileManager.default.isExecutableFile(atPath: "/usr/lib/git-core/git-http-backend")
    }

    static let script = #"""
    import base64, http.server, os, subprocess, sys, threading
    root, log, user, password, lifetime = sys.argv[1:6]
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def die_with_parent():
        try:
            sys.stdin.buffer.read()
        finally:
            os._exit(0)
    threading.Thread(target=die_with_parent, daemon=True).start()
    timer = threading.Timer(float(lifetime), lambda: os._exit(1))
    timer.daemon = True
    timer.start()

    class Handler(http.server.BaseHTTPRequestHandler):
        def handle_one(self, method):
            header = self.headers.get("Authorization")
            auth = "none" if header is None else ("ok" if header == expected else "bad")
            with open(log, "a") as f:
                f.write(f"{method} {self.path} auth={auth}\n")
            if auth != "ok":
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="bcgit-test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b""
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline().strip():
                            pass
                        break
                    body += self.rfile.read(size)
                    self.rfile.readline()
            elif self.headers.get("Content-Length"):
                body = self.rfile.read(int(self.headers["Content-Length"]))
            path, _, query = self.path.partition("?")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": root,
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1",
                "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.0",
                "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
                "REMOTE_USER": user, "REMOTE_ADDR": "127.0.0.1",
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            try:
                out = subprocess.run(["git", "http-backend"], input=body, env=env,
                                     capture_output=True, timeout=30).stdout
            except subprocess.TimeoutExpired:
                out = b"Status: 504 Gateway Timeout\r\n\r\n"
            head, sep, payload = out.partition(b"\r\n\r\n")
            if not sep:
                head, _, payload = out.partition(b"\n\n")
            status, headers = 200, []
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers.append((name, value.strip()))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self.handle_one("GET")

        def do_POST(self):
            self.handle_one("POST")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    init(projectRoot: String, user: String, password: String, lifetime: Double = 120) throws {
        log = projectRoot + "/http-requests.log"
        server = try ServerProcess(["/usr/bin/python3", "-c", Self.script, projectRoot, log, user, password,
                                    String(lifetime)], lifetime: lifetime)
        guard let line = server.firstLine(), let port = Int(line) else {
            server.stop()
            throw FixtureError(message: "the smart HTTP test server did not start")
        }
        self.port = port
    }

    func stop() {
        server.stop()
    }

    /// The request log, one line per request.
    var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}
