import BCClient
import BCTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real engine with its dashboard, for the live-update tests: node load sampled every second.
struct LiveEngine {
    let engine: EngineProcess
    let ui: String
    let client: BatchComputeClient

    init(loadInterval: String = "1s") throws {
        engine = try EngineProcess(arguments: ["--ui-listen", "127.0.0.1:0", "--load-interval", loadInterval, "--stop-grace", "1s"])
        let said = engine.waitForOutput(containing: "/ui/ (actions need a login)", "dashboard not started")
        guard let r = said.range(of: "dashboard listening on http://127.0.0.1:"), let port = Int(said[r.upperBound...].prefix { $0.isNumber }) else {
            engine.stop()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the dashboard did not start: \(said)"])
        }
        ui = "http://127.0.0.1:\(port)"
        client = BatchComputeClient(try ClientConfiguration(endpoint: "http://127.0.0.1:\(engine.port)",
                                                            accessKeyId: engine.credentials.accessKeyId,
                                                            accessKeySecret: engine.credentials.accessKeySecret))
    }

    func stop() { engine.stop() }

    /// A DAG job of one task `t` on an AutoCluster, its logs kept under oss://b/logs/.
    static func job(_ name: String, _ command: String, instances: Int = 1, retries: Int = 0) throws -> JSONValue {
        try DashboardTests.value([
            "Name": name, "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": false,
            "DAG": ["Tasks": ["t": ["InstanceCount": instances, "MaxRetryCount": retries,
                                    "AutoCluster": ["InstanceType": "ecs.sn1.medium", "ImageId": "img-ubuntu"],
                                    "Parameters": ["Command": ["CommandLine": command, "PackagePath": ""],
                                                   "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"]]],
                    "Dependencies": [String: Any]()]])
    }

    /// The whole worker log of an instance, and whether it has ended.
    func workerLog(_ job: String, _ index: Int = 0) async throws -> (text: String, complete: Bool) {
        let page = try await client.instanceLog(job: job, task: "t", instance: index, stream: "worker")
        return (String(decoding: page.bytes, as: UTF8.self), page.complete)
    }

    /// Waits until `condition` holds (up to `seconds`), asking every 100 ms.
    static func until(_ what: String, seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition() {
            guard Date() < deadline else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "timed out waiting for \(what)"]) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A GET with headers, no redirects followed.
    func get(_ path: String, headers: [String: String] = [:]) async throws -> DashboardTests.Page {
        var request = URLRequest(url: URL(string: ui + path)!)
        request.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        let session = URLSession(configuration: .ephemeral, delegate: DashboardTests.NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (k, v) in http.allHeaderFields { fields[String(describing: k).lowercased()] = String(describing: v) }
        return DashboardTests.Page(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self), data: data)
    }
}
