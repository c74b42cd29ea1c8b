import Hummingbird

/// Whether the header links to Sync (a controller serves the dashboard): a task-local set per
/// request, so the page functions need no extra parameter to pass it down. The estate's links
/// themselves are in the layout template (`LayoutTemplate.swift`).
extension HTML {
    @TaskLocal static var syncServed = false
}

/// Sets `HTML.syncServed` for each request, from whether this dashboard has a controller's status.
struct NavOptions<Context: RequestContext>: RouterMiddleware {
    let sync: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await HTML.$syncServed.withValue(sync) { try await next(request, context) }
    }
}
