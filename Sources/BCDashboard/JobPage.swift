import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One job: details, node tiles, list view, node load, logs, thumbnails.
///
/// At scale (issue 17: 1,000 instances in under 200 ms) the page is built from one ListInstances
/// per task (read at once) and one node-load call; it reads logs only for a small job (up to
/// `inlineLogNodes` nodes). A bigger job's logs are on each node's own page (`NodePage.swift`),
/// which its tile and its row link to: reading two logs per node was 2,000 calls for 1,000 nodes.
extension Dashboard {
    /// Up to this many nodes, their logs (stdout, stderr, the worker's) are on the job's page.
    static let inlineLogNodes = 16

    /// `/ui/jobs/<job>/nodes/<task>/<n>`, each segment percent-encoded.
    static func nodePath(_ job: String, task: String, index: Int) -> String {
        "/ui/jobs/\(HTML.pathSegment(job))/nodes/\(HTML.pathSegment(task))/\(index)"
    }

    func jobPage(_ id: String, session: String? = nil) async throws -> String {
        async let counting = counters()
        async let listing = allInstances(of: id)
        async let loading = try? client.load(of: id)
        async let describing = try? client.jobDescription(id)
        let job: JobStatus
        do { job = try await client.job(id) } catch let e as APIError where e.status == 404 {
            return HTML.page(title: "No job \(id)", counters: try await counting, body: "<p>The engine has no job \(HTML.esc(id)).</p>")
        }
        let description = await describing
        var body = "<table id=\"job\" data-live>"
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
        body += "</table>\n" + actionForms(job: job, session: session)
        let instances = try await listing
        let load = await loading
        var loads: [String: InstanceLoad] = [:]
        for l in load?.instances ?? [] { loads["\(l.taskName)\u{0}\(l.instanceId)"] = l }
        body += "<h2>Nodes 节点视图</h2>\n<div class=\"tiles\" id=\"tiles\" data-live>"
        body.reserveCapacity(body.utf8.count + instances.count * 640)
        // A task's escaped name and its nodes' link prefix, made once per task, not per node:
        // percent-encoding through Foundation, 2,000 times, was a good part of a big page.
        var perTask: [String: (name: String, href: String)] = [:]
        func names(_ task: String) -> (name: String, href: String) {
            if let known = perTask[task] { return known }
            let made = (HTML.esc(task), HTML.esc("/ui/jobs/\(HTML.pathSegment(id))/nodes/\(HTML.pathSegment(task))/"))
            perTask[task] = made
            return made
        }
        for (task, i) in instances {
            let (t, href) = names(task)
            let n = String(i.instanceId)
            let tileLoad = i.state == .running ? NodeLoadView.tileLine(loads["\(task)\u{0}\(i.instanceId)"]) : ""
            body += "<div class=\"node-tile\" data-state=\"\(i.state.rawValue)\" title=\"\(t) #\(n)\" data-task=\"\(t)\" data-instance=\"\(n)\"><a href=\"\(href)\(n)\">\(t) #\(n)</a><br>\(i.state.rawValue)\(tileLoad)</div>"
        }
        body += "</div>\n<h2>List view</h2>\n<table id=\"instances\" data-live><tr><th>Task</th><th>Instance</th><th>Start</th><th>End</th><th>State</th><th>Retries</th><th>Error</th></tr>"
        for (task, i) in instances {
            let (t, href) = names(task)
            body += "<tr class=\"instance-row\"><td>\(t)</td><td><a href=\"\(href)\(i.instanceId)\">\(i.instanceId)</a></td><td>\(HTML.esc(i.startTime))</td><td>\(HTML.esc(i.endTime))</td>"
            body += "<td>\(i.state.rawValue)</td><td>\(i.retryCount)</td><td class=\"reason\">\(HTML.esc(i.result.errorMessage))</td></tr>"
        }
        body += "</table>\n<h2>Node load</h2>\n" + NodeLoadView.table(load, job: id) + "\n<h2>Logs</h2>\n"
        if instances.count <= Self.inlineLogNodes {
            body += await inlineLogs(id, instances)
        } else {
            body += "<p id=\"logs-per-node\">This job has \(instances.count) nodes: each node's logs (the renderer's stdout and stderr, and the worker's log) are on its own page; open its tile or its row.</p>\n"
        }
        body += await thumbnails(output)
        return HTML.page(title: "Job \(job.name)", counters: try await counting, body: body,
                         poll: job.state.isEnded ? LiveUpdates.defaultPoll : LiveUpdates.runningPoll)
    }

