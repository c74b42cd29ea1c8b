import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The web dashboard's first slice: read-only, server-rendered pages at `/ui/` that read live
/// state only through the API client, as the reconciler does (never the engine's store).
public struct Dashboard: Sendable {
    public let client: BatchComputeClient

    public init(client: BatchComputeClient) { self.client = client }

    public static let contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"

    /// Serves until the task is cancelled.
    public static func run(client: BatchComputeClient, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: Dashboard(client: client).router(),
                              configuration: .init(address: .hostname(host, port: port), serverName: "bcops-dashboard"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.runService(gracefulShutdownSignals: [])
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeaders())
        router.get("/ui") { _, _ in Self.redirect("/ui/rendering") }
        router.get("/ui/projects") { _, _ in try await self.html(self.projectsPage()) }
        router.get("/ui/rendering") { _, _ in try await self.html(self.renderingPage()) }
        router.get("/ui/finished") { request, _ in
            try await self.html(self.finishedPage(Self.query(request)))
        }
        router.get("/ui/jobs/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.html(self.jobPage(id))
        }
        router.get("/ui/oss/:bucket/**") { _, context in
            // The links percent-encode each segment (HTML.pathSegment); the router does not decode them.
            let bucket = (context.parameters.get("bucket") ?? "").removingPercentEncoding ?? ""
            let key = context.parameters.getCatchAll().map { String($0).removingPercentEncoding ?? String($0) }.joined(separator: "/")
            return try await self.object(bucket: bucket, key: key)
        }
        return router
    }

    static func query(_ request: Request) -> [String: String] {
        var q: [String: String] = [:]
        for (k, v) in request.uri.queryParameters { q[String(k)] = String(v) }
        return q
    }

    static func redirect(_ to: String) -> Response {
        Response(status: .seeOther, headers: [.location: to])
    }

    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Counters

    func counters() async throws -> HTML.Counters {
        var c = HTML.Counters()
        for state in [JobState.running, .waiting] {
            for job in try await client.allJobs(JobFilter(state: state)) {
                if state == .running { c.runningJobs += 1 }
                c.runningNodes += job.instanceMetrics[.running]
                c.waitingNodes += job.instanceMetrics[.waiting]
            }
        }
        return c
    }

    // MARK: Projects

    /// An App bcops made from a RenderProject (its address label), or one carrying the render template.
    static func isRenderApp(_ app: AppStatus) -> Bool {
        if app.labels["bcops.io/address"]?.hasPrefix("RenderProject/") == true { return true }
        if case .object(let env)? = app.description["EnvVars"], env["BCOPS_RENDER_SOFTWARE"] != nil { return true }
        return false
    }

    static func projectName(_ app: AppStatus) -> String {
        if let a = app.labels["bcops.io/address"], a.hasPrefix("RenderProject/") { return String(a.dropFirst("RenderProject/".count)) }
        return app.name
    }

    static func string(_ v: JSONValue?, _ path: [String]) -> String {
        var v = v
        for p in path {
            guard case .object(let o)? = v else { return "" }
            v = o[p]
        }
        return v?.stringValue ?? ""
    }

    func projectsPage() async throws -> String {
        async let counting = counters()
        let apps = try await client.allApps().filter(Self.isRenderApp).sorted { Self.projectName($0) < Self.projectName($1) }
        var rows = ""
        for app in apps {
            let d = JSONValue.object(app.description)
            let name = Self.projectName(app)
            rows += "<tr class=\"project-row\"><td><a href=\"/ui/finished?project=\(HTML.esc(HTML.query(app.name)))\">\(HTML.esc(name))</a></td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["VM", "ECSImageId"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["EnvVars", "BCOPS_RENDER_SOFTWARE"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["OutputParameters", "output", "Default"])))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["OutputParameters", "output", "LocalPath"])))</td>"
            rows += "<td>\(HTML.esc(app.creationTime))</td>"
            rows += "<td>\(HTML.esc(Self.string(d, ["Description"])))</td></tr>\n"
        }
        let body = apps.isEmpty ? "<p>No RenderProjects yet.</p>" : """
            <table id="projects"><tr><th>Name</th><th>Image</th><th>Software</th><th>OSS output</th><th>Local output</th><th>Created</th><th>Description</th></tr>
            \(rows)</table>
            """
        return HTML.page(title: "Projects", counters: try await counting, body: body)
    }

