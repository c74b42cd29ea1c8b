import BCAPI
import Foundation
import Hummingbird
import HummingbirdCore
import Logging

/// The BatchCompute REST API over the engine, on Hummingbird.
public enum APIServer {
    /// Largest request body accepted; descriptions are kilobytes.
    public static let maxBodyBytes = 1 << 20

    public static func router(for engine: Engine, limits: EngineLimits = EngineLimits()) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: OSSMiddleware(engine: engine))
        router.add(middleware: BatchComputeErrorMiddleware())
        router.add(middleware: ACSAuthMiddleware(engine: engine))
        JobsAPI(engine: engine, limits: limits).register(on: router)
        ClustersAPI(engine: engine).register(on: router)
        ImagesAPI(engine: engine).register(on: router)
        AppsAPI(engine: engine).register(on: router)
        ResourcesAPI(engine: engine).register(on: router)
        ExtensionsAPI(engine: engine).register(on: router)
        return router
    }

    /// Runs the server until SIGTERM or SIGINT (or, with `handleSignals: false`, until the
    /// task is cancelled: a process hosting the controller too decides itself when to stop).
    public static func run(engine: Engine, host: String, port: Int, logger: Logger, handleSignals: Bool = true,
                           drain: Duration = .zero, limits: EngineLimits = EngineLimits(), executor: ExecutorChoice = .local,
                           sgeClusters: Bool = false,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // SGE clusters on the real Grid Engine (`--sge-clusters`); otherwise their nodes are slots.
        // Their tasks then run in their own queues, through an executor of their own.
        let sge = sgeClusters ? SGEClusters(engine: engine, log: { [logger] in logger.info("\($0)") }) : nil
        let scheduler = Scheduler(engine: engine, logger: logger, stopGrace: limits.stopGrace, executor: executor, sgeClusters: sge,
                                  loadInterval: limits.loadInterval)
        sge?.start()
        defer { sge?.stop() }
        let app = Application(
            router: router(for: engine, limits: limits),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "bcops-engine",
                                 availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                await scheduler.serving(at: host, port: bound)
                await onRunning(bound)
            },
            logger: logger)
        let scheduling = Task { await scheduler.run() }
        defer { scheduling.cancel() }
        try await app.runService(gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [])
        // Stopped (SIGTERM): nothing new starts; running instances get `drain` to end, then are
        // handed over to the next engine, which adopts them.
        let summary = await scheduler.shutdown(drain: drain)
        logger.info("engine stopped: \(summary)")
    }

    // MARK: Helpers shared by the handlers

    static func body(_ request: Request) async throws -> JSONBody {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw APIError(413, "InvalidHttpBody", "The request body is larger than \(maxBodyBytes) bytes.")
        }
        return try JSONBody.parse(Data(buffer.readableBytesView))
    }

    /// Query parameters as the SDK sends them, bare keys (`?description`) included.
    static func query(_ request: Request) -> [String: String] {
        Dictionary(queryPairs(request.uri.query), uniquingKeysWith: { _, last in last })
    }

    /// Decoded `key=value` pairs in order; `plusIsSpace` for form-style encoders (OSS clients).
    static func queryPairs(_ raw: String?, plusIsSpace: Bool = false) -> [(String, String)] {
        (raw ?? "").split(separator: "&").map { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            guard kv.count == 2 else { return (key, "") }
            let text = plusIsSpace ? kv[1].replacingOccurrences(of: "+", with: " ") : String(kv[1])
            return (key, text.removingPercentEncoding ?? text)
        }
    }

    /// `Marker` and `MaxItemCount` (default 50, at most 1000).
    static func page(_ q: [String: String]) throws -> (marker: String?, limit: Int) {
        var limit = 50
        if let m = q[QueryName.maxItemCount], !m.isEmpty {
            guard let n = Int(m), n > 0 else { throw APIError.invalid(QueryName.maxItemCount, "expected a positive integer") }
            limit = min(n, 1000)
        }
        return (q[QueryName.marker], limit)
    }

    /// bcops' list-by-label extension: `Label=key=value`, comma-separated for several.
    static func labels(_ q: [String: String]) throws -> [String: String] {
        guard let text = q[QueryName.label], !text.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for pair in text.split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, !kv[0].isEmpty else { throw APIError.invalid(QueryName.label, "expected key=value[,key=value]") }
            out[String(kv[0])] = String(kv[1])
        }
        return out
    }
}

