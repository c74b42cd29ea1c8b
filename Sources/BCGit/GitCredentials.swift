import Foundation

/// How the mirror authenticates to its remote. Secrets never appear in `description`,
/// `debugDescription` or `dump`/reflection output, and errors about a credentials file name the
/// file, never its content.
public struct GitCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public enum Kind: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// HTTP(S) basic auth (or ssh password auth). For a token, put the token in `password`.
        case userPassword(user: String, password: String)
        /// Paths of an SSH key pair (the key material stays in its files; libgit2 reads it through
        /// `git_credential_ssh_key_new`). `publicKey` may be nil: libssh2 derives it from the
        /// private key. `passphrase` unlocks an encrypted private key.
        case sshKey(privateKey: String, publicKey: String?, passphrase: String?)

        public var description: String {
            switch self {
            case .userPassword: "userPassword(<redacted>)"
            case .sshKey(let privateKey, _, _): "sshKey(\(privateKey))"
            }
        }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: [:]) }
    }

    public var kind: Kind

    public init(_ kind: Kind) {
        self.kind = kind
    }

    public var description: String { "GitCredentials(\(kind))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// Reads a credentials file, which is one of:
    /// * an SSH private key (its content starts with `-----BEGIN`); `<file>.pub` is used as the
    ///   public key when it exists;
    /// * lines `username=…` and `password=…` (a token goes in `password`). Blank lines and lines
    ///   starting with `#` are ignored; each value is taken verbatim after the first `=`, minus
    ///   surrounding whitespace.
    ///
    /// Errors name the file and at most a line number — never a line's content, which may be a
    /// secret written in the wrong place.
    public static func load(file: String) throws(GitError) -> GitCredentials {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            let exists = FileManager.default.fileExists(atPath: file)
            throw GitError(exists ? .other : .notFound,
                           "credentials file '\(file)' \(exists ? "cannot be read" : "does not exist")")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GitError(.other, "credentials file '\(file)' is not UTF-8 text")
        }
        if text.drop(while: { $0.isWhitespace }).hasPrefix("-----BEGIN") {
            let pub = file + ".pub"
            return GitCredentials(.sshKey(privateKey: file,
                                          publicKey: FileManager.default.fileExists(atPath: pub) ? pub : nil,
                                          passphrase: nil))
        }

        var user: String?
        var password: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let where_ = "credentials file '\(file)' line \(index + 1)"
            guard let eq = line.firstIndex(of: "=") else {
                throw GitError(.other, "\(where_): expected username=… or password=…")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "username":
                guard user == nil else { throw GitError(.other, "\(where_): username given twice") }
                user = value
            case "password":
                guard password == nil else { throw GitError(.other, "\(where_): password given twice") }
                password = value
            default:
                throw GitError(.other, "\(where_): expected username=… or password=…")
            }
        }
        guard let user, !user.isEmpty else {
            throw GitError(.other, "credentials file '\(file)' has no username= line (nor an SSH private key)")
        }
        guard let password, !password.isEmpty else {
            throw GitError(.other, "credentials file '\(file)' has no password= line")
        }
        return GitCredentials(.userPassword(user: user, password: password))
    }
}
