import Foundation
import BCAPI

/// The dashboard's page frame and the helpers its templates' view models use. The markup is in
/// Mustache templates (`Templates.swift`), which escape every value. `esc` is left only for the
/// one-line error answers of HostCheck, SecurityHeaders and OSSObjects, which are no page.
public enum HTML {
    /// Escapes text for an element's content or a double- or single-quoted attribute value.
    public static func esc(_ s: some StringProtocol) -> String { MarkupEscaping.escape(s) }

    /// A query-string component (then escaped again for the attribute it sits in).
    public static func query(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A path segment of a URL the dashboard links to.
    public static func pathSegment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The three counters of the Render Manager's header.
    public struct Counters: Sendable {
        public var runningJobs = 0
        public var runningNodes = 0
        public var waitingNodes = 0
        public init(runningJobs: Int = 0, runningNodes: Int = 0, waitingNodes: Int = 0) {
            self.runningJobs = runningJobs; self.runningNodes = runningNodes; self.waitingNodes = waitingNodes
        }
    }

    static let style = """
        body{font-family:sans-serif;margin:0;color:#222}
        header{background:#1f2d3d;color:#fff;padding:8px 16px}
        header a{color:#cde;margin-right:12px}
        .counters{display:flex;gap:24px;margin-top:6px}
        .counter b{font-size:1.3em;margin-left:4px}
        main{padding:12px 16px}
        table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:.9em}
        .tiles{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
        .node-tile{width:90px;height:48px;border-radius:4px;color:#fff;padding:4px;font-size:.8em}
        .node-tile[data-state=Finished]{background:#2e7d32}
        .node-tile[data-state=Failed]{background:#c62828}
        .node-tile[data-state=Running]{background:#1565c0}
        .node-tile[data-state=Waiting]{background:#9e9e9e}
        .node-tile[data-state=Stopped]{background:#ef6c00}
        pre.node-log{background:#f4f4f4;border:1px solid #ddd;padding:6px;max-height:320px;overflow:auto;white-space:pre-wrap}
        img.thumb{max-width:160px;max-height:120px;margin:4px;border:1px solid #ccc}
        .reason{color:#c62828;white-space:pre-wrap}
        form.filters label{margin-right:10px}
        """

    /// A whole page: the header with its counters and navigation, then `body` (already HTML).
    /// `poll`: every how many seconds /ui/static/live.js refreshes the page's live parts (the
    /// counters and each `data-live` element) without a reload (`LiveUpdates.swift`); nil: never.
    public static func page(title: String, counters: Counters, body: String, poll: Int? = LiveUpdates.defaultPoll) -> String {
        Templates.render("layout", Templates.Layout(
            title: title, runningJobs: counters.runningJobs, runningNodes: counters.runningNodes,
            waitingNodes: counters.waitingNodes, hasPoll: poll != nil, poll: poll ?? 0, sync: syncServed,
            body: body, style: style + LiveUpdates.style))
    }

    /// `12/30 (40%)`.
    public static func progress(done: Int, total: Int) -> String {
        let pct = total > 0 ? done * 100 / total : 0
        return "\(done)/\(total) (\(pct)%)"
    }
}
