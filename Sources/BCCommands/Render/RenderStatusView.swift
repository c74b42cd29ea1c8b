import BCModel
import BCRender
import BCRenderClient
import Foundation

/// `bcctl render status` for a person: a headline, the per-node table and the frame grid
/// (`#` done, `>` rendering, `x` failed, `.` waiting).
enum RenderStatusView {
    /// `width`: where failure reasons wrap (the terminal's width, 80 when not a terminal).
    static func text(_ s: RenderJobSnapshot, width: Int = TextWrap.terminalWidth) -> String {
        let states = s.frameStates()
        let done = states.filter { $0.state == .done }.count
        var out = "RenderJob \(s.name) (\(s.id)): \(s.state.rawValue), \(done)/\(states.count) frames rendered"
        if let elapsed = s.elapsed { out += " in \(String(format: "%.1f", elapsed)) s" }
        out += "\n"
        if !s.message.isEmpty {
            let lines = TextWrap.wrap(s.message, width: width, indent: "        ")
            out += "reason: " + lines.joined(separator: "\n").dropFirst(8) + "\n"
        }
        out += "frames \(s.frames.text) on \(s.nodes.count) node\(s.nodes.count == 1 ? "" : "s"), output \(s.output)\n\n"
        var rows = [["NODE", "FRAMES", "STATE", "DONE", "CPU TIME", "LAST LINE"]]
        var reasons: [Int: String] = [:]
        for n in s.nodes {
            let nodeDone = n.state == .finished ? n.frames.count : min(n.frames.count, n.progress.framesSaved)
            let state = n.retries > 0 ? "\(n.state.rawValue) (retry \(n.retries))" : n.state.rawValue
            // The renderer's last line, cut to fit; a failure's reason whole, under the node's row.
            let last = n.progress.lastLine ?? ""
            if let error = n.error { reasons[rows.count] = error }
            rows.append([String(n.index), n.frames.isEmpty ? "-" : FrameSplit.describe(n.frames), state, "\(nodeDone)/\(n.frames.count)",
                         n.cpuSeconds.map { String(format: "%.2f s", $0) } ?? "-", String(last.prefix(70))])
        }
        out += table(rows, notes: reasons, width: width)
        out += "\n" + grid(states)
        let failed = states.filter { $0.state == .failed }.map(\.frame)
        if !failed.isEmpty { out += "failed frames: \(FrameSplit.describe(failed))\n" }
        return out
    }

    /// Ten frames a row, each row labelled with its first frame.
    static func grid(_ states: [(frame: Int, state: RenderJobSnapshot.FrameState)]) -> String {
        var out = ""
        let width = String(states.last?.frame ?? 0).count
        for start in stride(from: 0, to: states.count, by: 10) {
            let row = states[start..<min(start + 10, states.count)]
            let label = String(row.first!.frame)
            out += String(repeating: " ", count: width - label.count) + label + "  "
            out += row.map { symbol($0.state) }.joined() + "\n"
        }
        return out
    }

    static func symbol(_ s: RenderJobSnapshot.FrameState) -> String {
        switch s { case .done: "#"; case .rendering: ">"; case .failed: "x"; case .waiting: "." }
    }

    /// `notes`: text shown whole under a row (by row index), wrapped to `width` and indented
    /// to the second column: `reason: …`.
    static func table(_ rows: [[String]], notes: [Int: String] = [:], width: Int = 80) -> String {
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        let indent = String(repeating: " ", count: widths[0] + 2)
        return rows.enumerated().map { r, row in
            var line = row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
            if let note = notes[r] {
                let wrapped = TextWrap.wrap("reason: " + note, width: width, indent: indent)
                line += "\n" + wrapped.joined(separator: "\n")
            }
            return line
        }.joined(separator: "\n") + "\n"
    }
}
