import Foundation

/// Phase timings on standard error when BCOPS_LOG=debug, as structured `key=value` lines:
/// the phase's seconds, and `at`, seconds since the first clock started (phases of the
/// background task, which overlap loading, say `background`). `bench/plan.sh` prints them
/// for one plan; the reconcile session laps one per step.
public struct PhaseClock: Sendable {
    static let start = Date()
    let enabled = ProcessInfo.processInfo.environment["BCOPS_LOG"]?.lowercased() == "debug"
    var prefix = ""
    var last = PhaseClock.start

    public init(prefix: String = "") {
        self.prefix = prefix
        last = enabled ? Date() : PhaseClock.start
    }

    public mutating func lap(_ what: String) {
        guard enabled else { return }
        let now = Date()
        var line = "level=debug phase=\"\(prefix)\(what)\" seconds=\(String(format: "%.3f", now.timeIntervalSince(last))) at=\(String(format: "%.3f", now.timeIntervalSince(PhaseClock.start))) rss_mb=\(PhaseClock.residentMB())\n"
        line.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
        last = now
    }

    /// The process's resident memory now, from /proc (0 where there is none).
    static func residentMB() -> Int {
        guard let data = FileHandle(forReadingAtPath: "/proc/self/statm")?.readDataToEndOfFile(),
              let pages = String(decoding: data, as: UTF8.self).split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return (pages * Int(sysconf(Int32(_SC_PAGESIZE)))) >> 20
    }
}