    /// Every instance of the job, by task then index: one ListInstances per task, read at once.
    func allInstances(of id: String) async throws -> [(task: String, instance: InstanceStatus)] {
        let tasks = try await client.tasks(of: id).map(\.taskName).sorted()
        let client = self.client
        let byTask = try await withThrowingTaskGroup(of: (String, [InstanceStatus]).self) { group in
            for task in tasks { group.addTask { (task, try await client.instances(of: id, task: task)) } }
            var out: [String: [InstanceStatus]] = [:]
            for try await (task, list) in group { out[task] = list }
            return out
        }
        return tasks.flatMap { task in (byTask[task] ?? []).sorted { $0.instanceId < $1.instanceId }.map { (task, $0) } }
    }

    /// A small job's logs on its page: each node's stdout, stderr and worker log, read at once.
    func inlineLogs(_ id: String, _ instances: [(task: String, instance: InstanceStatus)]) async -> String {
        let logs = await readLogs(id, instances.map { ($0.task, $0.instance.instanceId) })
        var html = "<div id=\"logs\">\n"
        for (k, (task, i)) in instances.enumerated() {
            for stream in LogStream.all {
                html += "<h3>\(HTML.esc(task)) #\(i.instanceId) \(stream == LogStream.worker ? "worker log" : stream)</h3>\n"
                html += Self.logBlock(logs[k * LogStream.all.count + LogStream.all.firstIndex(of: stream)!], task: task, index: i.instanceId, stream: stream, id: "log-\(k)-\(stream)")
            }
        }
        return html + "</div>\n"
    }

    /// The three logs of each node, in order (stdout, stderr, worker per node), read at once.
    func readLogs(_ id: String, _ nodes: [(task: String, index: Int)]) async -> [String] {
        let client = self.client
        return await withTaskGroup(of: (Int, String).self) { group in
            for (k, node) in nodes.enumerated() {
                for (s, stream) in LogStream.all.enumerated() {
                    group.addTask { (k * LogStream.all.count + s, await Self.logTail(client, id, node.task, node.index, stream)) }
                }
            }
            var out = Array(repeating: "", count: nodes.count * LogStream.all.count)
            for await (at, text) in group { out[at] = text }
            return out
        }
    }

    /// The last 64 KiB of a log, in one call (`Offset=-65536`): a page polled every 2 s must not
    /// read a renderer's whole log each time. Starts with `…` when there is more before it; empty
    /// when there is no log (yet).
    static func logTail(_ client: BatchComputeClient, _ job: String, _ task: String, _ index: Int, _ stream: String) async -> String {
        guard let page = try? await client.instanceLog(job: job, task: task, instance: index, stream: stream, offset: -shownLogBytes) else { return "" }
        let text = String(decoding: page.bytes, as: UTF8.self)
        return page.nextOffset > page.bytes.count ? "…" + text : text
    }

    /// How much of each log a page shows.
    static let shownLogBytes = 65_536

    /// A log as a `pre.node-log`, escaped.
    static func logBlock(_ shown: String, task: String, index: Int, stream: String, id: String) -> String {
        return "<pre class=\"node-log\" id=\"\(id)\" data-live data-task=\"\(HTML.esc(task))\" data-instance=\"\(index)\" data-stream=\"\(stream)\">\(HTML.esc(shown))</pre>\n"
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
