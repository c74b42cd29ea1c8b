import BCAPI
import BCClient
import Foundation

/// The Apps: image (the VM image, or the Docker image), revision (and whether it is still the
/// one bcops applied), owner, creation time and description.
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
        var rows = ""
        for app in apps {
            let d = JSONValue.object(app.description)
            rows += "<tr class=\"app-row\" data-app=\"\(HTML.esc(app.name))\"><td>\(HTML.esc(app.name))</td>"
            rows += "<td class=\"image\">\(HTML.esc(Self.appImage(app)))</td>"
            rows += "<td class=\"revision\">\(HTML.esc(Ownership.revision(live: app.revision, labels: app.labels)))</td>"
            rows += "<td>\(HTML.esc(Ownership.owner(app.labels)))</td><td>\(HTML.esc(app.creationTime))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["Description"])))</td></tr>\n"
        }
        let body = apps.isEmpty ? "<p>No Apps.</p>" : """
            <table id="apps"><tr><th>Name</th><th>Image</th><th>Revision</th><th>Owner</th><th>Created</th><th>Description</th></tr>
            \(rows)</table>
            """
        return HTML.page(title: "Apps", counters: try await counting, body: body)
    }
}
