import Foundation
import Testing
@testable import BCGit

extension GitMirrorTests {
    @Test func credentialsFileWithUserAndPassword() throws {
        let fx = try GitFixture()
        let file = fx.root + "/creds"
        try "# deploy token\nusername=bob\npassword = ghp_s3cretToken=with=equals \n\n".write(toFile: file, atomically: true, encoding: .utf8)
        let creds = try GitCredentials.load(file: file)
        guard case .userPassword(let user, let password) = creds.kind else {
            Issue.record("expected userPassword, got \(creds)")
            return
        }
        #expect(user == "bob")
        #expect(password == "ghp_s3cretToken=with=equals")
        // Never in descriptions or reflection.
        var dumped = ""
        dump(creds, to: &dumped)
        for text in [creds.description, String(describing: creds), String(reflecting: creds), "\(creds.kind)", dumped] {
            #expect(!text.contains("s3cret"), "\(text)")
            #expect(!text.contains("bob"), "\(text)")
        }
    }

    @Test func credentialsFileWithAnSSHKey() throws {
        let fx = try GitFixture()
        let key = fx.root + "/id_ed25519"
        try "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
            .write(toFile: key, atomically: true, encoding: .utf8)
        guard case .sshKey(let privateKey, let publicKey, let passphrase) = try GitCredentials.load(file: key).kind else {
            Issue.record("expected an ssh key")
            return
        }
        #expect(privateKey == key)
        #expect(publicKey == nil)
        #expect(passphrase == nil)

        try "ssh-ed25519 AAAA test\n".write(toFile: key + ".pub", atomically: true, encoding: .utf8)
        guard case .sshKey(_, let withPublic, _) = try GitCredentials.load(file: key).kind else {
            Issue.record("expected an ssh key")
            return
        }
        #expect(withPublic == key + ".pub")
    }

    @Test func malformedCredentialsFilesNameTheFileNotTheContent() throws {
        let fx = try GitFixture()
        let file = fx.root + "/creds"
        for content in ["ghp_justTheTokenSECRET\n", "username=bob\ntoken=ghp_SECRETvalue\n",
                        "username=bob\n", "password=ghp_onlySECRET\n", ""] {
            try content.write(toFile: file, atomically: true, encoding: .utf8)
            let error = gitError { try GitCredentials.load(file: file) }
            #expect(error != nil, "accepted \(content.debugDescription)")
            #expect(error?.message.contains(file) == true)
            #expect(error?.message.contains("SECRET") == false, "\(error?.message ?? "")")
        }
        let missing = gitError { try GitCredentials.load(file: fx.root + "/none") }
        #expect(missing?.reason == .notFound)
        #expect(missing?.message.contains(fx.root + "/none") == true)
    }

    @Test func urlsAreRedactedAndNormalized() {
        #expect(GitURL.redacted("https://bob:tok@example.com/x.git") == "https://bob@example.com/x.git")
        #expect(GitURL.redacted("https://example.com/a@b") == "https://example.com/a@b")
        #expect(GitURL.redacted("git@github.com:org/repo.git") == "git@github.com:org/repo.git")
        #expect(GitURL.isSCPLike("git@github.com:org/repo.git"))
        #expect(!GitURL.isSCPLike("/srv/repo.git"))
        #expect(!GitURL.isSCPLike("ssh://git@host/repo.git"))
        #expect(GitURL.normalized("/srv/repo.git") == "/srv/repo.git")
        #expect(GitURL.normalized("repo.git").hasPrefix("/"))
    }
}
