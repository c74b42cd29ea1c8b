import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 已结束的任务: ended jobs with filters and pages. The markup is the `finished` template
/// (`FinishedTemplate.swift`); this reads one page through the client and builds its view.
extension Dashboard {

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
        // One call for the page and its count: the engine filters, orders and pages
        // (ListJobs' bcops extensions), so a page costs the same over 10,000 jobs as over 30.
        let filter = JobFilter(states: state == "All" ? JobFilter.ended : [JobState(rawValue: state)!], newestFirst: true,
                               nameContains: name, appName: project, createdFrom: submittedFrom, createdTo: submittedTo,
                               endedFrom: finishedFrom, endedTo: finishedTo)
        var answer = try await client.jobs(filter, page: OffsetPage(offset: (pageNumber - 1) * perPage, size: perPage))
        var total = answer.totalCount ?? answer.items.count
        let pages = max(1, (total + perPage - 1) / perPage)
        let current = min(pageNumber, pages)
        if current != pageNumber {  // past the end: the last page
            answer = try await client.jobs(filter, page: OffsetPage(offset: (current - 1) * perPage, size: perPage))
            total = answer.totalCount ?? total
        }
        let rows = answer.items.map { j in
            Templates.FinishedRow(
                state: j.state.rawValue, href: "/ui/jobs/\(HTML.pathSegment(j.id))", name: j.name,
                progress: HTML.progress(done: j.instanceMetrics[.finished], total: j.instanceMetrics.total),
                submitted: j.creationTime, finished: j.endTime,
                reason: String(j.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
        }
        func link(page: Int) -> String {
            var items: [(String, String)] = [("state", state), ("perPage", String(perPage)), ("page", String(page))]
            for k in ["name", "project", "submittedFrom", "submittedTo", "finishedFrom", "finishedTo"] {
                if let v = q[k], !v.isEmpty { items.append((k, v)) }
            }
            return "/ui/finished?" + items.map { "\($0.0)=\(HTML.query($0.1))" }.joined(separator: "&")
        }
        let view = Templates.Finished(
            states: ["All", "Failed", "Stopped", "Finished"].map { Templates.Option(value: $0, selected: $0 == state) },
            perPages: ["20", "50", "100"].map { Templates.Option(value: $0, selected: $0 == String(perPage)) },
            name: name, submittedFrom: q["submittedFrom"] ?? "", submittedTo: q["submittedTo"] ?? "",
            finishedFrom: q["finishedFrom"] ?? "", finishedTo: q["finishedTo"] ?? "",
            hasProject: !project.isEmpty, project: project, rows: rows, current: current, pages: pages, total: total,
            hasPrev: current > 1, prev: current > 1 ? link(page: current - 1) : "",
            hasNext: current < pages, next: current < pages ? link(page: current + 1) : "")
        let title = project.isEmpty ? "Finished" : "Finished (project \(project))"
        return HTML.page(title: title, counters: try await counting, body: Templates.render("finished", view))
    }
}
