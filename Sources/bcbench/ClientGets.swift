import BCClient
import Foundation

/// `bcbench client-gets DIR COUNT CONCURRENCY [jobs|inventory]`: COUNT signed `GET /jobs/{id}`
/// through `BatchComputeClient`, CONCURRENCY callers at once, against the engine the environment
/// names (the jobs of `bcbench api-populate DIR`). bench/api.sh measures the engine with
/// pre-signed requests from wrk; this measures the client: signing, the transport, the JSON
/// reader. `inventory` sends `GET /bcops/inventory?Workspace=default` instead: the one large
/// answer (~2 MB for 10,000 resources) a plan reads.
///
/// It uses only `BatchComputeClient`'s public calls, so bench/transport.sh compiles this same
/// file into the build of the commit before the libcurl transport and runs both in one go.
/// Prints one line: calls, seconds, calls per second, p50/p99 latency in ms.
enum ClientGets {
    static func run(dir: String, count: Int, concurrency: Int, kind: String) async throws {
        let ids = try String(contentsOfFile: dir + "/job-ids.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        let client = BatchComputeClient(try ClientConfiguration.fromEnvironment(), maxConnections: concurrency)
        let inventory = kind == "inventory"
        @Sendable func get(_ i: Int) async throws {
            if inventory {
                try await client.call(.GET, "/bcops/inventory", query: [("Workspace", "default")])
            } else {
                try await client.call(.GET, "/jobs/" + ids[i % ids.count])
            }
        }
        // Warm-up: one call per caller, so both transports start with their connections open.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<concurrency { group.addTask { try await get(i) } }
            try await group.waitForAll()
        }
        let started = DispatchTime.now().uptimeNanoseconds
        // Each caller takes the next index until COUNT: CONCURRENCY calls in flight throughout.
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            let next = Counter()
            for _ in 0..<concurrency {
                group.addTask {
                    var mine: [UInt64] = []
                    while let i = await next.take(below: count) {
                        let t = DispatchTime.now().uptimeNanoseconds
                        try await get(i)
                        mine.append(DispatchTime.now().uptimeNanoseconds - t)
                    }
                    return mine
                }
            }
            var all: [UInt64] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        func ms(_ q: Double) -> Double { Double(latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]) / 1e6 }
        print(String(format: "%d \(inventory ? "inventory reads" : "gets"), %d callers: %.3f s, %.0f/s, p50 %.2f ms, p99 %.2f ms",
                     latencies.count, concurrency, seconds, Double(latencies.count) / seconds, ms(0.5), ms(0.99)))
    }

    /// Hands out indices to the callers.
    actor Counter {
        var value = 0
        func take(below limit: Int) -> Int? {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
