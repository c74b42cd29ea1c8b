import BCTestSupport
import Foundation
import Testing

/// One request must not create unbounded work, and idle or surplus connections must not pin
/// the engine: a per-job instance quota, an idle timeout and a connection cap, each configurable.
@Suite(.serialized) struct EngineLimitsTests {
    static func python(_ code: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let r = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", code] + args)
        return (r.status, r.combined)
    }

    /// An App job had no instance ceiling, and the DAG's was per task: 300,000 instances took
    /// 22 s to create while every other call waited.
    @Test func aJobAboveTheInstanceQuotaIsRefusedWithQuotaExhausted() async throws {
        let engine = try EngineProcess(arguments: ["--max-instances-per-job", "1000"])
        defer { engine.stop() }
        let cluster = try await ExecutionTests.cluster(engine, nodes: 0)
        var job = try JSONSerialization.jsonObject(with: ExecutionTests.job(cluster, command: "true", count: 600)) as! [String: Any]
        var dag = job["DAG"] as! [String: Any]
        var tasks = dag["Tasks"] as! [String: Any]
        var second = tasks["t"] as! [String: Any]
        second["InstanceCount"] = 401
        tasks["u"] = second
        dag["Tasks"] = tasks
        job["DAG"] = dag
        let refused = try await engine.request("POST", "/jobs", body: try JSONSerialization.data(withJSONObject: job))
        #expect(refused.status == 403)
        #expect(refused.json["Code"] as? String == "QuotaExhausted")
        let message = refused.json["Message"] as? String ?? ""
        #expect(message.contains("InstanceCountPerJob (1000)") && message.contains("1001") && message.contains("--max-instances-per-job"), "\(message)")
        second["InstanceCount"] = 400
        tasks["u"] = second
        dag["Tasks"] = tasks
        job["DAG"] = dag
        let accepted = try await engine.request("POST", "/jobs", body: try JSONSerialization.data(withJSONObject: job))
        #expect(accepted.status == 201, "exactly at the quota is accepted")
    }

    /// The first case: an App job, whose instances come from its own InstanceCount or
    /// the App's default, had no ceiling at all. Both ways are held to the quota.
    @Test func anAppJobAboveTheInstanceQuotaIsRefusedWithQuotaExhausted() async throws {
        let engine = try EngineProcess(arguments: ["--max-instances-per-job", "1000"])
        defer { engine.stop() }
        let cluster = try await ExecutionTests.cluster(engine, nodes: 0)
        func body(_ o: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: o) }
        for (name, byDefault) in [("wide", 1), ("wider", 1001)] {
            let app = try await engine.request("POST", "/apps", body: try body([
                "Name": name, "CommandLine": "true", "Docker": ["Image": "busybox"],
                "Config": ["InstanceCount": ["Default": byDefault, "Overwritable": true]]]))
            #expect(app.status == 201, "\(app.json)")
        }
        func run(_ app: String, count: Int?) throws -> Data {
            var config: [String: Any] = ["ClusterId": cluster]
            if let count { config["InstanceCount"] = count }
            return try body(["Name": "a", "Type": "App", "App": ["AppName": app, "Config": config] as [String: Any]])
        }
        for (app, count) in [("wide", 1001), ("wide", 300_000), ("wider", nil)] as [(String, Int?)] {
            let refused = try await engine.request("POST", "/jobs", body: try run(app, count: count))
            #expect(refused.status == 403 && refused.json["Code"] as? String == "QuotaExhausted", "\(app) \(String(describing: count)): \(refused.json)")
            #expect((refused.json["Message"] as? String ?? "").contains("InstanceCountPerJob (1000)"), "\(refused.json)")
        }
        let accepted = try await engine.request("POST", "/jobs", body: try run("wide", count: 1000))
        #expect(accepted.status == 201, "exactly at the quota is accepted: \(accepted.json)")
        let jobs = try await engine.request("GET", "/jobs?Marker&MaxItemCount=50").json["Items"] as? [Any]
        #expect(jobs?.count == 1, "only the job within the quota was created")
    }

    @Test func idleConnectionsAreClosed() throws {
        let engine = try EngineProcess(arguments: ["--idle-timeout", "1s"])
        defer { engine.stop() }
        let r = try Self.python("""
            import socket, sys, time
            s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10)
            t = time.time()
            data = s.recv(1)
            print('closed' if data == b'' else 'data', round(time.time() - t, 1))
            """, [String(engine.port)])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.hasPrefix("closed"), "the engine closed the idle connection: \(r.output)")
    }

    /// Beyond the cap, a new connection waits until one closes instead of being served.
    @Test func connectionsBeyondTheCapWaitForOneToClose() throws {
        let engine = try EngineProcess(arguments: ["--max-connections", "2"])
        defer { engine.stop() }
        let r = try Self.python("""
            import socket, sys
            port = int(sys.argv[1])
            held = [socket.create_connection(('127.0.0.1', port), timeout=5) for _ in range(2)]
            def answered():
                s = socket.create_connection(('127.0.0.1', port), timeout=5)
                s.settimeout(1.5)
                s.sendall(b'GET /healthz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
                try:
                    return s.recv(12).startswith(b'HTTP/1.1')
                except socket.timeout:
                    return False
                finally:
                    s.close()
            import time
            time.sleep(0.3)
            blocked = not answered()
            held[0].close()
            time.sleep(0.3)
            print('blocked' if blocked else 'served', 'then', 'served' if answered() else 'blocked')
            """, [String(engine.port)])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.hasPrefix("blocked then served"), "\(r.output)")
    }
}
