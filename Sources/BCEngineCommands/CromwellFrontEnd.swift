import BCAPI
import BCClient
import BCCommands
import BCCromwell
import Foundation
import Logging

/// `--cromwell-listen`: Cromwell's REST API on a listener of its own, a client of the engine
/// signed with the engine's key, as the dashboard is. Its own port because Cromwell's clients
/// send no acs signature: the engine's listener stays signed-only, and this one is open on
/// loopback (as Cromwell is) and needs a bearer token anywhere else.
struct CromwellOptions {
    var host: String
    var port: Int
    var settings: CromwellSettings

    /// Checks the flags before the engine starts: an address off loopback needs a token.
    static func parse(listen: String?, tokenFile: String?, root: String, maxConcurrent: Int) throws -> CromwellOptions? {
        guard let listen else {
            if tokenFile != nil { throw CromwellOptionError(message: "--cromwell-token-file needs --cromwell-listen") }
            return nil
        }
        guard let c = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: c)...]), (0...65535).contains(port) else {
            throw CromwellOptionError(message: "--cromwell-listen must be HOST:PORT, got \(listen)")
        }
        let host = String(listen[..<c])
        var token: String?
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CromwellOptionError(message: "cannot read --cromwell-token-file \(tokenFile)")
            }
            let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard t.count >= 16 else { throw CromwellOptionError(message: "the token in \(tokenFile) is shorter than 16 characters") }
            token = t
        }
        if !ListenAddress.isLoopback(host) && token == nil {
            throw CromwellOptionError(message: "refusing to serve the Cromwell API on \(host) without a token: Cromwell's API has no login, "
                                      + "so off loopback give --cromwell-token-file FILE and clients send Authorization: Bearer <token>")
        }
        guard root.hasPrefix("oss://"), root.count > 6 else { throw CromwellOptionError(message: "--cromwell-root must be an oss:// prefix, got \(root)") }
        guard maxConcurrent >= 1 else { throw CromwellOptionError(message: "--cromwell-max-concurrent-workflows must be at least 1") }
        return CromwellOptions(host: host, port: port, settings: CromwellSettings(root: root, maxConcurrentWorkflows: maxConcurrent, token: token))
    }
}

struct CromwellOptionError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The Cromwell API's listener, served in the engine's process by a `FrontEndTask`.
enum CromwellFrontEnd {
    static func serve(client: BatchComputeClient, options: CromwellOptions, logger: Logger) async throws {
        let settings = options.settings
        try await CromwellServer.run(client: client, settings: settings, host: options.host, port: options.port, logger: logger) { bound in
            print("bcops cromwell API listening on http://\(options.host):\(bound)/api/workflows/v1 (max \(settings.maxConcurrentWorkflows) concurrent workflows, root \(settings.root)\(settings.token == nil ? "" : ", bearer token required"))")
            fflush(nil)
        }
    }
}
