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

    public func deleteImage(_ id: String) async throws {
        try await perform(Routes.deleteImage, id)
    }
}
