import BCClient
import BCModel
import Foundation
import Hummingbird
import Logging

/// The controller's own listener: health, readiness, Prometheus metrics, status, suspend and
/// resume, and the webhooks. Loopback by default; webhooks prove themselves with the secret.
public enum ControllerServer {
    public static func router(controller: Controller, verifier: WebhookVerifier) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let deliveries = DeliveryGate()
        router.get("/healthz") { _, _ in text("ok\n") }
        router.get("/readyz") { _, _ in
            await controller.firstPassDone ? text("ready\n") : text("not ready: the first reconciliation has not finished\n", status: .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            text(await controller.metrics.text(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/api/status") { _, _ in json(await controller.status().json) }
        router.post("/api/suspend") { _, _ in
            await controller.suspend()
            return json(await controller.status().json)
        }
        router.post("/api/resume") { _, _ in
            await controller.resume()
            return json(await controller.status().json)
        }
        router.post("/api/reconcile") { _, _ in
            await controller.trigger("requested")
            return json(.object(["accepted": .bool(true)]), status: .accepted)
        }
        for provider in WebhookProvider.allCases {
            router.post("/hooks/\(provider.rawValue)") { request, _ in
                var request = request
                let body: ByteBuffer
                do { body = try await request.collectBody(upTo: WebhookVerifier.maxBodyBytes) } catch {
                    return json(.object(["error": .string("body larger than 1 MiB")]), status: .contentTooLarge)
                }
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                switch verifier.verify(provider, headers: headers, body: Array(body.readableBytesView)) {
                case .rejected(let status, let reason):
                    return json(.object(["error": .string(reason)]), status: HTTPResponse.Status(code: status))
                case .ignored(let why):
                    return json(.object(["ignored": .string(why)]))
                case .accepted(let delivery):
                    if let delivery, !(await deliveries.firstTime(delivery)) {
                        return json(.object(["ignored": .string("delivery \(delivery) was already received")]))
                    }
                    await controller.trigger("webhook:\(provider.rawValue)")
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

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(value.canonicalBytes)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }

    /// Serves until the task is cancelled.
    public static func run(controller: Controller, verifier: WebhookVerifier, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: router(controller: controller, verifier: verifier),
                              configuration: .init(address: .hostname(host, port: port), serverName: "bcops-controller"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }
}

/// Delivery IDs already seen, shared by the webhook handlers.
actor DeliveryGate {
    private var log = DeliveryLog()
    func firstTime(_ id: String) -> Bool { log.firstTime(id) }
}
