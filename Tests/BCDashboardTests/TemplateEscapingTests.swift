@testable import BCDashboard
import BCAPI
import BCClient
import Foundation
import Testing

/// Issue 17: the dashboard's Mustache templates escape every value. Each converted page's view
/// is rendered with hostile text in every string (names, descriptions, labels, log lines), then
/// each page is read from a real engine holding such objects; no raw `<script` may come out.
@Suite(.serialized) struct TemplateEscapingTests {
    /// A script element, both quotes, an ampersand, and a quote followed by a combining mark
    /// (one Character that is not `"`, which a Character-wise escaper lets through).
    static let hostile = "<script>alert('x')</script> & \"q\" \"\u{301} onmouseover=alert(1) <SCRIPT src=x>"

    /// The page with the dashboard's own `live.js` element taken out: what is left must hold no
    /// `<script` in any case.
    static func rawScripts(_ html: String) -> Int {
        html.replacingOccurrences(of: "<script src=\"/ui/static/live.js\" defer></script>", with: "")
            .lowercased().components(separatedBy: "<script").count - 1
    }

    /// No raw script, no raw quote-with-combining-mark (the attribute it would close).
    static func clean(_ html: String, _ what: String) {
        #expect(rawScripts(html) == 0, "\(what) has a raw <script")
        let rawQuoteMark = html.unicodeScalars.indices.contains { i in
            html.unicodeScalars[i] == "\"" && html.unicodeScalars.index(after: i) < html.unicodeScalars.endIndex
                && html.unicodeScalars[html.unicodeScalars.index(after: i)] == "\u{301}"
        }
        #expect(!rawQuoteMark, "\(what) has a raw quote before a combining mark")
        #expect(html.contains("&lt;script&gt;") || html.contains("&lt;SCRIPT"), "\(what) shows the hostile text, escaped")
    }

