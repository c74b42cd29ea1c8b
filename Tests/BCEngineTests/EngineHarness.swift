import BCAPI
import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension EngineProcess {
    struct HTTPResult { var status: Int; var headers: [String: String]; var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// A request signed the way the SDK signs it. `date` replaces the Date header's value (else
    /// now), `nonce` the fresh UUID (`""`: no nonce header at all), and `headers` are added
    /// before signing (`x-acs-*` and `Content-MD5` are then signed, `contentMd5` is not, as with the SDK).
    func request(_ method: String, _ target: String, body: Data? = nil, sign: Bool = true, accessKeyId: String? = nil, secret: String? = nil,
                 dropDate: Bool = false, date: String? = nil, nonce: String? = nil,
                 headers extra: [(String, String)] = []) async throws -> HTTPResult {
        try await send(signedRequest(method, target, body: body, sign: sign, accessKeyId: accessKeyId, secret: secret, dropDate: dropDate, date: date,
                                     nonce: nonce, headers: extra))
    }

    /// The signed request `request(…)` sends, to send as is (`send`) once or again, or altered.
    func signedRequest(_ method: String, _ target: String, body: Data? = nil, sign: Bool = true, accessKeyId: String? = nil, secret: String? = nil,
                       dropDate: Bool = false, date: String? = nil, nonce: String? = nil,
                       headers extra: [(String, String)] = []) -> URLRequest {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(target)")!)
        r.httpMethod = method
        var headers: [ACSSignature.Header] = [
            .init("Accept", "application/json"), .init("Content-Type", "application/json"),
            .init("x-acs-region-id", "local"), .init("x-acs-access-key-id", accessKeyId ?? credentials.accessKeyId),
            .init("x-acs-signature-method", "HMAC-SHA1"), .init("x-acs-signature-version", "1.0"),
            .init("x-acs-version", "2015-11-11"),
        ]
        if nonce != "" { headers.append(.init("x-acs-signature-nonce", nonce ?? UUID().uuidString)) }
        if !dropDate { headers.append(.init("Date", date ?? WireTime.httpDate(Date()))) }
        headers += extra.map { ACSSignature.Header($0.0, $0.1) }
        if sign {
            headers.append(.init("Authorization", ACSSignature.authorization(
                accessKeyId: accessKeyId ?? credentials.accessKeyId, secret: secret ?? credentials.accessKeySecret,
                method: method, target: target, headers: headers)))
        }
        for h in headers { r.setValue(h.value, forHTTPHeaderField: h.name) }
        r.httpBody = body
        return r
    }

    /// Sends a request as it is, bypassing any cache, so that sending it twice reaches the engine twice.
    func send(_ r: URLRequest) async throws -> HTTPResult {
        var r = r
        r.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        let (data, response) = try await EngineProcess.session.data(for: r)
        let http = response as! HTTPURLResponse
        var out: [String: String] = [:]
        for (k, v) in http.allHeaderFields { out[String(describing: k).lowercased()] = String(describing: v) }
        return HTTPResult(status: http.statusCode, headers: out, body: data)
    }

    /// No cache: a replayed GET must reach the engine, not come back from memory.
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        return URLSession(configuration: configuration)
    }()
}

/// The Python environment with the official SDK and CLI (created by scripts/test.sh).
enum SDKPython {
    static var path: String {
        if let p = ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"], !p.isEmpty { return p }
        return EngineProcess.root.appendingPathComponent(".build-venv/bin/python").path
    }

    static func run(_ script: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let r = try ProcessRunner.run(path, [EngineProcess.root.appendingPathComponent("Tests/BCEngineTests/sdk/\(script)").path] + args)
        return (r.status, r.combined)
    }
}
