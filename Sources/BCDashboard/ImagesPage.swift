import BCAPI
import BCClient
import Foundation

/// 镜像管理: the compute-node images the engine knows (its system images and the ones users
/// registered), which Apps and clusters use each, and every RenderProject's software template:
/// the command line, the variables in it and the declared parameters.
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

        var body = "<h2>Images</h2>\n"
        body += "<table id=\"images\"><tr><th>Id</th><th>Name</th><th>Type</th><th>Platform</th><th>ECS image</th><th>Description</th><th>Used by</th></tr>\n"
        for image in images {
            body += "<tr class=\"image-row\" data-id=\"\(HTML.esc(image.id))\"><td>\(HTML.esc(image.id))</td><td>\(HTML.esc(image.name))</td>"
            body += "<td>\(HTML.esc(image.type.rawValue))</td><td>\(HTML.esc(image.platform))</td><td>\(HTML.esc(image.ecsImageId))</td>"
            body += "<td>\(HTML.esc(image.description))</td>"
            body += "<td>\((users[image.id] ?? []).sorted().map(HTML.esc).joined(separator: "<br>"))</td></tr>\n"
        }
        body += "</table>\n"

        let projects = apps.filter(Self.isRenderApp).sorted { Self.projectName($0) < Self.projectName($1) }
        body += "<h2>Software templates 软件配置</h2>\n"
        if projects.isEmpty { body += "<p>No RenderProjects yet.</p>\n" }
        for app in projects {
            let t = SoftwareTemplate(app: app)
            let image = Self.string(.object(app.description), ["VM", "ECSImageId"])
            body += "<section class=\"software\" data-project=\"\(HTML.esc(Self.projectName(app)))\">"
            body += "<h3>\(HTML.esc(Self.projectName(app))) · \(HTML.esc(t.software))</h3>\n"
            body += "<p>Image <code>\(HTML.esc(image))</code>; App <code>\(HTML.esc(app.name))</code>, revision \(app.revision)."
            body += t.command == nil ? " Blender's built-in template:" : " Command template:"
            body += "</p>\n<pre class=\"command-template\">\(HTML.esc(t.commandLine))</pre>\n"
            body += "<h4>Variables</h4>\n<table class=\"template-variables\"><tr><th>Variable</th><th>Meaning</th></tr>\n"
            for v in t.variables {
                body += "<tr class=\"variable-row\"><td><code>$\(HTML.esc(v))</code></td><td>\(HTML.esc(t.meaning(of: v)))</td></tr>\n"
            }
            body += "</table>\n"
            if t.parameters.isEmpty {
                body += "<p>No declared parameters.</p>\n"
            } else {
                body += "<h4>Parameters (a job may set them)</h4>\n<table class=\"template-parameters\"><tr><th>Parameter</th><th>Default</th><th>Description</th></tr>\n"
                for p in t.parameters {
                    body += "<tr class=\"parameter-row\"><td>\(HTML.esc(p.name))</td><td>\(HTML.esc(p.defaultValue))</td><td>\(HTML.esc(p.description))</td></tr>\n"
                }
                body += "</table>\n"
            }
            body += "</section>\n"
        }
        return HTML.page(title: "Images and software", counters: try await counting, body: body)
    }
}