    @Test func everyTemplateEscapesHostileText() {
        let h = Self.hostile
        let page = HTML.$syncServed.withValue(true) { HTML.page(title: h, counters: HTML.Counters(), body: "") }
        Self.clean(page, "layout")
        var details = Templates.Details(tableId: "job")
        details.row("Input \(h)", h, id: "job-name", cls: "reason")
        Self.clean(Templates.render("details", details), "details")
        let block = Templates.LogBlock(id: "log-0-stdout", task: h, index: 0, stream: "stdout", text: h + "\n" + h)
        Self.clean(Templates.render("logBlock", block), "logBlock")
        Self.clean(Templates.render("sentence", Templates.Sentence(text: h)), "sentence")
        let node = Templates.JobNode(task: h, index: 0, state: "Running", href: "/ui/jobs/\(h)/nodes/\(h)/0", load: h, start: h, end: h, retries: 0, error: h)
        Self.clean(Templates.render("jobBody", Templates.JobBody(
            details: "", actions: "", nodes: [node], load: "", inlineLogs: true,
            logs: [Templates.InlineLog(task: h, index: 0, label: "stdout", block: block)], count: 1, thumbnails: "")), "jobBody")
        Self.clean(Templates.render("thumbnails", Templates.Thumbnails(output: h, frames: [Templates.Frame(href: h, url: h)])), "thumbnails")
        Self.clean(Templates.render("nodeBody", Templates.NodeBody(jobHref: h, jobName: h, details: "", load: "",
                                                                   logs: [Templates.NodeLog(label: "stdout", block: block)])), "nodeBody")
        let sample = LoadSample(time: h, cpuPercent: 5, rssBytes: 10, processes: 1)
        let load = JobLoad(jobId: h, sampled: true, intervalSeconds: 1, instances: [InstanceLoad(taskName: h, instanceId: 0, pid: 1, samples: [sample])])
        Self.clean(NodeLoadView.table(load, job: h), "nodeLoad")
        Self.clean(NodeLoadView.table(JobLoad(jobId: h, sampled: false, intervalSeconds: 1, note: h, instances: []), job: h), "nodeLoad note")
        Self.clean(Templates.render("finished", Templates.Finished(
            states: [Templates.Option(value: h, selected: true)], perPages: [Templates.Option(value: h, selected: false)],
            name: h, submittedFrom: h, submittedTo: h, finishedFrom: h, finishedTo: h, hasProject: true, project: h,
            rows: [Templates.FinishedRow(state: h, href: h, name: h, progress: h, submitted: h, finished: h, reason: h)],
            current: 1, pages: 2, total: 3, hasPrev: true, prev: h, hasNext: true, next: h)), "finished")
        Self.clean(Templates.render("projects", Templates.Projects(hasRows: true, rows: [Templates.ProjectRow(
            href: h, name: h, image: h, software: h, output: h, localOutput: h, created: h, description: h)])), "projects")
        Self.clean(Templates.render("rendering", Templates.Rendering(hasRows: true, rows: [Templates.RenderingRow(
            href: h, name: h, project: h, state: h, progress: h, created: h, started: h)])), "rendering")
        Self.clean(Templates.render("apps", Templates.Apps(hasRows: true, rows: [Templates.AppRow(
            name: h, image: h, revision: h, owner: h, created: h, description: h)])), "apps")
        Self.clean(Templates.render("clusters", Templates.Clusters(clusters: [Templates.Cluster(
            id: h, name: h, state: h, image: h, runtime: h, revision: h, owner: h, created: h, hasDescription: true, description: h,
            sge: true, sgeHref: h, groups: [Templates.ClusterGroup(name: h, instanceType: h, resourceType: h, desired: 1, actual: 1)])])), "clusters")
        Self.clean(Templates.render("sge", Templates.SGE(clusters: [Templates.SGECluster(
            id: h, name: h, state: h, image: h, owner: h, groups: [Templates.SGEGroup(name: h, role: "master", instanceType: h, desired: 1, running: 1)],
            hasNodes: true, nodes: [Templates.SGENode(state: h, id: h, group: h, hostName: h, address: h)], hasLog: true, log: h)])), "sge")
        Self.clean(Templates.render("workflows", Templates.Workflows(hasRows: true, listLimit: 1, scanLimit: 1, rows: [Templates.WorkflowRow(
            status: h, href: h, name: h, workflow: h, progress: h, jobHref: h, jobId: h, created: h, ended: h)])), "workflows")
        Self.clean(Templates.render("workflowRun", Templates.WorkflowRun(
            name: h, workflow: h, status: h, progress: h, jobHref: h, jobId: h, jobState: h, runId: h, metadata: h, hasReason: true, reason: h,
            hasCalls: true, calls: [Templates.WorkflowCall(state: h, name: h, shard: h, attempt: 1, hasJob: true, jobHref: h, jobId: h,
                                                           cache: h, start: h, end: h, returnCode: h)])), "workflowRun")
        Self.clean(Templates.render("notARun", Templates.Sentence(text: h)), "notARun")
        Self.clean(Templates.render("refused", Templates.Sentence(text: h)), "refused")
        Self.clean(Templates.render("actionError", Templates.ActionError(message: h, jobHref: h)), "actionError")
        Self.clean(Templates.render("sync", Templates.Sync(
            workspace: h, suspended: true, repository: h, branch: h, path: h,
            applied: Templates.Revision(key: "appliedRevision", known: true, full: h, short: h),
            fetched: Templates.Revision(key: "fetchedRevision", known: false, full: "", short: ""),
            lastFetch: h, nextAttempt: h, hasProgress: true, progress: h, reconcile: "",
            conditions: [Templates.Condition(type: h, status: h, reason: h, message: h, since: h)], hasReview: true, reviewMessage: h,
            hasDrift: true, drift: [h], pruneSkipped: true, pruneCount: h,
            hasRenders: true, renders: [Templates.SyncRender(hasLink: true, href: h, name: h, state: h, frames: h, downloadedTo: h)],
            hasWorkflows: true, workflows: [Templates.SyncWorkflow(hasLink: false, href: h, name: h, status: h, calls: h)],
            hasHistory: true, history: [Templates.SyncHistory(result: h, started: h, revision: h, duration: h, trigger: h, actions: h)])), "sync")
        #expect(Self.rawScripts(Templates.render("reconcileForm", Templates.ReconcileForm(loggedIn: true, csrf: h))) == 0)
        #expect(Self.rawScripts(Templates.render("login", Templates.Login(loggedIn: true, csrf: h, failed: false, apiToken: false))) == 0)
        #expect(Self.rawScripts(Templates.render("actionForms", Templates.ActionForms(loggedIn: true, path: h, csrf: h, canStop: true, canRetry: true))) == 0)
        Self.clean(Templates.render("images", Templates.Images(
            images: [Templates.ImageRow(id: h, name: h, type: h, platform: h, ecsImage: h, description: h,
                                        users: [Templates.ImageUser(br: false, name: h), Templates.ImageUser(br: true, name: h)])],
            hasProjects: true, projects: [Templates.Software(
                project: h, software: h, image: h, app: h, revision: h, builtIn: false, commandLine: h,
                variables: [Templates.SoftwareVariable(name: h, meaning: h)], hasParameters: true,
                parameters: [Templates.SoftwareParameter(name: h, defaultValue: h, description: h)])])), "images")
    }

