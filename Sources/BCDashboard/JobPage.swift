import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One job: details, node tiles, list view, node load, logs, thumbnails. The markup is the
/// `jobBody` template (`JobTemplate.swift`); this reads through the client and builds its view.
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
            return HTML.page(title: "No job \(id)", counters: try await counting,
                             body: Templates.render("sentence", Templates.Sentence(text: "The engine has no job \(id).")))
        }
        let description = await describing
        var details = Templates.Details(tableId: "job")
        details.row("Name", job.name, id: "job-name")
        details.row("ID", job.id)
        details.row("State", job.state.rawValue, id: "job-state")
        details.row("Progress", HTML.progress(done: job.instanceMetrics[.finished], total: job.instanceMetrics.total), id: "job-progress")
        details.row("Description", description?.description ?? "", id: "job-description")
        var output = ""
        if let app = description?.app {
            // The seed's render details: from the run, else its App's defaults.
            let appName = app.appName.hasPrefix(":") ? String(app.appName.dropFirst()) : app.appName
            let appDescription = (try? await client.app(appName)).map { JSONValue.object($0.description) }
            let config = app.config
            output = app.outputs["output"]?.stringValue ?? Self.string(appDescription, ["OutputParameters", "output", "Default"])
            details.row("Project (App)", appName, id: "job-project")
            details.row("Software", Self.string(appDescription, ["EnvVars", "BCOPS_RENDER_SOFTWARE"]))
            details.row("Node type", config?.instanceType ?? config?.clusterId.map { "cluster \($0)" } ?? "")
            details.row("Nodes", config?.instanceCount.map(String.init) ?? "")
            details.row("Frame range", app.inputs["frames"]?.stringValue ?? "")
            let chunk = app.inputs["framesPerTask"]?.stringValue ?? Self.string(appDescription, ["InputParameters", "framesPerTask", "Default"])
            details.row("Frames per node", chunk == "0" ? "split over the nodes" : chunk)
            details.row("Retries", config?.maxRetryCount.map(String.init) ?? "")
            details.row("Scene", app.inputs["scene"]?.stringValue ?? "")
            details.row("OSS output", output, id: "job-output")
            details.row("Download path", Self.string(appDescription, ["OutputParameters", "output", "LocalPath"]))
            for (k, v) in app.inputs.sorted(by: { $0.key < $1.key }) where !["frames", "framesPerTask", "scene"].contains(k) {
                details.row("Input \(k)", v.stringValue ?? "")
            }
        }
        details.row("Submitted", job.creationTime)
        details.row("Started", job.startTime)
        details.row("Finished", job.endTime)
        details.row("Failure reason", job.message, id: "job-reason", cls: "reason")
        let instances = try await listing
        let load = await loading
        var loads: [String: InstanceLoad] = [:]
        for l in load?.instances ?? [] { loads["\(l.taskName)\u{0}\(l.instanceId)"] = l }
        // A task's nodes' link prefix, made once per task, not per node: percent-encoding
        // through Foundation, 2,000 times, was a good part of a big page.
        var prefixes: [String: String] = [:]
        var nodes: [Templates.JobNode] = []
        nodes.reserveCapacity(instances.count)
        for (task, i) in instances {
            let prefix = prefixes[task] ?? "/ui/jobs/\(HTML.pathSegment(id))/nodes/\(HTML.pathSegment(task))/"
            prefixes[task] = prefix
            nodes.append(Templates.JobNode(
                task: task, index: i.instanceId, state: i.state.rawValue, href: prefix + String(i.instanceId),
                load: i.state == .running ? NodeLoadView.tileLine(loads["\(task)\u{0}\(i.instanceId)"]) : nil,
                start: i.startTime, end: i.endTime, retries: i.retryCount, error: i.result.errorMessage))
        }
        let inline = instances.count <= Self.inlineLogNodes
        let body = Templates.JobBody(
            details: Templates.render("details", details), actions: actionForms(job: job, session: session), nodes: nodes,
            load: NodeLoadView.table(load, job: id), inlineLogs: inline,
            logs: inline ? await inlineLogs(id, instances) : [], count: instances.count,
            thumbnails: await thumbnails(output))
        return HTML.page(title: "Job \(job.name)", counters: try await counting, body: Templates.render("jobBody", body),
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
    func inlineLogs(_ id: String, _ instances: [(task: String, instance: InstanceStatus)]) async -> [Templates.InlineLog] {
        let logs = await readLogs(id, instances.map { ($0.task, $0.instance.instanceId) })
        var out: [Templates.InlineLog] = []
        for (k, (task, i)) in instances.enumerated() {
            for (s, stream) in LogStream.all.enumerated() {
                out.append(Templates.InlineLog(
                    task: task, index: i.instanceId, label: stream == LogStream.worker ? "worker log" : stream,
                    block: Templates.LogBlock(id: "log-\(k)-\(stream)", task: task, index: i.instanceId, stream: stream,
                                              text: logs[k * LogStream.all.count + s])))
            }
        }
        return out
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

    static let imageTypes = ["png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp", "bmp": "image/bmp"]

    /// The rendered frames under the job's OSS output (the job's own, else the App's default).
    func thumbnails(_ output: String) async -> String {
        guard output.hasPrefix("oss://") else { return "" }
        let keys = ((try? await OSSClient(client).list(output)) ?? [])
            .filter { Self.imageTypes[($0 as NSString).pathExtension.lowercased()] != nil }.prefix(500)
        let frames = keys.map { url in
            let path = url.dropFirst("oss://".count).split(separator: "/", omittingEmptySubsequences: false).map { HTML.pathSegment(String($0)) }.joined(separator: "/")
            return Templates.Frame(href: "/ui/oss/" + path, url: url)
        }
        return Templates.render("thumbnails", Templates.Thumbnails(output: output, frames: frames))
    }
}
