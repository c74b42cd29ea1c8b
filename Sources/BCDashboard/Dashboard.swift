import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The web dashboard's first slice: read-only, server-rendered pages at `/ui/` that read live
/// state only through the API client, as the reconciler does (never the engine's store).
public struct Dashboard: Sendable {
    public let client: BatchComputeClient
    /// The login and CSRF tokens of the two actions; nil: read-only, no actions.
    public let auth: DashboardAuth?
    /// The controller's status and reconcile, when a controller serves the dashboard: the Sync
    /// page (`/ui/sync`) and its nav link exist only then.
    public let sync: DashboardSync?

    /// The names the listener answers to; nil (tests that build the router alone): any.
    public let names: ListenerNames?

    public init(client: BatchComputeClient, auth: DashboardAuth? = nil, sync: DashboardSync? = nil, names: ListenerNames? = nil) {
        self.client = client
        self.auth = auth
        self.sync = sync
        self.names = names
    }

    public static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"

    /// Serves until the task is cancelled.
    public static func run(client: BatchComputeClient, auth: DashboardAuth? = nil, sync: DashboardSync? = nil, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let names = ListenerNames(listenHost: host, remote: !ListenerNames.isLoopback(host))
        let app = Application(router: Dashboard(client: client, auth: auth, sync: sync, names: names).router(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "bcops-dashboard"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeaders())
        if let names { router.add(middleware: HostCheck(names: names)) }
        router.add(middleware: ConditionalGet())
        router.add(middleware: NavOptions(sync: sync != nil))
        router.get("/ui") { _, _ in Self.redirect(self.landingPage) }
        router.get("/ui/projects") { _, _ in try await self.html(self.projectsPage()) }
        router.get("/ui/rendering") { _, _ in try await self.html(self.renderingPage()) }
        router.get("/ui/finished") { request, _ in
            try await self.html(self.finishedPage(Self.query(request)))
        }
        router.get("/ui/jobs/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.html(self.jobPage(id, session: self.session(request)))
        }
        addEstateRoutes(router)
        addLiveRoutes(router)
        router.get("/ui/login") { request, _ in self.loginPage(request) }
        router.post("/ui/login") { request, _ in try await self.login(request) }
        router.post("/ui/logout") { request, _ in try await self.logout(request) }
        router.post("/ui/jobs/:id/stop") { request, context in
            try await self.act(.stop, job: context.parameters.get("id") ?? "", request)
        }
        router.post("/ui/jobs/:id/retry") { request, context in
            try await self.act(.retry, job: context.parameters.get("id") ?? "", request)
        }
        router.get("/ui/oss/:bucket/**") { _, context in
            // The links percent-encode each segment (HTML.pathSegment); the router does not decode them.
            let bucket = (context.parameters.get("bucket") ?? "").removingPercentEncoding ?? ""
            let key = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? String($0) }.joined(separator: "/")
            return try await self.object(bucket: bucket, key: key)
        }
        return router
    }

    static func query(_ request: Request) -> [String: String] {
        var q: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { q[String(k)] = String(v) }
        return q
    }

    /// Where `/ui` and a login lead: the controller's dashboard is about syncing, the engine's
    /// about what renders.
    var landingPage: String { sync == nil ? "/ui/rendering" : "/ui/sync" }

    static func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to])
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        // The ETag lets live.js ask again with If-None-Match (ConditionalGet answers 304).
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache", LiveUpdates.etagName: LiveUpdates.etag(text)],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
