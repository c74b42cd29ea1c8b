import Foundation

/// The controller's Prometheus metrics, written in the text exposition format (0.0.4) by hand:
/// a handful of series do not need a metrics library.
public struct Metrics: Sendable {
    /// Buckets of the duration histograms, in seconds.
    public static let buckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    struct Histogram: Sendable {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ value: Double) {
            for (i, bound) in Metrics.buckets.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    var reconcile: [[String]: Histogram] = [:]  // [workspace, result]
    var fetch = Histogram()
    var syncTotal: [String: Int] = [:]          // result
    /// Owned resources by kind and readiness, from the last plan.
    public var resources: [String: (ready: Int, notReady: Int)] = [:]
    /// Engine jobs by state, from the last look.
    public var jobs: [String: Int] = [:]

    public init() {}

    public mutating func observeReconcile(workspace: String, result: String, seconds: Double) {
        reconcile[[workspace, result], default: Histogram()].observe(seconds)
        syncTotal[result, default: 0] += 1
    }

    public mutating func observeFetch(seconds: Double) { fetch.observe(seconds) }

    public func text() -> String {
        var out = ""
        out += "# HELP bcops_reconcile_duration_seconds Time a reconciliation (fetch, plan, apply) took.\n"
        out += "# TYPE bcops_reconcile_duration_seconds histogram\n"
        for (key, h) in reconcile.sorted(by: { $0.key.joined() < $1.key.joined() }) {
            out += Metrics.histogram("bcops_reconcile_duration_seconds", h, labels: "workspace=\"\(Metrics.escape(key[0]))\",result=\"\(key[1])\"")
        }
        out += "# HELP bcops_git_fetch_duration_seconds Time a git fetch of the tracked repository took.\n"
        out += "# TYPE bcops_git_fetch_duration_seconds histogram\n"
        out += Metrics.histogram("bcops_git_fetch_duration_seconds", fetch, labels: nil)
        out += "# HELP bcops_sync_total Reconciliations by result.\n# TYPE bcops_sync_total counter\n"
        for (result, n) in syncTotal.sorted(by: { $0.key < $1.key }) { out += "bcops_sync_total{result=\"\(result)\"} \(n)\n" }
        out += "# HELP bcops_resources Resources the manifests declare, by kind and whether the live estate matches.\n# TYPE bcops_resources gauge\n"
        for (kind, c) in resources.sorted(by: { $0.key < $1.key }) {
            out += "bcops_resources{kind=\"\(kind)\",ready=\"true\"} \(c.ready)\n"
            out += "bcops_resources{kind=\"\(kind)\",ready=\"false\"} \(c.notReady)\n"
        }
        out += "# HELP bcops_engine_jobs Jobs on the engine by state.\n# TYPE bcops_engine_jobs gauge\n"
        for (state, n) in jobs.sorted(by: { $0.key < $1.key }) { out += "bcops_engine_jobs{state=\"\(state)\"} \(n)\n" }
        return out
    }

    static func histogram(_ name: String, _ h: Histogram, labels: String?) -> String {
        let prefix = labels.map { $0 + "," } ?? ""
        var out = ""
        for (i, bound) in buckets.enumerated() {
            out += "\(name)_bucket{\(prefix)le=\"\(format(bound))\"} \(h.counts[i])\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
        let braces = labels.map { "{\($0)}" } ?? ""
        out += "\(name)_sum\(braces) \(format(h.sum))\n\(name)_count\(braces) \(h.count)\n"
        return out
    }

    static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
