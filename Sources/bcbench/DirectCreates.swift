import BCClient
import BCModel
import Foundation

/// The peer of `bcapply`'s 1,000 creates: the same create calls, straight through the API
/// client, `concurrency` at a time. Prints the seconds it took.
enum DirectCreates {
    static func run(count: Int, concurrency: Int) async throws {
        let client = BatchComputeClient(try ClientConfiguration.fromEnvironment(), maxConnections: concurrency)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add(_ group: inout ThrowingTaskGroup<Void, Error>) {
                guard next < count else { return }
                let i = next
                next += 1
                group.addTask {
                    let app = AppDescription(name: "direct-\(i)", docker: Wire.Docker(image: "busybox"), commandLine: "echo \(i)",
                                             labels: ["bench": "direct"])
                    _ = try await client.createApp(JSONValue(encoding: app))
                }
            }
            for _ in 0..<concurrency { add(&group) }
            while try await group.next() != nil { add(&group) }
        }
        print(String(format: "%.3f", Date().timeIntervalSince(started)))
    }
}
