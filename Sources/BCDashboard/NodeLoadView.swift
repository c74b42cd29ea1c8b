import BCAPI
import Foundation

/// Node load as the pages show it: current CPU and memory, and tiny inline SVG sparklines of
/// the engine's last samples, drawn on the server (no script, no external asset). The markup is
/// the `nodeLoad` template (`NodeLoadTemplate.swift`); this builds its view.
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
    static func sparkline(_ values: [Double], ceiling: Double? = nil, kind: String, width: Int = 80, height: Int = 18, label: String) -> Templates.Sparkline {
        let top = max(ceiling ?? 0, values.max() ?? 0, 1e-9)
        let step = values.count > 1 ? Double(width - 2) / Double(values.count - 1) : 0
        let points = values.enumerated().map { i, v in
            String(format: "%.1f,%.1f", 1 + Double(i) * step, Double(height - 1) - v / top * Double(height - 2))
        }.joined(separator: " ")
        let single = values.count == 1 ? " " + String(format: "%.1f,%.1f", Double(width - 1), Double(height - 1) - values[0] / top * Double(height - 2)) : ""
        return Templates.Sparkline(kind: kind, width: width, height: height, label: label, points: points + single)
    }

    /// What a running tile says under its state: `CPU 98% · 12.0 MiB` (nil: no sample yet).
    static func tileLine(_ load: InstanceLoad?) -> String? {
        guard let last = load?.samples.last else { return nil }
        return "CPU \(percent(last.cpuPercent)) · \(bytes(last.rssBytes))"
    }

    /// The node-load section: one row per sampled instance, or why there is none.
    static func table(_ load: JobLoad?, job: String, links: Bool = true) -> String {
        Templates.render("nodeLoad", view(load, job: job, links: links))
    }

    static func view(_ load: JobLoad?, job: String, links: Bool) -> Templates.NodeLoad {
        var view = Templates.NodeLoad()
        guard let load else { view.unreadable = true; return view }
        guard load.sampled else {
            view.notSampled = true
            view.note = load.note.isEmpty ? "Not sampled." : load.note.prefix(1).uppercased() + load.note.dropFirst()
            return view
        }
        view.every = load.intervalSeconds == load.intervalSeconds.rounded() ? String(Int(load.intervalSeconds)) : String(load.intervalSeconds)
        guard !load.instances.isEmpty else { view.idle = true; return view }
        view.table = true
        view.samples = load.instances.map(\.samples.count).max() ?? 0
        for i in load.instances {
            guard let last = i.samples.last else { continue }
            view.rows.append(Templates.NodeLoadRow(
                task: i.taskName, instance: i.instanceId, link: links,
                href: links ? Dashboard.nodePath(job, task: i.taskName, index: i.instanceId) : "",
                pid: Int(i.pid), processes: Int(last.processes),
                cpu: "\(last.cpuPercent)", cpuText: percent(last.cpuPercent),
                cpuSpark: sparkline(i.samples.map(\.cpuPercent), ceiling: 100, kind: "cpu", label: "CPU over the last \(i.samples.count) samples"),
                rss: "\(last.rssBytes)", rssText: bytes(last.rssBytes),
                rssSpark: sparkline(i.samples.map { Double($0.rssBytes) }, kind: "mem", label: "memory over the last \(i.samples.count) samples")))
        }
        return view
    }
}
