import Hummingbird

/// The estate's links in every page's header (images, clusters, Apps, SGE, workflow runs, and
/// Sync when a controller serves the dashboard). Whether Sync is served is a task-local set
/// per request, so the page functions need no extra parameter to pass it down.
extension HTML {
    @TaskLocal static var syncServed = false

    static var estateNav: String {
        var links = """
            <a href="/ui/images">Images 镜像管理</a><a href="/ui/clusters">Clusters</a><a href="/ui/apps">Apps</a>\
            <a href="/ui/sge">SGE</a><a href="/ui/workflows">Workflows</a>
            """
        if syncServed { links += "<a id=\"nav-sync\" href=\"/ui/sync\">Sync</a>" }
        return links
    }
}

/// Sets `HTML.syncServed` for each request, from whether this dashboard has a controller's status.
struct NavOptions<Context: RequestContext>: RouterMiddleware {
    let sync: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await HTML.$syncServed.withValue(sync) { try await next(request, context) }
    }
}
