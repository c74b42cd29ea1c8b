import Foundation
import Testing
@testable import BCGit

/// ssh:// against a real OpenSSH server (Debian's openssh-server; scripts/test.sh installs it),
/// authenticating with a key pair read through `GitCredentials.load(file:)`.
extension GitMirrorTests {
    @Test(.enabled(if: SSHServer.available, "needs root and /usr/sbin/sshd (openssh-server)"))
    func clonesAndFetchesOverSSHWithAKeyFile() throws {
        let fx = try GitFixture()
        let first = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let key = try fx.sshKey("id_ed25519")
        let authorized = fx.root + "/authorized_keys"
        try FileManager.default.copyItem(atPath: key + ".pub", toPath: authorized)
        let server = try SSHServer(root: fx.root, authorizedKeys: authorized, fixture: fx)
        defer { server.stop() }
        let url = "ssh://root@127.0.0.1:\(server.port)\(fx.origin)"

        let credentials = try GitCredentials.load(file: key)
        guard case .sshKey(let privateKey, let publicKey, nil) = credentials.kind else {
            Issue.record("expected an ssh key, got \(credentials)")
            return
        }
        #expect(privateKey == key)
        #expect(publicKey == key + ".pub")

        let mirror = try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials)
        #expect(try mirror.head(branch: "main") == first)
        #expect(try mirror.files(at: first, under: "deploy").map(\.path)
                == ["deploy/cluster.yaml", "deploy/jobs/deep/er/frame.yaml", "deploy/jobs/nightly.yml"])
        #expect(try fx.git("--git-dir", fx.mirrorDir, "config", "bcops.url") == url)
        #expect(server.logText.contains("Accepted publickey for root"), "\(server.logText)")

        // A commit pushed to the origin arrives with the next fetch over ssh.
        let second = try fx.commit(["deploy/new.yaml": "kind: Job\nname: new\n"], message: "Add a job")
        #expect(try mirror.head(branch: "main") == first)
        try mirror.fetch()
        #expect(try mirror.head(branch: "main") == second)
        #expect(try mirror.files(at: second, under: "deploy/new.yaml").map(\.text) == ["kind: Job\nname: new\n"])
        #expect(try mirror.isAncestor(first, of: second))
        #expect(mirror.verify())

        // Reopened with the same URL: the mirror is kept and fetches again.
        let reopened = try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials)
        try reopened.fetch()
        #expect(try reopened.head(branch: "main") == second)

        // The private key alone (no `.pub` beside it): libssh2 derives the public key from it.
        let alone = fx.root + "/keys/alone"
        try FileManager.default.createDirectory(atPath: fx.root + "/keys", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: key, toPath: alone)
        let aloneCredentials = try GitCredentials.load(file: alone)
        guard case .sshKey(_, nil, nil) = aloneCredentials.kind else {
            Issue.record("expected an ssh key without a public key, got \(aloneCredentials)")
            return
        }
        let fromPrivate = try GitMirror(url: url, directory: fx.root + "/mirror-alone", credentials: aloneCredentials)
        #expect(try fromPrivate.head(branch: "main") == second)

        // The key's content appears in no description.
        var dumped = ""
        dump(credentials, to: &dumped)
        let texts = [credentials.description, String(reflecting: credentials), "\(credentials.kind)", dumped,
                     aloneCredentials.description]
        try expectNoKeyMaterial(of: key, in: texts)
    }

    @Test(.enabled(if: SSHServer.available, "needs root and /usr/sbin/sshd (openssh-server)"))
    func aRejectedSSHKeyIsAnAuthenticationErrorNotALoop() throws {
        let fx = try GitFixture()
        try fx.commit(GitFixture.manifests, message: "Add manifests")
        let good = try fx.sshKey("id_good")
        let wrong = try fx.sshKey("id_wrong")
        let authorized = fx.root + "/authorized_keys"
        try FileManager.default.copyItem(atPath: good + ".pub", toPath: authorized)
        let server = try SSHServer(root: fx.root, authorizedKeys: authorized, fixture: fx)
        defer { server.stop() }
        let url = "ssh://root@127.0.0.1:\(server.port)\(fx.origin)"

        let credentials = try GitCredentials.load(file: wrong)
        let start = Date()
        let rejected = gitError { try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials) }
        #expect(rejected?.reason == .authentication, "\(String(describing: rejected))")
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(rejected?.message.contains("127.0.0.1") == true, "\(String(describing: rejected))")
        #expect(!FileManager.default.fileExists(atPath: fx.mirrorDir))
        // One connection, a bounded number of key offers, no retry loop.
        let log = server.logText
        let connections = log.components(separatedBy: "Connection from 127.0.0.1").count - 1
        #expect(connections == 1, "\(log)")
        #expect(!log.contains("Accepted publickey"), "\(log)")

        // No credentials at all: also an authentication error.
        let none = gitError { try GitMirror(url: url, directory: fx.mirrorDir) }
        #expect(none?.reason == .authentication, "\(String(describing: none))")

        // A key file that is not a valid key: an error, not a hang, and its content is not quoted.
        let garbage = fx.root + "/garbage_key"
        try "-----BEGIN OPENSSH PRIVATE KEY-----\nR2FyYmFnZVNlY3JldEtleU1hdGVyaWFs\n-----END OPENSSH PRIVATE KEY-----\n"
            .write(toFile: garbage, atomically: true, encoding: .utf8)
        let broken = gitError {
            try GitMirror(url: url, directory: fx.mirrorDir, credentials: GitCredentials.load(file: garbage))
        }
        // (libgit2 reports an unreadable key as a generic SSH failure, so the reason is `.other`.)
        #expect(broken != nil)
        #expect(broken?.message.contains("R2FyYmFnZVNlY3JldEtleU1hdGVyaWFs") == false, "\(String(describing: broken))")

        // The good key still works on the same server afterwards.
        let mirror = try GitMirror(url: url, directory: fx.mirrorDir, credentials: GitCredentials.load(file: good))
        #expect(try mirror.files(at: mirror.head(branch: "main"), under: "deploy").count == 3)

        // Neither private key's content appears in any message or description.
        let messages = [rejected, none, broken].compactMap { $0 }.flatMap { [$0.message, $0.description, "\($0)"] }
            + [credentials.description, String(reflecting: credentials)]
        try expectNoKeyMaterial(of: wrong, in: messages)
        try expectNoKeyMaterial(of: good, in: messages)
    }

    /// Debian's libssh2 1.10 signs with an RSA key only as `ssh-rsa` (SHA-1), which OpenSSH ≥ 8.8
    /// refuses by default: an RSA key is then an authentication error — in one connection, not a
    /// loop — and works only where the server still accepts `ssh-rsa`. Use ed25519 (or ECDSA) keys.
    @Test(.enabled(if: SSHServer.available, "needs root and /usr/sbin/sshd (openssh-server)"))
    func anRSAKeyNeedsAServerThatStillAcceptsSSHRSA() throws {
        let fx = try GitFixture()
        let sha = try fx.commit(GitFixture.manifests, message: "Add manifests")
        let key = try fx.sshKey("id_rsa", type: ["-t", "rsa", "-b", "2048", "-m", "PEM"])
        #expect(try String(contentsOfFile: key, encoding: .utf8).hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))
        let authorized = fx.root + "/authorized_keys"
        try FileManager.default.copyItem(atPath: key + ".pub", toPath: authorized)
        let credentials = try GitCredentials.load(file: key)

        do {
            let server = try SSHServer(root: fx.root, authorizedKeys: authorized, fixture: fx)
            defer { server.stop() }
            let url = "ssh://root@127.0.0.1:\(server.port)\(fx.origin)"
            let refused = gitError { try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials) }
            #expect(refused?.reason == .authentication, "\(String(describing: refused))")
            #expect(server.logText.contains("ssh-rsa not in PubkeyAcceptedAlgorithms"), "\(server.logText)")
            #expect(server.logText.components(separatedBy: "Connection from 127.0.0.1").count - 1 == 1)
            try expectNoKeyMaterial(of: key, in: [refused?.message ?? ""])
        }

        let server = try SSHServer(root: fx.root, authorizedKeys: authorized, fixture: fx,
                                   extraConfig: ["PubkeyAcceptedAlgorithms +ssh-rsa"])
        defer { server.stop() }
        let url = "ssh://root@127.0.0.1:\(server.port)\(fx.origin)"
        let mirror = try GitMirror(url: url, directory: fx.mirrorDir, credentials: credentials)
        #expect(try mirror.head(branch: "main") == sha)
        #expect(try mirror.files(at: sha, under: "deploy").count == 3)
    }
}

extension GitFixture {
    /// A new unencrypted key pair `<root>/<name>` and `<root>/<name>.pub` (ed25519 by default).
    func sshKey(_ name: String, type: [String] = ["-t", "ed25519"]) throws -> String {
        let path = root + "/" + name
        try run(["ssh-keygen", "-q"] + type + ["-N", "", "-C", "bcgit-test-\(name)", "-f", path])
        return path
    }
}

/// Checks that no line of the private key's body (nor its armour) appears in `texts`.
func expectNoKeyMaterial(of keyFile: String, in texts: [String],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let body = try String(contentsOfFile: keyFile, encoding: .utf8)
        .split(separator: "\n").map(String.init)
        .filter { !$0.hasPrefix("-----") && $0.count >= 16 }
    #expect(!body.isEmpty, sourceLocation: sourceLocation)
    for text in texts {
        #expect(!text.contains("PRIVATE KEY"), "\(text)", sourceLocation: sourceLocation)
        for line in body {
            #expect(!text.contains(line), "key material in: \(text)", sourceLocation: sourceLocation)
        }
    }
}
