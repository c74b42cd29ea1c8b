import CGit2

/// What libgit2's network callbacks need during one fetch. libgit2 calls back on the fetching
/// thread, so this is confined to its mirror like the repository handle; it reaches the C
/// callbacks as an unretained `Unmanaged` payload, kept alive by the mirror that owns it.
final class FetchCallbackState {
    /// libgit2 asks again after every rejected credential; without a limit a wrong password
    /// would loop. Three calls cover ssh's "username first, then key" sequence plus one retry.
    static let maxCredentialRequests = 3

    let credentials: GitCredentials?
    private(set) var credentialRequests = 0
    /// Set when the credentials callback stopped offering credentials, so the fetch error is
    /// `.authentication` whatever text libgit2 wraps around it.
    private(set) var gaveUp = false

    init(credentials: GitCredentials?) {
        self.credentials = credentials
    }

    func reset() {
        credentialRequests = 0
        gaveUp = false
    }

    /// Fills the callbacks of a fetch. `self` must outlive the libgit2 call using `callbacks`.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowedTypes, payload in
            guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
            let state = Unmanaged<FetchCallbackState>.fromOpaque(payload).takeUnretainedValue()
            let user = usernameFromURL.map { String(cString: $0) }
            return state.acquire(out, usernameFromURL: user, allowed: allowedTypes)
        }
        // KNOWN GAP: ssh host keys are accepted without checking known_hosts, so the first
        // connection to an ssh remote trusts whatever key it is shown (no protection against a
        // man in the middle). TLS certificates keep libgit2's normal validation (PASSTHROUGH).
        callbacks.certificate_check = { cert, _, _, _ in
            guard let cert else { return GIT_PASSTHROUGH.rawValue }
            return cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 ? 0 : GIT_PASSTHROUGH.rawValue
        }
    }

    /// Answers one credentials request: returns 0 with `out` set, `GIT_PASSTHROUGH` when there
    /// is nothing to offer (libgit2 then fails with "authentication required"), or `GIT_EAUTH`
    /// once the limit is reached.
    private func acquire(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>,
                         usernameFromURL: String?, allowed: UInt32) -> Int32 {
        guard let credentials else { return GIT_PASSTHROUGH.rawValue }
        credentialRequests += 1
        if credentialRequests > Self.maxCredentialRequests {
            gaveUp = true
            _ = git_error_set_str(Int32(GIT_ERROR_NET.rawValue), "authentication failed: the remote rejected the credentials")
            return GIT_EAUTH.rawValue
        }
        func allows(_ t: git_credential_t) -> Bool { allowed & t.rawValue != 0 }
        switch credentials.kind {
        case .userPassword(let user, let password):
            if allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
                return git_credential_userpass_plaintext_new(out, user, password)
            }
            if allows(GIT_CREDENTIAL_USERNAME) {
                return git_credential_username_new(out, usernameFromURL ?? user)
            }
        case .sshKey(let privateKey, let publicKey, let passphrase):
            let user = usernameFromURL ?? "git"
            if allows(GIT_CREDENTIAL_SSH_KEY) {
                return git_credential_ssh_key_new(out, user, publicKey, privateKey, passphrase)
            }
            if allows(GIT_CREDENTIAL_USERNAME) {
                return git_credential_username_new(out, user)
            }
        }
        return GIT_PASSTHROUGH.rawValue
    }
}
