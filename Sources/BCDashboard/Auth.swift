import BCAPI
import Foundation

/// The login and CSRF tokens that guard the dashboard's two actions (stop a job, retry its failed
/// nodes). Reads stay open. The login is the engine's own access key id and secret, posted once to
/// `/ui/login` and compared in constant time; it opens a session held in memory (12 hours).
/// Each form carries a CSRF token, the HMAC-SHA256 of the session id under a key made at start.
public final class DashboardAuth: @unchecked Sendable {
    let accessKeyId: String
    let accessKeySecret: String
    let key: [UInt8]
    private let lock = NSLock()
    private var sessions: [String: Date] = [:]
    static let lifetime: TimeInterval = 12 * 3600
    public static let cookieName = "bcops_session"

    /// What the login form asks for: the engine's access key (the engine's dashboard), or the
    /// controller's API token (the controller's dashboard; see `init(apiToken:)`).
    public enum Credential: Sendable { case accessKey, apiToken }
    public let credential: Credential

    public init(accessKeyId: String, accessKeySecret: String) {
        self.accessKeyId = accessKeyId
        self.accessKeySecret = accessKeySecret
        self.key = Self.randomBytes(32)
        self.credential = .accessKey
    }

    /// The controller's dashboard: the login is the controller's API token, the credential that
    /// already governs what changes the controller (suspend, resume, reconcile). Its operators
    /// hold it; the engine's key may belong to another team's engine (`--endpoint`) and opens
    /// far more (every job, cluster and OSS object), so it is not asked for in a browser form.
    public init(apiToken: String) {
        self.accessKeyId = ""
        self.accessKeySecret = apiToken
        self.key = Self.randomBytes(32)
        self.credential = .apiToken
    }

    static func randomBytes(_ n: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<n).map { _ in UInt8.random(in: .min ... .max, using: &g) }
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Equal in time independent of where the two differ (both are MACed first, so lengths match).
    func same(_ a: String, _ b: String) -> Bool {
        HMACDigest.constantTimeEqual(HMACDigest.sha256.mac(key: key, message: Array(a.utf8)),
                                     HMACDigest.sha256.mac(key: key, message: Array(b.utf8)))
    }

    /// A new session id when the key id and secret are the engine's, else nil.
    func login(id: String, secret: String) -> String? {
        let idOK = same(id, accessKeyId), secretOK = same(secret, accessKeySecret)
        guard idOK && secretOK else { return nil }
        let session = Self.hex(Self.randomBytes(32))
        lock.withLock {
            let now = Date()
            sessions = sessions.filter { $0.value > now }
            sessions[session] = now.addingTimeInterval(Self.lifetime)
        }
        return session
    }

    func isSession(_ session: String?) -> Bool {
        guard let session, !session.isEmpty else { return false }
        return lock.withLock { (sessions[session] ?? .distantPast) > Date() }
    }

    func logout(_ session: String) { _ = lock.withLock { sessions.removeValue(forKey: session) } }

    /// The CSRF token bound to a session.
    func csrfToken(_ session: String) -> String {
        Self.hex(HMACDigest.sha256.mac(key: key, message: Array("csrf:\(session)".utf8)))
    }

    func checkCSRF(session: String, token: String?) -> Bool {
        guard let token else { return false }
        return HMACDigest.constantTimeEqual(Array(csrfToken(session).utf8), Array(token.utf8))
    }
}
