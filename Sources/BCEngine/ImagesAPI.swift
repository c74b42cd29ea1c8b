import BCAPI
import Foundation
import Hummingbird

/// The images every engine has, `Type: "System"`: those the BatchCompute documentation and
/// its quick starts name. On this engine an image does not change how a task runs (nodes are
/// slots of the host); it must only be one the engine knows.
enum SystemImages {
    struct Image {
        var id: String
        var name: String
        var platform: String
        var ecsImageId: String
        var description: String
    }

    static let all: [Image] = [
        Image(id: "img-ubuntu", name: "ubuntu", platform: "Linux", ecsImageId: "",
              description: "Ubuntu compute node (classic network)"),
        Image(id: "img-ubuntu-vpc", name: "ubuntu-vpc", platform: "Linux", ecsImageId: "",
              description: "Ubuntu compute node (VPC)"),
        Image(id: "img-sge", name: "sge", platform: "Linux", ecsImageId: "",
              description: "Grid Engine compute node (bcc start -i img-sge)"),
        Image(id: "sge-centos-vpc-x64", name: "sge-centos-vpc-x64", platform: "Linux", ecsImageId: "",
              description: "Grid Engine on CentOS, x64, VPC (console: create SGE cluster)"),
        Image(id: "img-windows-blender", name: "windows-2008-blender", platform: "Windows", ecsImageId: "m-wz9du0xaalpag4ylwzs",
              description: "Windows Server 2008 compute node with Blender (Render Manager quick start)"),
    ]

    /// When the system images "were created": a fixed time, so their JSON never changes.
    static let creationTime = Date(timeIntervalSince1970: 1_451_606_400)  // 2016-01-01
}

/// `/images`: the system images and the ones users register from an ECS image (`m-…`).
/// Without `Type` the list holds the registered images only and `Type=System` the system
/// images only, as on BatchCompute (`bcs i` asks for both and shows them together).
struct ImagesAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    typealias Key = ImageDescription.CodingKeys

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.createImage) { request, _ in
            let body = try await APIServer.body(request).object
            try JSONBody.checkKnown(body, ImageDescription.fields, where: "")
            let platform = try JSONBody.string(body, Key.platform.rawValue, required: true)!
            guard ["Linux", "Windows"].contains(platform) else { throw APIError.invalid(Key.platform.rawValue, "must be Linux or Windows, got \"\(platform)\"") }
            let ecs = try JSONBody.string(body, Key.ecsImageId.rawValue, required: true)!
            guard ecs.range(of: #"^m-[A-Za-z0-9]{1,64}$"#, options: .regularExpression) != nil else {
                throw APIError.invalid(Key.ecsImageId.rawValue, "\"\(ecs)\" is not an ECS image id (m-…)")
            }
            let name = try JSONBody.string(body, Key.name.rawValue) ?? ""
            let description = try JSONBody.string(body, Key.description.rawValue) ?? ""
            let query = APIServer.query(request)[QueryName.idempotentToken].flatMap { $0.isEmpty ? nil : $0 }
            let inBody = try JSONBody.string(body, Key.idempotentToken.rawValue).flatMap { $0.isEmpty ? nil : $0 }
            let token = query ?? inBody
            var stored = body
            stored[Key.idempotentToken.rawValue] = nil
            let id = try store.createImage(name: name, description: description, platform: platform, ecsImageId: ecs,
                                           body: String(decoding: JSONBody.serialize(stored), as: UTF8.self), token: token)
            return Answer(Created(id: id), status: .created)
        }
        router.on(Routes.listImages) { request, _ in
            let q = APIServer.query(request)
            let (marker, limit) = try APIServer.page(q)
            switch (q[QueryName.type] ?? "").isEmpty ? ImageStatus.Kind.user : ImageStatus.Kind(rawValue: q[QueryName.type]!) {
            case .system?:
                var items = SystemImages.all
                if let marker, !marker.isEmpty {
                    guard let start = items.firstIndex(where: { $0.id == marker }) else { return Answer(Page<ImageStatus>(items: [])) }
                    items = Array(items[start...])
                }
                let next = items.count > limit ? items[limit].id : ""
                return Answer(Page(items: items.prefix(limit).map(ImageStatus.init), nextMarker: next))
            case .user?:
                let (rows, next) = try store.images(after: marker, limit: limit)
                return Answer(Page(items: rows.map(ImageStatus.init), nextMarker: next))
            case nil:
                throw APIError.invalid(QueryName.type, "\"\(q[QueryName.type] ?? "")\": list the system images with Type=System, the registered ones without Type")
            }
        }
        router.on(Routes.getImage) { _, context in
            let id = try context.parameters.require("id")
            if let system = SystemImages.all.first(where: { $0.id == id }) { return Answer(ImageStatus(system)) }
            guard let row = try store.image(id) else { throw StoreError.notFound(.image(id)) }
            return Answer(ImageStatus(row))
        }
        router.on(Routes.deleteImage) { _, context in
            let id = try context.parameters.require("id")
            if SystemImages.all.contains(where: { $0.id == id }) {
                throw APIError.forbidden("\(id) is a system image; only images registered with POST /images (bcs ci) can be deleted")
            }
            try store.deleteImage(id)
            return Answer(Empty())
        }
    }

    /// Refuses an image id the engine does not know, as BatchCompute does (`InvalidImageId`).
    static func checkKnown(_ id: String, field: String = "ImageId", store: EngineStore) throws {
        guard try !store.imageIsKnown(id) else { return }
        throw APIError.invalid("ImageId", "\(field) \"\(id)\" is not an image this engine knows. List the images with GET /images "
            + "and GET /images?Type=System (bcs i); register an ECS image with POST /images {\"EcsImageId\": \"m-…\", \"Platform\": …} (bcs ci NAME m-…)")
    }
}
