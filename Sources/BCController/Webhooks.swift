import BCAPI
import BCClient
import BCModel

/// Which sender a webhook claims to come from; each proves itself differently.
public enum WebhookProvider: String, Sendable, CaseIterable {
    case github, gitlab, generic
}

/// What to do with a webhook request.
public enum WebhookVerdict: Sendable, Equatable {
    /// Genuine, and about the tracked branch (or unspecific): fetch now.
    case accepted(delivery: String?)
    /// Genuine, but nothing to do (a ping, another branch, another event): 200, no fetch.
    case ignored(String)
    /// Forged, unsigned or malformed: the status to answer, nothing triggered.
    case rejected(status: Int, reason: String)
}

/// Checks webhook requests. GitHub: `X-Hub-Signature-256` (HMAC-SHA256 of the raw body, hex,
/// compared in constant time; SHA-1 signatures are not accepted). GitLab: `X-Gitlab-Token`,
/// compared in constant time. Generic: `Authorization: Bearer <secret>`. A webhook is only a
/// hint to fetch early: polling stays the source of truth, so a refused hook loses nothing.
public struct WebhookVerifier: Sendable {
    public static let maxBodyBytes = 1 << 20
    /// How deep a push payload's arrays and objects may nest.
    public static let maxDepth = 64

    let secret: [UInt8]
    let branch: String

    public init(secret: [UInt8], branch: String) {
        self.secret = secret
        self.branch = branch
    }

    /// - Parameter headers: header names in lower case.
    public func verify(_ provider: WebhookProvider, headers: [String: String], body: [UInt8]) -> WebhookVerdict {
        if body.count > WebhookVerifier.maxBodyBytes { return .rejected(status: 413, reason: "body larger than 1 MiB") }
        guard !secret.isEmpty else { return .rejected(status: 401, reason: "no webhook secret is configured (--webhook-secret-file)") }
        switch provider {
        case .github:
            guard let signature = headers["x-hub-signature-256"] else {
                return .rejected(status: 401, reason: "missing X-Hub-Signature-256")
            }
            guard signature.hasPrefix("sha256="), let given = WebhookVerifier.hexBytes(signature.dropFirst(7)),
                  HMACDigest.constantTimeEqual(given, HMACDigest.sha256.mac(key: secret, message: body)) else {
                return .rejected(status: 401, reason: "X-Hub-Signature-256 does not match the body")
            }
            let event = headers["x-github-event"] ?? ""
            if event == "ping" { return .ignored("ping") }
            guard event == "push" else { return .ignored("event \(event) is not a push") }
            return pushVerdict(body, delivery: headers["x-github-delivery"])
        case .gitlab:
            guard let token = headers["x-gitlab-token"] else { return .rejected(status: 401, reason: "missing X-Gitlab-Token") }
            guard HMACDigest.constantTimeEqual(Array(token.utf8), secret) else {
                return .rejected(status: 401, reason: "X-Gitlab-Token does not match")
            }
            let event = headers["x-gitlab-event"] ?? ""
            guard event == "Push Hook" || event == "System Hook" else { return .ignored("event \(event) is not a push") }
            return pushVerdict(body, delivery: headers["x-gitlab-event-uuid"] ?? headers["x-gitlab-webhook-uuid"])
        case .generic:
            guard let auth = headers["authorization"], auth.hasPrefix("Bearer ") else {
                return .rejected(status: 401, reason: "missing Authorization: Bearer")
            }
            guard HMACDigest.constantTimeEqual(Array(auth.dropFirst(7).utf8), secret) else {
                return .rejected(status: 401, reason: "bearer token does not match")
            }
            return .accepted(delivery: headers["x-request-id"])
        }
    }

    /// GitHub and GitLab push payloads both name the pushed branch in `ref`.
    func pushVerdict(_ body: [UInt8], delivery: String?) -> WebhookVerdict {
        // The JSON parser recurses: a signed body of 20,000 nested arrays would overflow the stack.
        if WebhookVerifier.nestsDeeper(body, than: WebhookVerifier.maxDepth) {
            return .rejected(status: 400, reason: "the JSON body nests deeper than \(WebhookVerifier.maxDepth) levels")
        }
        guard let payload = try? JSONValue.parse(body), let ref = payload["ref"]?.stringValue else {
            return .rejected(status: 400, reason: "the push payload has no ref")
        }
        guard ref == "refs/heads/\(branch)" else { return .ignored("push to \(ref), not refs/heads/\(branch)") }
        return .accepted(delivery: delivery)
    }

    /// Whether arrays and objects in `json` nest deeper than `limit`, counted without
    /// recursion (brackets inside strings do not count). Push payloads nest about 5 deep.
    static func nestsDeeper(_ json: [UInt8], than limit: Int) -> Bool {
        var depth = 0, inString = false, escaped = false
        for c in json {
            if inString {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return false
    }

    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < digits.count {
            guard let hi = value(digits[i]), let lo = value(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}

/// Remembers recent delivery IDs so a redelivered webhook triggers nothing new.
public struct DeliveryLog: Sendable {
    let capacity: Int
    private var order: [String] = []
    private var seen: Set<String> = []

    public init(capacity: Int = 1000) { self.capacity = capacity }

    /// True the first time an ID is seen.
    public mutating func firstTime(_ id: String) -> Bool {
        guard seen.insert(id).inserted else { return false }
        order.append(id)
        if order.count > capacity { seen.remove(order.removeFirst()) }
        return true
    }
}
