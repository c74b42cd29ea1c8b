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

    /// A request signed the way the SDK signs it.
    func request(_ method: String, _ target: String, body: Data? = nil, sign: Bool = true, secret: String? = nil,
                 dropDate: Bool = false) async throws -> HTTPResult {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(target)")!)
        r.httpMethod = method
        var headers: [ACSSignature.Header] = [
            .init("Accept", "application/json"), .init("Content-Type", "application/json"),
            .init("x-acs-region-id", "local"), .init("x-acs-access-key-id", credentials.accessKeyId),
            .init("x-acs-signature-method", "HMAC-SHA1"), .init("x-acs-signature-version", "1.0"),
            .init("x-acs-version", "2015-11-11"), .init("x-acs-signature-nonce", UUID().uuidString),
        ]
        if !dropDate { headers.append(.init("Date", WireTime.httpDate(Date()))) }
        if sign {
            headers.append(.init("Authorization", ACSSignature.authorization(
                accessKeyId: credentials.accessKeyId, secret: secret ?? credentials.accessKeySecret,
                method: method, target: target, headers: headers)))
        }
        for h in headers { r.setValue(h.value, forHTTPHeaderField: h.name) }
        r.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as! HTTPURLResponse
        var out: [String: String] = [:]
        for (k, v) in http.allHeaderFields { out[String(describing: k).lowercased()] = String(describing: v) }
        return HTTPResult(status: http.statusCode, headers: out, body: data)
    }
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
