import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// 已结束的任务: ended jobs with filters and pages.
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
        let shown = answer.items
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
        var nav = "<p class=\"pager\">Page \(current) of \(pages) (\(total) jobs) "
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
}
