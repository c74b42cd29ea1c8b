import BCAPI
import BCEngine
import Foundation

/// `bcbench encode [ROUNDS]`: the engine's answers written by Foundation's JSONEncoder (from
/// the contract's types, as the engine does now) against its hand-written writer (from the
/// `[String: Any]` tree the handlers used to build), on the same data: one JobStatus and a
/// page of 50, the answers of `GET /jobs/{id}` and `GET /jobs` that bench/api.sh loads. Each
/// side is timed building its input from the same values and writing it, as a handler does;
/// best of ROUNDS, in CPU time of the benchmark's thread.
enum EncodeBenchmark {
    static func run(rounds: Int) throws {
        let one = job(0)
        let page = Page(items: (0..<50).map(job), nextMarker: "job-0000000000000000000000000000003Z")
        let shared = AnswerEncoding.encoder
        func fresh() -> JSONEncoder {
            let e = JSONEncoder()
            e.outputFormatting = [.withoutEscapingSlashes]
            return e
        }
        // Both sides must say the same thing, or the race is between different answers.
        for (a, b) in [(try shared.encode(one), JSONWriter.data(tree(one))), (try shared.encode(page), JSONWriter.data(tree(page)))] {
            let x = try JSONSerialization.jsonObject(with: a) as! NSDictionary, y = try JSONSerialization.jsonObject(with: b) as! NSDictionary
            precondition(x == y, "the two writers disagree:\n\(String(decoding: a, as: UTF8.self))\n\(String(decoding: b, as: UTF8.self))")
        }
        print("same answers: JobStatus \(try shared.encode(one).count) bytes, page of 50 \(try shared.encode(page).count) bytes")
        let n1 = 20_000, n50 = 1_000
        let rows: [(String, Int, () throws -> Int)] = [
            ("JobStatus  JSONEncoder (shared)", n1, { try shared.encode(one).count }),
            ("JobStatus  JSONEncoder (per call)", n1, { try fresh().encode(one).count }),
            ("JobStatus  hand-written tree+writer", n1, { JSONWriter.data(tree(one)).count }),
            ("page of 50 JSONEncoder (shared)", n50, { try shared.encode(page).count }),
            ("page of 50 JSONEncoder (per call)", n50, { try fresh().encode(page).count }),
            ("page of 50 hand-written tree+writer", n50, { JSONWriter.data(tree(page)).count }),
        ]
        var best: [String: Double] = [:]
        for _ in 0..<rounds {
            for (name, n, work) in rows {
                var bytes = 0
                let t = cpuTime()
                for _ in 0..<n { bytes &+= try work() }
                precondition(bytes > 0)
                best[name] = min(best[name] ?? .infinity, (cpuTime() - t) / Double(n) * 1e6)
            }
        }
        for (name, _, _) in rows { print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "%9.2f µs", best[name]!)) }
        for what in ["JobStatus ", "page of 50"] {
            let encoder = best["\(what) JSONEncoder (shared)"]!, hand = best["\(what) hand-written tree+writer"]!
            print(what.trimmingCharacters(in: .whitespaces) + String(format: ": JSONEncoder / hand-written = %.2f", encoder / hand))
        }
    }

    /// This thread's CPU seconds: on a shared machine, other processes' load does not count.
    static func cpuTime() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// A job as a workspace's jobs look: bcops' labels, metrics, times.
    static func job(_ i: Int) -> JobStatus {
        JobStatus(id: String(format: "job-00000000678A1B2C00000000%08X", i), name: "render-shot-\(i)", priority: 1, state: .running,
                  creationTime: "2026-01-17T10:00:00.000000Z", startTime: "2026-01-17T10:00:01.250000Z",
                  taskMetrics: StateCounts([.running: 1, .waiting: 1]), instanceMetrics: StateCounts([.running: 8, .waiting: 24, .finished: 32]),
                  labels: ["bcops.io/workspace": "studio", "bcops.io/managed-by": "bcops", "bcops.io/name": "render-shot-\(i)",
                           "bcops.io/hash": "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])
    }

    /// The tree the handlers built before the contract had types (JobsAPI.jobJSON).
    static func tree(_ j: JobStatus) -> [String: Any] {
        func metrics(_ c: StateCounts) -> [String: Any] {
            var out: [String: Any] = [:]
            for s in RunState.allCases { out["\(s.rawValue)Count"] = c[s] }
            return out
        }
        return [
            "Labels": j.labels as [String: Any],
            "Id": j.id, "Name": j.name, "Priority": j.priority, "Owner": j.owner, "State": j.state.rawValue, "Message": j.message,
            "CreationTime": j.creationTime, "StartTime": j.startTime, "EndTime": j.endTime,
            "TaskMetrics": metrics(j.taskMetrics), "InstanceMetrics": metrics(j.instanceMetrics),
        ]
    }

    static func tree(_ p: Page<JobStatus>) -> [String: Any] { ["Items": p.items.map { tree($0) }, "NextMarker": p.nextMarker] }
}
