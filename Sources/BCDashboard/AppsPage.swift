import BCAPI
import BCClient
import Foundation

/// The Apps: image (the VM image, or the Docker image), revision (and whether it is still the
/// one bcops applied), owner, creation time and description; markup in the `apps` template.
extension Dashboard {

    /// The image an App's nodes run: its Docker image when it has one, else its VM image.
    static func appImage(_ app: AppStatus) -> String {
        let d = JSONValue.object(app.description)
        let docker = string(d, ["Docker", "Image"])
        return docker.isEmpty ? string(d, ["VM", "ECSImageId"]) : "\(docker) (Docker)"
    }

    func appsPage() async throws -> String {
        async let counting = counters()
        let apps = try await client.allApps().sorted { $0.name < $1.name }
        let rows = apps.map { app in
            Templates.AppRow(
                name: app.name, image: Self.appImage(app), revision: Ownership.revision(live: app.revision, labels: app.labels),
                owner: Ownership.owner(app.labels), created: app.creationTime,
                description: Self.string(JSONValue.object(app.description), ["Description"]))
        }
        return HTML.page(title: "Apps", counters: try await counting,
                         body: Templates.render("apps", Templates.Apps(hasRows: !rows.isEmpty, rows: rows)))
    }
}