    // MARK: Rendering

    func renderingPage() async throws -> String {
        async let counting = counters()
        let renderApps = Set(try await client.allApps().filter(Self.isRenderApp).map(\.name))
        let jobs = try await JobReader.list(client: client, states: [.running, .waiting])
            .filter { $0.kind == "render" || ($0.app.map(renderApps.contains) ?? false) }
        var rows = ""
        for j in jobs {
            rows += "<tr class=\"job-row\"><td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(j.id)))\">\(HTML.esc(j.name))</a></td>"
            rows += "<td>\(HTML.esc(j.app ?? ""))</td><td>\(j.state.rawValue)</td>"
            rows += "<td class=\"progress\">\(HTML.progress(done: j.instances[.finished], total: j.instances.total))</td>"
            rows += "<td>\(HTML.esc(j.created))</td><td>\(HTML.esc(j.started))</td></tr>\n"
        }
        let body = jobs.isEmpty ? "<p>No render job is running or waiting.</p>" : """
            <table id="rendering"><tr><th>Job</th><th>Project</th><th>State</th><th>Progress (instances)</th><th>Submitted</th><th>Started</th></tr>
            \(rows)</table>
            """
        return HTML.page(title: "Rendering", counters: try await counting, body: body)
    }

    // MARK: Finished

    static func day(_ text: String?, endOfDay: Bool) -> Date? {
        guard let text, !text.isEmpty else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        guard let d = f.date(from: text) else { return nil }
        return endOfDay ? d.addingTimeInterval(86_400 - 0.001) : d
    }

