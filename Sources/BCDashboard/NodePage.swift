import BCAPI
import BCClient
import Foundation

/// One node of a job (`/ui/jobs/<job>/nodes/<task>/<n>`): its state, its load with history,
/// and its three logs — the renderer's stdout and stderr and the worker's log (what the
/// engine did for it) — kept fresh by live.js while it runs. A job page links here from each
/// tile and row; for a big job this is the only place its logs are read.
extension Dashboard {
    func nodePage(_ id: String, task: String, instance n: Int) async throws -> String {
        async let counting = counters()
        async let loading = try? client.load(of: id)
        let instance: InstanceStatus
        do { instance = try await client.instance(of: id, task: task, index: n) } catch let e as APIError where e.status == 404 {
            return HTML.page(title: "No node", counters: try await counting,
                             body: "<p>The engine has no instance \(n) of task \(HTML.esc(task)) in job \(HTML.esc(id)).</p>", poll: nil)
        }
        let job = try? await client.job(id)
        let logs = await readLogs(id, [(task, n)])
        var body = "<p><a id=\"job-link\" href=\"/ui/jobs/\(HTML.esc(HTML.pathSegment(id)))\">← job \(HTML.esc(job?.name ?? id))</a></p>\n"
        body += "<table id=\"node\" data-live>"
        func row(_ k: String, _ v: String, id: String? = nil, cls: String? = nil) {
            body += "<tr><th>\(k)</th><td\(id.map { " id=\"\($0)\"" } ?? "")\(cls.map { " class=\"\($0)\"" } ?? "")>\(HTML.esc(v))</td></tr>"
        }
        row("Task", task, id: "node-task")
        row("Instance", String(n), id: "node-instance")
        row("State", instance.state.rawValue, id: "node-state")
        row("Started", instance.startTime)
        row("Finished", instance.endTime)
        row("Retries", String(instance.retryCount))
        row("Exit code", instance.state.isEnded && instance.state != .stopped ? String(instance.result.exitCode) : "")
        row("Error", instance.result.errorMessage, id: "node-error", cls: "reason")
        body += "</table>\n<h2>Load</h2>\n"
        let load = await loading
        let mine = load.map { l in JobLoad(jobId: l.jobId, sampled: l.sampled, intervalSeconds: l.intervalSeconds, note: l.note,
                                           instances: l.instances.filter { $0.taskName == task && $0.instanceId == n }) }
        body += NodeLoadView.table(mine, job: id, links: false)
        body += "\n<h2>Logs</h2>\n"
        for (s, stream) in LogStream.all.enumerated() {
            body += "<h3>\(stream == LogStream.worker ? "Worker log" : stream)</h3>\n"
            body += Self.logBlock(logs[s], task: task, index: n, stream: stream, id: "log-\(stream)")
        }
        return HTML.page(title: "\(job?.name ?? id) · \(task) #\(n)", counters: try await counting, body: body,
                         poll: instance.state.isEnded ? LiveUpdates.defaultPoll : LiveUpdates.runningPoll)
    }
}
