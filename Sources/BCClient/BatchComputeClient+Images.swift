import BCAPI

/// VM images, as the contract types them.
extension BatchComputeClient {
    public func image(_ id: String) async throws -> ImageStatus {
        try await call(Routes.getImage, id)
    }

    public func images(_ page: PageQuery = PageQuery()) async throws -> Page<ImageStatus> {
        try await self.page(Routes.listImages, [], page)
    }

    public func allImages(pageSize: Int = 1000) async throws -> [ImageStatus] {
        try await all(Routes.listImages, pageSize: pageSize)
    }

    /// The engine's system images (`Type=System`); `allImages` lists the registered ones only,
    /// as BatchCompute's ListImages does without `Type`.
    public func allSystemImages(pageSize: Int = 1000) async throws -> [ImageStatus] {
        try await all(Routes.listImages, query: [("Type", "System")], pageSize: pageSize)
    }

    /// Registers an image from an ECS image (`EcsImageId: m-…`, `Platform`, `Name`, `Description`).
    public func createImage(_ description: JSONValue, idempotentToken: String? = nil) async throws -> Created {
        try await call(Routes.createImage, query: Self.token(idempotentToken), body: description)
    }

    public func deleteImage(_ id: String) async throws {
        try await perform(Routes.deleteImage, id)
    }
}
