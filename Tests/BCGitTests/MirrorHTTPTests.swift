import Foundation
import Testing
@testable import BCGit

/// http:// against a real smart HTTP server (`git http-backend`) that wants HTTP Basic auth.
extension GitMirrorTests {
    static let httpUser = "deploy-bot"
    static let httpPassword = "s3cret-Pa55word-7f1c"

    @Test(.enabled(if: SmartHTTPServer.available, "needs /usr/bin/python3 and git http-backend"))
    func clonesAndFetchesOverSmartHTTPWithACredentialsFile() throws {
        let fx = try GitFixture()
        let first = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let server = try SmartHTTPServer(projectRoot: fx.root, user: Self.httpUser, password: Self.httpPassword)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/origin.git"

        let file = fx.root + "/git-credentials"
        try "# the deploy bot\nusername=\(Self.httpUser)\npassword=\(Self.httpPassword)\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let credentials = try GitCredentials.load(file: file)
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, String(reflecting: credentials), "\(credentials.kind)", dumped] {
            #expect(!text.contains(Self.httpPassword), "\(text)")
        }

        let mirror = try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials)
        #expect(try mirror.head(branch: "main") == first)
        #expect(try mirror.files(at: first, under: "deploy").map(\.path)
                == ["deploy/cluster.yaml", "deploy/jobs/deep/er/frame.yaml", "deploy/jobs/nightly.yml"])
        // Every request that reached git was authenticated; smart HTTP, not the dumb protocol.
        #expect(server.requests.contains { $0.hasPrefix("POST /origin.git/git-upload-pack auth=ok") },
                "\(server.requests)")
        #expect(!server.requests.contains { $0.contains("auth=bad") }, "\(server.requests)")

        let second = try fx.commit(["deploy/new.yaml": "kind: Job\nname: new\n"], message: "Add a job")
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == second)
        #expect(try mirror.files(at: second, under: "deploy/new.yaml").map(\.text) == ["kind: Job\nname: new\n"])
        #expect(mirror.verify())
        let before = server.requests.count
        try mirror.fetch()  // nothing new: still authenticated, still a bounded exchange
        #expect(server.requests.count - before <= 4, "\(server.requests.suffix(from: before))")

        // The mirror on disk names the URL and never holds the password.
        #expect(try fx.git("--git-dir", fx.mirrorDir, "config", "bcops.url") == url)
        #expect(filesContaining(Self.httpPassword, under: fx.mirrorDir).isEmpty)
        #expect(filesContaining(Self.httpPassword, under: fx.root).allSatisfy { $0 == "git-credentials" })
    }

    @Test(.enabled(if: SmartHTTPServer.available, "needs /usr/bin/python3 and git http-backend"))
    func aWrongHTTPPasswordIsAnAuthenticationErrorWithinAFewRequests() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let server = try SmartHTTPServer(projectRoot: fx.root, user: Self.httpUser, password: Self.httpPassword)
        defer { server.stop() }
        let url = "http://127.0.0.1:\(server.port)/origin.git"

        let file = fx.root + "/git-credentials"
        let wrongPassword = "wr0ng-Pa55word-e9d2"
        try "username=\(Self.httpUser)\npassword=\(wrongPassword)\n".write(toFile: file, atomically: true, encoding: .utf8)
        let wrong = try GitCredentials.load(file: file)
        let start = Date()
        let rejected = gitError { try GitMirror(url: url, directory: fx.mirrorDir, credentials: wrong) }
        #expect(rejected?.reason == .authentication, "\(String(describing: rejected))")
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(rejected?.message.contains(wrongPassword) == false, "\(String(describing: rejected))")
        #expect(rejected?.description.contains(wrongPassword) == false)
        #expect(!FileManager.default.fileExists(atPath: fx.mirrorDir))
        let requests = server.requests
        #expect(requests.count >= 2 && requests.count <= 1 + FetchCallbackState.maxCredentialRequests,
                "\(requests)")
        #expect(requests.allSatisfy { !$0.contains("auth=ok") }, "\(requests)")
        #expect(requests.contains { $0.contains("auth=bad") }, "\(requests)")

        // No credentials: an authentication error after a single request.
        let countBefore = server.requests.count
        let none = gitError { try GitMirror(url: url, directory: fx.mirrorDir) }
        #expect(none?.reason == .authentication, "\(String(describing: none))")
        #expect(server.requests.count - countBefore == 1, "\(server.requests)")

        // The right password in the same file afterwards works, and an existing mirror whose
        // password stops working keeps its last state and reports authentication.
        try "username=\(Self.httpUser)\npassword=\(Self.httpPassword)\n".write(toFile: file, atomically: true, encoding: .utf8)
        _ = try GitMirror(url: url, directory: fx.mirrorDir, credentials: GitCredentials.load(file: file))
        let stale = try GitMirror(url: url, directory: fx.mirrorDir, credentials: wrong)
        #expect(try stale.head(branch: "main") == sha)
        let failed = gitError { try stale.fetch() }
        #expect(failed?.reason == .authentication, "\(String(describing: failed))")
        #expect(failed?.message.contains(wrongPassword) == false)
        #expect(try stale.head(branch: "main") == sha)
        #expect(filesContaining(wrongPassword, under: fx.mirrorDir).isEmpty)
        #expect(filesContaining(Self.httpPassword, under: fx.mirrorDir).isEmpty)
    }

    @Test(.enabled(if: SmartHTTPServer.available, "needs /usr/bin/python3 and git http-backend"))
    func aTokenInTheURLWorksAndIsNeverWrittenOrShown() throws {
        let fx = try GitFixture()
        let first = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let token = "ghp_T0kenInTheUrl_4b8e"
        let server = try SmartHTTPServer(projectRoot: fx.root, user: "x-access-token", password: token)
        defer { server.stop() }
        let url = "http://x-access-token:\(token)@127.0.0.1:\(server.port)/origin.git"
        let redacted = "http://x-access-token@127.0.0.1:\(server.port)/origin.git"

        let mirror = try GitMirror(url: url, directory: fx.mirrorDir)
        #expect(try mirror.head(branch: "main") == first)
        #expect(try mirror.files(at: first, under: "deploy").count == 3)
        let second = try fx.commit(["deploy/new.yaml": "kind: Job\n"], message: "Add a job")
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == second)
        #expect(server.requests.contains { $0.hasPrefix("POST /origin.git/git-upload-pack auth=ok") },
                "\(server.requests)")

        // The identity on disk is the URL without the token, and the token is nowhere in the mirror.
        #expect(try fx.git("--git-dir", fx.mirrorDir, "config", "bcops.url") == redacted)
        #expect(filesContaining(token, under: fx.mirrorDir).isEmpty, "\(filesContaining(token, under: fx.mirrorDir))")
        #expect(filesContaining(token, under: fx.root).isEmpty)

        // A rotated token reopens the same mirror (no re-clone); if the server refuses it, the
        // error names the redacted URL, not the token.
        let marker = fx.mirrorDir + "/bcgit-test-marker"
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        let rotated = "ghp_R0tatedToken_c3a1"
        let reopened = try GitMirror(url: "http://x-access-token:\(rotated)@127.0.0.1:\(server.port)/origin.git",
                                     directory: fx.mirrorDir)
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try reopened.head(branch: "main") == second)
        let refused = gitError { try reopened.fetch() }
        #expect(refused?.reason == .authentication, "\(String(describing: refused))")
        #expect(refused?.message.contains(rotated) == false, "\(String(describing: refused))")
        #expect(refused?.message.contains(redacted) == true, "\(String(describing: refused))")
        #expect(filesContaining(rotated, under: fx.mirrorDir).isEmpty)
    }
}
