import Hummingbird

/// The estate's pages (issue 17): images and software, clusters, Apps, SGE clusters, workflow
/// runs, and the controller's Sync page when it serves the dashboard.
extension Dashboard {
    func addEstateRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/ui/images") { _, _ in try await self.html(self.imagesPage()) }
        router.get("/ui/clusters") { _, _ in try await self.html(self.clustersPage()) }
        router.get("/ui/apps") { _, _ in try await self.html(self.appsPage()) }
        router.get("/ui/sge") { _, _ in try await self.html(self.sgePage()) }
        router.get("/ui/workflows") { _, _ in try await self.html(self.workflowsPage()) }
        router.get("/ui/workflows/:id") { _, context in
            let (page, status) = try await self.workflowRunPage(context.parameters.get("id") ?? "")
            return self.html(page, status: status)
        }
        router.get("/ui/sync") { request, _ in
            let session = self.session(request)
            if self.sync?.readNeedsLogin == true && session == nil { return Self.redirect("/ui/login") }
            return try await self.html(self.syncPage(session: session))
        }
        router.post("/ui/sync/reconcile") { request, _ in try await self.reconcileNow(request) }
    }
}
