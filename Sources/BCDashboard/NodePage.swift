import BCAPI
import BCClient
import Foundation

/// One node of a job (`/ui/jobs/<job>/nodes/<task>/<n>`): its state, its load with history,
/// and its three logs — the renderer's stdout and stderr and the worker's log (what the
/// engine did for it) — kept fresh by live.js while it runs. A job page links here from each
/// tile and row; for a big job this is the only place its logs are read. The markup is the
/// `nodeBody` template (`NodeTemplate.swift`).
extension Dashboard {
    func nodePage(_ id: String, task: String, instance n: Int) async throws -> String {
        async let counting = counters()
        async let loading = try? client.load(of: id)
        let instance: InstanceStatus
        do { instance = try await client.instance(of: id, task: task, index: n) } catch let e as APIError where e.status == 404 {
            let text = "The engine has no instance \(n) of task \(task) in job \(id)."
            return HTML.page(title: "No node", counters: try await counting,
                             body: Templates.render("sentence", Templates.Sentence(text: text)), poll: nil)
        }
        let job = try? await client.job(id)
        let logs = await readLogs(id, [(task, n)])
        var details = Templates.Details(tableId: "node")
        details.row("Task", task, id: "node-task")
        details.row("Instance", String(n), id: "node-instance")
        details.row("State", instance.state.rawValue, id: "node-state")
        details.row("Started", instance.startTime)
        details.row("Finished", instance.endTime)
        details.row("Retries", String(instance.retryCount))
        details.row("Exit code", instance.state.isEnded && instance.state != .stopped ? String(instance.result.exitCode) : "")
        details.row("Error", instance.result.errorMessage, id: "node-error", cls: "reason")
        let load = await loading
        let mine = load.map { l in JobLoad(jobId: l.jobId, sampled: l.sampled, intervalSeconds: l.intervalSeconds, note: l.note,
                                           instances: l.instances.filter { $0.taskName == task && $0.instanceId == n }) }
        let body = Templates.NodeBody(
            jobHref: "/ui/jobs/\(HTML.pathSegment(id))", jobName: job?.name ?? id,
            details: Templates.render("details", details), load: NodeLoadView.table(mine, job: id, links: false),
            logs: LogStream.all.enumerated().map { s, stream in
                Templates.NodeLog(label: stream == LogStream.worker ? "Worker log" : stream,
                                  block: Templates.LogBlock(id: "log-\(stream)", task: task, index: n, stream: stream, text: logs[s]))
            })
        return HTML.page(title: "\(job?.name ?? id) · \(task) #\(n)", counters: try await counting, body: Templates.render("nodeBody", body),
                         poll: instance.state.isEnded ? LiveUpdates.defaultPoll : LiveUpdates.runningPoll)
    }
}
