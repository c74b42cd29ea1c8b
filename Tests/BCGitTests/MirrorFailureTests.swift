import Foundation
import Testing
@testable import BCGit

extension GitMirrorTests {
    @Test func anUnreachableRemoteIsReportedClearly() throws {
        let fx = try GitFixture()
        let refused = gitError { try GitMirror(url: "http://127.0.0.1:1/nothing.git", directory: fx.mirrorDir) }
        #expect(refused?.reason == .unreachable)
        #expect(refused?.message.contains("127.0.0.1") == true)
        // A failed clone leaves nothing behind.
        #expect(!FileManager.default.fileExists(atPath: fx.mirrorDir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.root).allSatisfy { !$0.contains("cloning") })

        let missingPath = fx.root + "/does-not-exist.git"
        let missing = gitError { try GitMirror(url: missingPath, directory: fx.mirrorDir) }
        #expect(missing?.reason == .notFound || missing?.reason == .unreachable, "\(String(describing: missing))")
        #expect(missing?.message.contains("does-not-exist.git") == true)
    }

    @Test func aFailedFetchKeepsTheLastStateReadable() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)

        let moved = fx.root + "/origin-away.git"
        try FileManager.default.moveItem(atPath: fx.origin, toPath: moved)
        let error = gitError { try mirror.fetch() }
        #expect(error?.reason == .notFound || error?.reason == .unreachable, "\(String(describing: error))")
        #expect(error?.message.contains(fx.origin) == true)
        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.files(at: sha, under: "deploy").count == 3)
        #expect(mirror.verify())

        // The same mirror (and its one remote) recovers once the remote is back.
        try FileManager.default.moveItem(atPath: moved, toPath: fx.origin)
        let next = try fx.commit(["deploy/z.yaml": "z: 1\n"], message: "Next")
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == next)
    }

    @Test func aCorruptMirrorFailsVerifyAndRecloneRepairsIt() throws {
        let fx = try GitFixture()
        try fx.commit(["deploy/first.yaml": "a: 1\n"], message: "First")
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        #expect(mirror.verify())

        let objects = fx.mirrorDir + "/objects"
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: objects + "/pack") {
            try fm.removeItem(atPath: objects + "/pack/" + name)
        }
        for name in try fm.contentsOfDirectory(atPath: objects) where name.count == 2 {
            try fm.removeItem(atPath: objects + "/" + name)
        }
        #expect(!mirror.verify())
        let fresh = try GitMirror(url: fx.origin, directory: fx.mirrorDir)  // a second handle sees it too
        let readError = gitError { try fresh.files(at: sha, under: "deploy") }
        #expect(readError != nil)

        try mirror.reclone()
        #expect(mirror.verify())
        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.files(at: sha, under: "deploy").map(\.path).contains("deploy/first.yaml"))
        try mirror.fetch()
    }

    @Test func aFailedRecloneKeepsTheOldMirror() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let mirror = try GitMirror(url: fx.origin, directory: fx.mirrorDir)
        try FileManager.default.moveItem(atPath: fx.origin, toPath: fx.root + "/away.git")
        #expect(gitError { try mirror.reclone() } != nil)
        #expect(try mirror.files(at: sha, under: "deploy").count == 3)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func rejectedCredentialsAreAnAuthenticationErrorNotALoop() throws {
        let fx = try GitFixture()
        let server = try UnauthorizedServer(log: fx.root + "/requests.log")
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/repo.git"

        let wrong = GitCredentials(.userPassword(user: "bob", password: "wrong-password-123"))
        let rejected = gitError { try GitMirror(url: url, directory: fx.mirrorDir, credentials: wrong) }
        #expect(rejected?.reason == .authentication)
        #expect(rejected?.message.contains("wrong-password-123") == false)
        let requests = (try? String(contentsOfFile: fx.root + "/requests.log", encoding: .utf8))?
            .split(separator: "\n").count ?? 0
        #expect(requests >= 2 && requests <= 6, "\(requests) requests")

        let none = gitError { try GitMirror(url: url, directory: fx.mirrorDir) }
        #expect(none?.reason == .authentication)

        // A password in the URL never reaches a message.
        let inURL = gitError {
            try GitMirror(url: "http://bob:url-secret-456@127.0.0.1:\(server.port)/repo.git", directory: fx.mirrorDir)
        }
        #expect(inURL?.reason == .authentication)
        #expect(inURL?.message.contains("url-secret-456") == false)
    }
}

/// A local HTTP server that answers every request with 401 Basic, logging one line per request.
final class UnauthorizedServer {
    let process = Process()
    let port: Int

    init(log: String) throws {
        let script = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with open(sys.argv[1], "a") as f: f.write(self.path + "\\n")
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()
            do_POST = do_GET
            def log_message(self, *args): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, log]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw FixtureError(message: "the test HTTP server did not start")
        }
        self.port = port
    }

    func stop() {
        // SIGKILL: the test runner blocks SIGTERM, and children inherit the blocked mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