/// The server's edge: every error leaves as BatchCompute's `{"Code","Message","RequestId"}`
/// with `x-acs-request-id`. The one place errors become answers: the store's domain errors
/// (`StoreError`) and Hummingbird's are mapped to `APIError` here, nowhere else.
struct BatchComputeErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestId = UUID().uuidString
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            var answer = Self.apiError(error, request: request)
            answer.requestId = requestId
            // An error answer that cannot be encoded has no better answer left: a bare status.
            response = (try? Answer(answer, status: HTTPResponse.Status(code: answer.status)).response())
                ?? Response(status: HTTPResponse.Status(code: answer.status))
        }
        response.headers[.init("x-acs-request-id")!] = requestId
        return response
    }

    static func apiError(_ error: Error, request: Request) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as StoreError: return e.apiError
        case let e as HTTPError where e.status == .notFound:
            return APIError(404, "InvalidUrlPattern", "Specified url pattern is not supported: \(request.method) \(request.uri.path).")
        case let e as HTTPError: return APIError(Int(e.status.code), "InvalidHttpBody", e.body ?? "\(e.status)")
        default: return .internalError
        }
    }
}

/// Checks the `acs` HMAC-SHA1 signature on every request against the raw request target, then
/// that the request is fresh and used once: its `Date` within 15 minutes of the engine's clock
/// (else `403 RequestTimeTooSkewed`), its `x-acs-signature-nonce` not seen within that window
/// (else `403 SignatureNonceUsed`), and its body matching `Content-MD5` (signed; bcops' client)
/// and `contentMd5` (hex, not signed; the SDK) when sent (else `400 InvalidDigest`). The nonce is
/// taken last, so a refused request does not use it up. GETs carry no body and are not hashed.
struct ACSAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Whose keys sign requests: the engine's own, and job keys (`JobCredentials`).
    let engine: Engine
    /// The nonces seen within the window, shared by every request this router serves.
    var nonces = NonceWindow()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization] else {
            throw APIError(403, "Forbidden", "The request is not signed: Authorization is missing.")
        }
        guard let dateHeader = request.headers[.date] else { throw APIError.missing("Date") }
        guard let (keyId, _) = ACSSignature.parseAuthorization(authorization) else {
            throw APIError(403, "Forbidden", "Authorization must be \"acs <AccessKeyId>:<Signature>\".")
        }
        guard let secret = JobCredentials.secret(for: keyId, engine: engine) else {
            throw APIError(403, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        }
        let headers = request.headers.map { ACSSignature.Header($0.name.rawName, $0.value) }
        let target = request.head.path ?? request.uri.string
        guard ACSSignature.verify(authorization: authorization, secret: secret,
                                  method: request.method.rawValue, target: target, headers: headers) else {
            throw APIError(403, "SignatureDoesNotMatch", "The request signature does not match the one the engine computed.")
        }
        if keyId != engine.credentials.accessKeyId, !JobCredentials.permits(method: request.method.rawValue, path: request.uri.path) {
            throw APIError(403, "Forbidden", "A job's access key may read, and submit, stop and delete jobs; \(request.method) \(request.uri.path) needs the engine's key.")
        }
        let now = Date()
        let verdict = RequestTime.check(dateHeader, now: now)
        guard case .fresh(let date, let expires) = verdict else { throw RequestTime.apiError(verdict, header: dateHeader, now: now)! }
        guard let nonce = request.headers[SignedHeaders.nonce], !nonce.isEmpty else {
            throw APIError(400, "MissingSignatureNonce", "x-acs-signature-nonce is mandatory: a fresh value (a UUID) on every request.")
        }
        var request = request
        let signedMD5 = request.headers[SignedHeaders.contentMD5], sdkMD5 = request.headers[SignedHeaders.sdkContentMD5]
        if signedMD5 != nil || sdkMD5 != nil {
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: APIServer.maxBodyBytes)
            } catch {
                throw APIError(413, "InvalidHttpBody", "The request body is larger than \(APIServer.maxBodyBytes) bytes.")
            }
            let digest = buffer.withUnsafeReadableBytes { BodyDigest.md5($0) }
            if let signedMD5, BodyDigest.parse(signedMD5) != digest {
                throw APIError(400, "InvalidDigest", "The body's MD5 is not the one Content-MD5 names: the body changed on the way.")
            }
            if let sdkMD5, BodyDigest.parse(sdkMD5) != digest,
               !BodyDigest.sdkMatches(sdkMD5, body: Array(buffer.readableBytesView), digest: digest) {
                throw APIError(400, "InvalidDigest", "The body's MD5 is not the one contentMd5 names: the body changed on the way.")
            }
        }
        switch await nonces.claim(nonce: nonce, accessKeyId: keyId, date: date, expires: expires, now: now) {
        case .fresh: break
        case .predates:
            throw APIError(403, "RequestTimeTooSkewed", "The request is dated (\(dateHeader.prefix(64))) before this engine started; "
                           + "a request signed for its previous run could be a replay, so sign it again.")
        case .used: throw APIError(403, "SignatureNonceUsed", "Specified signature nonce was used already within the last 15 minutes.")
        case .full: throw APIError(503, "Throttling", "Too many signed requests within 15 minutes for the engine to remember; retry later.")
        }
        return try await next(request, context)
    }
}
