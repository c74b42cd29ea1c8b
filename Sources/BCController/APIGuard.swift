import BCAPI
import Foundation

/// Who may do what on the controller's listener (docs/ARCHITECTURE.md, "Security model").
///
/// * `/api/suspend`, `/api/resume`, `/api/reconcile` change what the controller applies: they
///   need `Authorization: Bearer TOKEN`, and refuse what a web page can send (a foreign
///   `Origin`, `Sec-Fetch-Site: cross-site` or `same-site`, a form content type).
/// * `/api/status` and `/metrics` are open on a loopback listener, to clients that name it by a
///   loopback address (a page rebinding its own name to 127.0.0.1 is not one); on a listener
///   that is not loopback (`--allow-remote`) they need the token too.
/// * `/healthz`, `/readyz` are open (probes); `/hooks/*` prove themselves with the webhook secret.
public struct APIGuard: Sendable {
    public enum Access: Sendable { case read, change }

    /// Why a request is refused: the status and a sentence for the JSON error.
    public struct Refusal: Sendable, Equatable {
        public var status: Int
        public var reason: String
    }

    /// What the guard needs of a request; header names in lower case.
    public struct Request: Sendable {
        public var headers: [String: String]
        /// The `Host` header (HTTP/1) or `:authority` (HTTP/2), if any.
        public var authority: String?
        public var bodyIsEmpty: Bool

        public init(headers: [String: String], authority: String?, bodyIsEmpty: Bool) {
            self.headers = headers
            self.authority = authority
            self.bodyIsEmpty = bodyIsEmpty
        }
    }

    /// The content types an HTML form (or a "simple" cross-origin fetch) can send.
    static let formTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]

    private let key: [UInt8]
    private let tokenMAC: [UInt8]
    /// The listener is not on loopback: reads need the token too.
    public let remote: Bool
    /// The names a loopback listener answers to without a token (no DNS rebinding).
    let names: ListenerNames

    /// - Parameters:
    ///   - listenHost: the `--listen` host.
    ///   - remote: whether it is not loopback.
    public init(token: String, listenHost: String, remote: Bool) {
        var rng = SystemRandomNumberGenerator()
        key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        tokenMAC = HMACDigest.sha256.mac(key: key, message: Array(token.utf8))
        self.remote = remote
        names = ListenerNames(listenHost: listenHost, remote: remote)
    }

    /// Checks a request to an `/api/` endpoint; nil when it may proceed.
    public func check(_ access: Access, _ request: Request) -> Refusal? {
        let auth = request.headers["authorization"]
        switch access {
        case .read:
            if let auth, tokenMatches(auth) { return nil }
            if remote {
                return Refusal(status: 401, reason: auth == nil ? "this listener is not on loopback: reading needs Authorization: Bearer <the controller's API token>"
                                                                : "the bearer token does not match the controller's API token")
            }
            // Loopback: open to loopback names, whatever token came along.
            if let host = request.authority, !answersTo(host) {
                return Refusal(status: 403, reason: "Host \(host) is not an address of this controller (reads without a token are served to loopback names only)")
            }
            return nil
        case .change:
            if let refusal = browserRefusal(request) { return refusal }
            guard let auth else {
                return Refusal(status: 401, reason: "missing Authorization: Bearer <the controller's API token> (DATA/controller/api-token, or the controller's --api-token-file)")
            }
            return tokenMatches(auth) ? nil : Refusal(status: 401, reason: "the bearer token does not match the controller's API token")
        }
    }

    /// What a web page can make a browser send, refused before the token is looked at.
    func browserRefusal(_ request: Request) -> Refusal? {
        if let site = request.headers["sec-fetch-site"]?.lowercased(), site != "same-origin", site != "none" {
            return Refusal(status: 403, reason: "Sec-Fetch-Site: \(site): the controller's API does not answer requests from other sites")
        }
        if let origin = request.headers["origin"], !isOwnOrigin(origin, authority: request.authority) {
            return Refusal(status: 403, reason: "Origin \(origin) is not this controller's: the API does not answer requests from other origins")
        }
        let type = request.headers["content-type"].map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased() }
        switch type {
        case "application/json":
            return nil
        case nil where request.bodyIsEmpty:
            return nil
        case let type? where request.bodyIsEmpty && !APIGuard.formTypes.contains(type):
            return nil
        default:
            return Refusal(status: 403, reason: "Content-Type \(type ?? "(none)") with a body: send an empty body, or Content-Type: application/json (form posts are refused)")
        }
    }

    /// `Origin` names this controller: its scheme and authority are the request's own `Host`,
    /// and that host is one this listener answers to.
    func isOwnOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority else { return false }
        let o = origin.lowercased(), a = authority.lowercased()
        return (o == "http://" + a || o == "https://" + a) && answersTo(authority)
    }

    /// Whether `authority` (`host[:port]`) names this listener.
    func answersTo(_ authority: String) -> Bool { names.answersTo(authority) }

    /// Compared as MACs under a key of this process: constant time, whatever the lengths.
    func tokenMatches(_ authorization: String) -> Bool {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let given = HMACDigest.sha256.mac(key: key, message: Array(parts[1].trimmingCharacters(in: .whitespaces).utf8))
        return HMACDigest.constantTimeEqual(given, tokenMAC)
    }
}
