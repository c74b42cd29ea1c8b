import BCAPI
import BCClient
import Foundation

/// 镜像管理: the compute-node images the engine knows (its system images and the ones users
/// registered), which Apps and clusters use each, and every RenderProject's software template:
/// the command line, the variables in it and the declared parameters. Markup in the `images`
/// template (`ImagesTemplate.swift`).
extension Dashboard {

    func imagesPage() async throws -> String {
        async let counting = counters()
        async let system = client.allSystemImages()
        async let registered = client.allImages()
        async let appsRead = client.allApps()
        async let clustersRead = client.allClusters()
        let images = try await system + registered
        let apps = try await appsRead, clusters = try await clustersRead
        var users: [String: [String]] = [:]
        for app in apps {
            let image = Self.string(.object(app.description), ["VM", "ECSImageId"])
            if !image.isEmpty { users[image, default: []].append("App \(app.name)") }
        }
        for c in clusters where !c.imageId.isEmpty { users[c.imageId, default: []].append("Cluster \(c.name)") }

        let rows = images.map { image in
            Templates.ImageRow(
                id: image.id, name: image.name, type: image.type.rawValue, platform: image.platform, ecsImage: image.ecsImageId,
                description: image.description,
                users: (users[image.id] ?? []).sorted().enumerated().map { Templates.ImageUser(br: $0.offset > 0, name: $0.element) })
        }
        let projects = apps.filter(Self.isRenderApp).sorted { Self.projectName($0) < Self.projectName($1) }.map { app in
            let t = SoftwareTemplate(app: app)
            return Templates.Software(
                project: Self.projectName(app), software: t.software, image: Self.string(.object(app.description), ["VM", "ECSImageId"]),
                app: app.name, revision: "\(app.revision)", builtIn: t.command == nil, commandLine: t.commandLine,
                variables: t.variables.map { Templates.SoftwareVariable(name: $0, meaning: t.meaning(of: $0)) },
                hasParameters: !t.parameters.isEmpty,
                parameters: t.parameters.map { Templates.SoftwareParameter(name: $0.name, defaultValue: $0.defaultValue, description: $0.description) })
        }
        let view = Templates.Images(images: rows, hasProjects: !projects.isEmpty, projects: projects)
        return HTML.page(title: "Images and software", counters: try await counting, body: Templates.render("images", view))
    }
}
