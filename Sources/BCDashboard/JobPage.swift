import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One job: details, node tiles, list view, logs, thumbnails.
extension Dashboard {

    func jobPage(_ id: String, session: String? = nil) async throws -> String {
        async let counting = counters()
        let job: JobStatus
        do { job = try await client.job(id) } catch let e as APIError where e.status == 404 {
            return HTML.page(title: "No job \(id)", counters: try await counting, body: "<p>The engine has no job \(HTML.esc(id)).</p>")
        }
        let description = try? await client.jobDescription(id)
        let tasks = try await client.tasks(of: id)
        var instances: [(task: String, instance: InstanceStatus)] = []
        for task in tasks.sorted(by: { $0.taskName < $1.taskName }) {
            for i in try await client.instances(of: id, task: task.taskName).sorted(by: { $0.instanceId < $1.instanceId }) {
                instances.append((task.taskName, i))
            }
        }
        var body = "<table id=\"job\">"
        func row(_ k: String, _ v: String, id: String? = nil, cls: String? = nil) {
            body += "<tr><th>\(k)</th><td\(id.map { " id=\"\($0)\"" } ?? "")\(cls.map { " class=\"\($0)\"" } ?? "")>\(HTML.esc(v))</td></tr>"
        }
        row("Name", job.name, id: "job-name")
        row("ID", job.id)
        row("State", job.state.rawValue, id: "job-state")
        row("Progress", HTML.progress(done: job.instanceMetrics[.finished], total: job.instanceMetrics.total), id: "job-progress")
        row("Description", description?.description ?? "", id: "job-description")
        var output = ""
        if let app = description?.app {
            // The seed's render details: from the run, else its App's defaults.
            let appName = app.appName.hasPrefix(":") ? String(app.appName.dropFirst()) : app.appName
            let appDescription = (try? await client.app(appName)).map { JSONValue.object($0.description) }
            let config = app.config
            output = app.outputs["output"]?.stringValue ?? Self.string(appDescription, ["OutputParameters", "output", "Default"])
            row("Project (App)", appName, id: "job-project")
            row("Software", Self.string(appDescription, ["EnvVars", "BCOPS_RENDER_SOFTWARE"]))
            row("Node type", config?.instanceType ?? config?.clusterId.map { "cluster \($0)" } ?? "")
            row("Nodes", config?.instanceCount.map(String.init) ?? "")
            row("Frame range", app.inputs["frames"]?.stringValue ?? "")
            let chunk = app.inputs["framesPerTask"]?.stringValue ?? Self.string(appDescription, ["InputParameters", "framesPerTask", "Default"])
            row("Frames per node", chunk == "0" ? "split over the nodes" : chunk)
            row("Retries", config?.maxRetryCount.map(String.init) ?? "")
            row("Scene", app.inputs["scene"]?.stringValue ?? "")
            row("OSS output", output, id: "job-output")
            row("Download path", Self.string(appDescription, ["OutputParameters", "output", "LocalPath"]))
            for (k, v) in app.inputs.sorted(by: { $0.key < $1.key }) where !["frames", "framesPerTask", "scene"].contains(k) {
                row("Input \(HTML.esc(k))", v.stringValue ?? "")
            }
        }
        row("Submitted", job.creationTime)
        row("Started", job.startTime)
        row("Finished", job.endTime)
        row("Failure reason", job.message, id: "job-reason", cls: "reason")
        body += "</table>\n" + actionForms(job: job, session: session) + "<h2>Nodes 节点视图</h2>\n<div class=\"tiles\">"
        for (task, i) in instances {
            body += "<div class=\"node-tile\" data-state=\"\(i.state.rawValue)\" title=\"\(HTML.esc(task)) #\(i.instanceId)\">\(HTML.esc(task)) #\(i.instanceId)<br>\(i.state.rawValue)</div>"
        }
        body += "</div>\n<h2>List view</h2>\n<table id=\"instances\"><tr><th>Task</th><th>Instance</th><th>Start</th><th>End</th><th>State</th><th>Error</th></tr>"
        for (task, i) in instances {
            body += "<tr class=\"instance-row\"><td>\(HTML.esc(task))</td><td>\(i.instanceId)</td><td>\(HTML.esc(i.startTime))</td><td>\(HTML.esc(i.endTime))</td>"
            body += "<td>\(i.state.rawValue)</td><td class=\"reason\">\(HTML.esc(i.result.errorMessage))</td></tr>"
        }
        body += "</table>\n<h2>Logs</h2>\n"
        for (task, i) in instances {
            for stream in ["stdout", "stderr"] {
                let text = (try? await RenderJobReader.readLog(client, job: id, node: i.instanceId, stream: stream, task: task)) ?? ""
                let shown = text.utf8.count > 65_536 ? "…" + String(decoding: Array(text.utf8.suffix(65_536)), as: UTF8.self) : text
                body += "<h3>\(HTML.esc(task)) #\(i.instanceId) \(stream)</h3>\n"
                body += "<pre class=\"node-log\" data-task=\"\(HTML.esc(task))\" data-instance=\"\(i.instanceId)\" data-stream=\"\(stream)\">\(HTML.esc(shown))</pre>\n"
            }
        }
        body += await thumbnails(output)
        return HTML.page(title: "Job \(job.name)", counters: try await counting, body: body)
    }

    static let imageTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "bmp": "image/bmp"]

    /// The rendered frames under the job's OSS output (the job's own, else the App's default).
    func thumbnails(_ output: String) async -> String {
        guard output.hasPrefix("oss://") else { return "" }
        let keys = ((try? await OSSClient(client).list(output)) ?? [])
            .filter { Self.imageTypes[($0 as NSString).pathExtension.lowercased()] != nil }.prefix(500)
        var html = "<h2>Frames</h2>\n<p>Output: \(HTML.esc(output))</p>\n<div class=\"thumbs\">"
        for url in keys {
            let path = url.dropFirst("oss://".count).split(separator: "/", omittingEmptySubsequences: false).map { HTML.pathSegment(String($0)) }.joined(separator: "/")
            let href = HTML.esc("/ui/oss/" + path)
            html += "<a href=\"\(href)\"><img class=\"thumb\" src=\"\(href)\" alt=\"\(HTML.esc(url))\"></a>"
        }
        return html + "</div>\n"
    }
}