    /// Every template parses (the library is built once, at the first render).
    @Test func everyTemplateParses() {
        for name in Templates.sources.keys { #expect(Templates.library.getTemplate(named: name) != nil, "\(name)") }
    }

    @Test func everyConvertedPageEscapesHostileObjects() async throws {
        let live = try LiveEngine()
        defer { live.stop() }
        let h = Self.hostile
        _ = try await live.client.createApp(try DashboardTests.value([
            "Name": "hostile_project", "Description": h, "CommandLine": "true", "VM": ["ECSImageId": "img-ubuntu"],
            "EnvVars": ["BCOPS_RENDER_SOFTWARE": h],
            "Labels": ["bcops.io/address": "RenderProject/\(h)", "bcops.io/workspace": h, "bcops.io/revision": h]]))
        _ = try await live.client.createCluster(try DashboardTests.value([
            "Name": h, "ImageId": "img-ubuntu", "Runtime": "host", "Description": h,
            "Labels": ["bcops.io/address": "Cluster/\(h)", "bcops.io/workspace": h],
            "Groups": ["g": ["DesiredVMCount": 0, "InstanceType": "ecs.sn1.medium"]]]))
        let command = "printf '%s\\n' \"$X\"; printf '%s\\n' \"$X\" >&2; sleep 3"
        var job = try LiveEngine.job(h, command)
        if case .object(var o) = job {
            o["Description"] = .string(h)
            job = .object(o)
        }
        let id = try await live.client.createJob(try Self.withEnv(job, ["X": h])).id
        // While it runs (the rendering list and the node's load), then once it has ended.
        try await LiveEngine.until("the job runs") { try await live.client.job(id).state == .running }
        for path in ["/ui/rendering", "/ui/jobs/\(id)", "/ui/jobs/\(id)/nodes/t/0"] {
            let page = try await live.get(path)
            #expect(page.status == 200)
            #expect(Self.rawScripts(page.body) == 0, "\(path) has a raw <script")
        }
        try await DashboardTests.waitEnded(live.client, [id], seconds: 60)
        let query = h.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        // A hostile job id or task name in the path: whatever the answer, no raw script.
        for path in ["/ui/jobs/\(query)", "/ui/jobs/\(id)/nodes/\(query)/0"] {
            let page = try await live.get(path)
            #expect(Self.rawScripts(page.body) == 0, "\(path) has a raw <script")
        }
        for path in ["/ui/projects", "/ui/finished", "/ui/finished?name=\(query)&project=\(query)&submittedFrom=\(query)",
                     "/ui/jobs/\(id)", "/ui/jobs/\(id)/nodes/t/0", "/ui/apps", "/ui/clusters", "/ui/images"] {
            let page = try await live.get(path)
            #expect(page.status == 200 || page.status == 404, "\(path): \(page.status)")
            Self.clean(page.body, path)
        }
        let node = try await live.get("/ui/jobs/\(id)/nodes/t/0")
        #expect(node.body.contains(MarkupEscaping.escape(h)), "the log line, escaped")
    }

    /// `job` with `env` in its task's environment.
    static func withEnv(_ job: JSONValue, _ env: [String: String]) throws -> JSONValue {
        guard case .object(var o) = job, case .object(var dag)? = o["DAG"], case .object(var tasks)? = dag["Tasks"],
              case .object(var t)? = tasks["t"], case .object(var p)? = t["Parameters"] else { return job }
        p["Command"] = .object((p["Command"]?.objectValue ?? [:]).merging(["EnvVars": .object(env.mapValues(JSONValue.string))]) { $1 })
        t["Parameters"] = .object(p); tasks["t"] = .object(t); dag["Tasks"] = .object(tasks); o["DAG"] = .object(dag)
        return .object(o)
    }
}
