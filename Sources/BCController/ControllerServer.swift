import BCClient
import BCModel
import Foundation
import Hummingbird
import Logging

/// The controller's own listener: health, readiness, Prometheus metrics, status, suspend and
/// resume, and the webhooks. Loopback by default. `/api/suspend`, `/api/resume` and
/// `/api/reconcile` need the API token and refuse cross-site requests; reads are open on
/// loopback only (`APIGuard`); webhooks prove themselves with the secret and are budgeted.
public enum ControllerServer {
    /// The largest body `/api/*` reads (they need none).
    static let maxAPIBodyBytes = 64 << 10

    public static func router(controller: Controller, verifier: WebhookVerifier, guard apiGuard: APIGuard,
                              budget: WebhookBudget = WebhookBudget()) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let deliveries = DeliveryGate()
        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/readyz") { _, _ in
            await controller.firstPassDone ? text("ready\n") : text("not ready: the first reconciliation has not finished\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { request, _ in
            if let refusal = apiGuard.check(.read, guardRequest(request, bodyIsEmpty: true)) { return refused(refusal) }
            return text(await controller.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/api/status") { request, _ in
            if let refusal = apiGuard.check(.read, guardRequest(request, bodyIsEmpty: true)) { return refused(refusal) }
            return json(await controller.status().json)
        }
        /// A mutating endpoint: the token, and nothing a web page can send.
        func change(_ path: RouterPath, _ action: @escaping @Sendable () async -> Response) {
            router.post(path) { request, _ in
                var request = request
                let body: ByteBuffer
                do { body = try await request.collectBody(upTo: maxAPIBodyBytes) } catch {
                    return json(.object(["error": .string("body larger than 64 KiB (the API reads none)")]), status: .contentTooLarge)
                }
                if let refusal = apiGuard.check(.change, guardRequest(request, bodyIsEmpty: body.readableBytes == 0)) { return refused(refusal) }
                return await action()
            }
        }
        change("/api/suspend") {
            await controller.suspend()
            return json(await controller.status().json)
        }
        change("/api/resume") {
            await controller.resume()
            return json(await controller.status().json)
        }
        change("/api/reconcile") {
            await controller.trigger("requested")
            return json(.object(["accepted": .bool(true)]), status: .accepted)
        }
        let throttleLog = ThrottleLog()
        for provider in WebhookProvider.allCases {
            /// The `webhook` log line of a delivery: never its headers, body or signature.
            @Sendable func log(_ result: String, _ status: Int, delivery: String? = nil, reason: String? = nil) {
                controller.events.emit(status >= 400 ? .warn : .info, "webhook", [
                    ("provider", .string(provider.rawValue)), ("result", .string(result)), ("status", .int(status)),
                    ("delivery", delivery.map { .string(String($0.prefix(128))) }), ("reason", reason.map { .string($0) }),
                ])
            }
            router.post("/hooks/\(provider.rawValue)") { request, _ in
                guard await budget.take() else {
                    // One line per second at most: a flood must not flood the log too.
                    if await throttleLog.first() { log("throttled", 429, reason: "more than \(budget.perSecond) deliveries this second") }
                    return json(.object(["error": .string("more than \(budget.perSecond) webhook deliveries this second; retry later (polling picks the push up anyway)")]),
                                status: .tooManyRequests, headers: [.retryAfter: "1"])
                }
                var request = request
                let body: ByteBuffer
                do { body = try await request.collectBody(upTo: WebhookVerifier.maxBodyBytes) } catch {
                    log("rejected", 413, reason: "body larger than 1 MiB")
                    return json(.object(["error": .string("body larger than 1 MiB")]), status: .contentTooLarge)
                }
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                switch verifier.verify(provider, headers: headers, body: Array(body.readableBytesView)) {
                case .rejected(let status, let reason):
                    log("rejected", status, reason: reason)
                    return json(.object(["error": .string(reason)]), status: HTTPResponse.Status(code: status))
                case .ignored(let why):
                    log("ignored", 200, reason: why)
                    return json(.object(["ignored": .string(why)]))
                case .accepted(let delivery):
                    if let delivery, !(await deliveries.firstTime(delivery)) {
                        log("duplicate", 200, delivery: delivery, reason: "delivery already received")
                        return json(.object(["ignored": .string("delivery \(delivery) was already received")]))
                    }
                    await controller.trigger("webhook:\(provider.rawValue)")
                    log("accepted", 202, delivery: delivery)
                    return json(.object(["accepted": .bool(true)]), status: .accepted)
                }
            }
        }
        return router
    }

    static func text(_ s: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(s)
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(value.canonicalBytes)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: buffer))
    }

    static func refused(_ refusal: APIGuard.Refusal) -> Response {
        json(.object(["error": .string(refusal.reason)]), status: HTTPResponse.Status(code: refusal.status),
             headers: refusal.status == 401 ? [.wwwAuthenticate: "Bearer realm=\"bcops-controller\""] : [:])
    }

    static func guardRequest(_ request: Request, bodyIsEmpty: Bool) -> APIGuard.Request {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        return APIGuard.Request(headers: headers, authority: request.head.authority, bodyIsEmpty: bodyIsEmpty)
    }

    /// Serves until the task is cancelled.
    public static func run(controller: Controller, verifier: WebhookVerifier, guard apiGuard: APIGuard, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: router(controller: controller, verifier: verifier, guard: apiGuard),
                              configuration: .init(address: .hostname(host, port: port), serverName: "bcops-controller"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }
}

/// Whether a throttled delivery is the first of its second (the only one logged).
actor ThrottleLog {
    private var second = -1
    func first(now: Double = Date().timeIntervalSince1970) -> Bool {
        let s = Int(now)
        guard s != second else { return false }
        second = s
        return true
    }
}

/// Delivery IDs already seen, shared by the webhook handlers.
actor DeliveryGate {
    private var log = DeliveryLog()
    func firstTime(_ id: String) -> Bool { log.firstTime(id) }
}

/// Webhook deliveries answered per second, all hook paths together: beyond it, 429 with
/// `Retry-After: 1` before the body is read or its signature computed. (What a delivery can
/// trigger is bounded separately: at most one fetch per `--webhook-min-interval`.)
public actor WebhookBudget {
    public nonisolated let perSecond: Int
    private var second = 0
    private var used = 0

    public init(perSecond: Int = 100) { self.perSecond = perSecond }

    /// Whether one more delivery fits in this second's budget.
    public func take(now: Double = Date().timeIntervalSince1970) -> Bool {
        let s = Int(now)
        if s != second { second = s; used = 0 }
        guard used < perSecond else { return false }
        used += 1
        return true
    }
}