    func finishedPage(_ q: [String: String]) async throws -> String {
        async let counting = counters()
        let state = ["Failed", "Stopped", "Finished"].contains(q["state"] ?? "") ? q["state"]! : "All"
        let name = q["name"] ?? "", project = q["project"] ?? ""
        let perPage = [20, 50, 100].contains(Int(q["perPage"] ?? "") ?? 0) ? Int(q["perPage"]!)! : 20
        let pageNumber = max(1, Int(q["page"] ?? "") ?? 1)
        let submittedFrom = Self.day(q["submittedFrom"], endOfDay: false), submittedTo = Self.day(q["submittedTo"], endOfDay: true)
        let finishedFrom = Self.day(q["finishedFrom"], endOfDay: false), finishedTo = Self.day(q["finishedTo"], endOfDay: true)
        let filter = JobFilter(state: state == "All" ? nil : JobState(rawValue: state), newestFirst: true)
        var jobs = try await client.allJobs(filter).filter { job in
            guard job.state.isEnded else { return false }
            if !name.isEmpty && !job.name.localizedCaseInsensitiveContains(name) { return false }
            let submitted = WireTime.parse(job.creationTime), ended = WireTime.parse(job.endTime)
            if let from = submittedFrom, (submitted ?? .distantPast) < from { return false }
            if let to = submittedTo, (submitted ?? .distantFuture) > to { return false }
            if let from = finishedFrom, (ended ?? .distantPast) < from { return false }
            if let to = finishedTo, (ended ?? .distantFuture) > to { return false }
            return true
        }
        if !project.isEmpty {
            var kept: [JobStatus] = []
            for job in jobs where (try? await client.jobDescription(job.id))?.app.map({ $0.appName == project || $0.appName == ":" + project }) == true {
                kept.append(job)
            }
            jobs = kept
        }
        let pages = max(1, (jobs.count + perPage - 1) / perPage)
        let current = min(pageNumber, pages)
        let shown = jobs.dropFirst((current - 1) * perPage).prefix(perPage)
        var rows = ""
        for j in shown {
            rows += "<tr class=\"job-row\" data-state=\"\(j.state.rawValue)\"><td><a href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(j.id)))\">\(HTML.esc(j.name))</a></td>"
            rows += "<td>\(j.state.rawValue)</td>"
            rows += "<td>\(HTML.progress(done: j.instanceMetrics[.finished], total: j.instanceMetrics.total))</td>"
            rows += "<td>\(HTML.esc(j.creationTime))</td><td>\(HTML.esc(j.endTime))</td>"
            rows += "<td class=\"reason\">\(HTML.esc(j.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))</td></tr>\n"
        }
        func link(page: Int) -> String {
            var items: [(String, String)] = [("state", state), ("perPage", String(perPage)), ("page", String(page))]
            for k in ["name", "project", "submittedFrom", "submittedTo", "finishedFrom", "finishedTo"] {
                if let v = q[k], !v.isEmpty { items.append((k, v)) }
            }
            return HTML.esc("/ui/finished?" + items.map { "\($0.0)=\(HTML.query($0.1))" }.joined(separator: "&"))
        }
        func option(_ value: String, _ selected: String) -> String {
            "<option value=\"\(HTML.esc(value))\"\(value == selected ? " selected" : "")>\(HTML.esc(value))</option>"
        }
        let form = """
            <form class="filters" method="get" action="/ui/finished">
            <label>State <select name="state">\(["All", "Failed", "Stopped", "Finished"].map { option($0, state) }.joined())</select></label>
            <label>Name <input name="name" value="\(HTML.esc(name))"></label>
            <label>Submitted from <input type="date" name="submittedFrom" value="\(HTML.esc(q["submittedFrom"] ?? ""))"></label>
            <label>to <input type="date" name="submittedTo" value="\(HTML.esc(q["submittedTo"] ?? ""))"></label>
            <label>Finished from <input type="date" name="finishedFrom" value="\(HTML.esc(q["finishedFrom"] ?? ""))"></label>
            <label>to <input type="date" name="finishedTo" value="\(HTML.esc(q["finishedTo"] ?? ""))"></label>
            <label>Per page <select name="perPage">\(["20", "50", "100"].map { option($0, String(perPage)) }.joined())</select></label>
            \(project.isEmpty ? "" : "<input type=\"hidden\" name=\"project\" value=\"\(HTML.esc(project))\">")
            <button type="submit">Filter</button></form>
            """
        var nav = "<p class=\"pager\">Page \(current) of \(pages) (\(jobs.count) jobs) "
        if current > 1 { nav += "<a id=\"prev\" href=\"\(link(page: current - 1))\">previous</a> " }
        if current < pages { nav += "<a id=\"next\" href=\"\(link(page: current + 1))\">next</a>" }
        nav += "</p>"
        let table = """
            <table id="finished"><tr><th>Job</th><th>State</th><th>Progress (instances)</th><th>Submitted</th><th>Finished</th><th>Reason</th></tr>
            \(rows)</table>
            """
        let title = project.isEmpty ? "Finished" : "Finished (project \(project))"
        return HTML.page(title: title, counters: try await counting, body: form + "\n" + table + "\n" + nav)
    }

    // MARK: One job

    func jobPage(_ id: String) async throws -> String {
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
        body += "</table>\n<h2>Nodes 节点视图</h2>\n<div class=\"tiles\">"
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

    // MARK: OSS objects

    func object(bucket: String, key: String) async throws -> Response {
        let bytes: [UInt8]
        do { bytes = try await OSSClient(client).get("oss://\(bucket)/\(key)") } catch {
            return html("<p>No object oss://\(HTML.esc(bucket))/\(HTML.esc(key)).</p>", status: .notFound)
        }
        var headers: HTTPFields = [:]
        // Images are shown; anything else is a download, never a page of this origin.
        if let type = Self.imageTypes[(key as NSString).pathExtension.lowercased()] {
            headers[.contentType] = type
        } else {
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = "attachment"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Every answer, errors too: the Content-Security-Policy and `nosniff`.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var csp: HTTPField.Name { HTTPField.Name("Content-Security-Policy")! }
    static var nosniff: HTTPField.Name { HTTPField.Name("X-Content-Type-Options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let text = status == .notFound ? "Not found." : "The dashboard could not read this: \(error)"
            response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><p>\(HTML.esc(text))</p>")))
        }
        response.headers[Self.csp] = Dashboard.contentSecurityPolicy
        response.headers[Self.nosniff] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
