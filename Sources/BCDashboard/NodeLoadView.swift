import BCAPI
import Foundation

/// Node load as the pages show it: current CPU and memory, and tiny inline SVG sparklines of
/// the engine's last samples, drawn on the server (no script, no external asset).
enum NodeLoadView {
    /// `1.5 GiB`, `12.0 MiB`, `640 KiB`.
    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func percent(_ p: Double) -> String { String(format: "%.0f%%", p) }

    /// A polyline of `values` scaled to `height` over `width` (the top is `ceiling`, or the
    /// largest value): a flat line at the bottom is a stuck node, one climbing to the top a
    /// node whose memory grows.
    static func sparkline(_ values: [Double], ceiling: Double? = nil, kind: String, width: Int = 80, height: Int = 18, label: String) -> String {
        let top = max(ceiling ?? 0, values.max() ?? 0, 1e-9)
        let step = values.count > 1 ? Double(width - 2) / Double(values.count - 1) : 0
        let points = values.enumerated().map { i, v in
            String(format: "%.1f,%.1f", 1 + Double(i) * step, Double(height - 1) - v / top * Double(height - 2))
        }.joined(separator: " ")
        let single = values.count == 1 ? " " + String(format: "%.1f,%.1f", Double(width - 1), Double(height - 1) - values[0] / top * Double(height - 2)) : ""
        return "<svg class=\"spark \(kind)\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.esc(label))\"><polyline points=\"\(points)\(single)\"/></svg>"
    }

    /// What a running tile says under its state: `CPU 98% · 12.0 MiB`.
    static func tileLine(_ load: InstanceLoad?) -> String {
        guard let last = load?.samples.last else { return "" }
        return "<span class=\"load\">CPU \(percent(last.cpuPercent)) · \(bytes(last.rssBytes))</span>"
    }

    /// The node-load section: one row per sampled instance, or why there is none.
    static func table(_ load: JobLoad?, job: String, links: Bool = true) -> String {
        guard let load else { return "<div id=\"load\" data-live><p>The engine's node load could not be read.</p></div>" }
        guard load.sampled else { return "<div id=\"load\" data-live><p class=\"not-sampled\">\(HTML.esc(load.note.isEmpty ? "Not sampled." : load.note.prefix(1).uppercased() + load.note.dropFirst()))</p></div>" }
        let every = load.intervalSeconds == load.intervalSeconds.rounded() ? String(Int(load.intervalSeconds)) : String(load.intervalSeconds)
        guard !load.instances.isEmpty else {
            return "<div id=\"load\" data-live><p>No node of this job is running (sampled every \(every) s).</p></div>"
        }
        var html = "<div id=\"load\" data-live><p>Sampled every \(every) s from each node's process tree; the last \(load.instances.map(\.samples.count).max() ?? 0) samples.</p>"
        html += "<table id=\"load-table\"><tr><th>Task</th><th>Instance</th><th>PID</th><th>Processes</th><th>CPU</th><th>CPU history</th><th>Memory</th><th>Memory history</th></tr>"
        for i in load.instances {
            guard let last = i.samples.last else { continue }
            let name = links ? "<a href=\"\(HTML.esc(Dashboard.nodePath(job, task: i.taskName, index: i.instanceId)))\">\(i.instanceId)</a>" : String(i.instanceId)
            html += "<tr class=\"load-row\" data-task=\"\(HTML.esc(i.taskName))\" data-instance=\"\(i.instanceId)\"><td>\(HTML.esc(i.taskName))</td><td>\(name)</td><td>\(i.pid)</td><td>\(last.processes)</td>"
            html += "<td class=\"cpu\" data-cpu=\"\(last.cpuPercent)\">\(percent(last.cpuPercent))</td>"
            html += "<td>\(sparkline(i.samples.map(\.cpuPercent), ceiling: 100, kind: "cpu", label: "CPU over the last \(i.samples.count) samples"))</td>"
            html += "<td class=\"rss\" data-rss=\"\(last.rssBytes)\">\(bytes(last.rssBytes))</td>"
            html += "<td>\(sparkline(i.samples.map { Double($0.rssBytes) }, kind: "mem", label: "memory over the last \(i.samples.count) samples"))</td></tr>"
        }
        return html + "</table></div>"
    }
}
