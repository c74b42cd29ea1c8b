import BCTestSupport
import Foundation
import Testing

/// bcops' extensions: labels with list-by-label, workspace serials, leased locks.
@Suite(.serialized) struct ExtensionsTests {
    static func body(_ o: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: o) }

    @Test func labelsAreKeptAndFilterLists() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        for (name, workspace) in [("a", "prod"), ("b", "dev"), ("c", "prod")] {
            let r = try await engine.request("POST", "/clusters", body: Self.body([
                "Name": name, "ImageId": "img-ubuntu", "Labels": ["bcops.io/workspace": workspace, "bcops.io/address": "Cluster/\(name)"],
                "Groups": ["g": ["DesiredVMCount": 0, "InstanceType": "ecs.sn1.medium"]],
            ]))
            #expect(r.status == 201)
        }
        let prod = try await engine.request("GET", "/clusters?Label=bcops.io%2Fworkspace%3Dprod&Marker&MaxItemCount=50")
        let items = try #require(prod.json["Items"] as? [[String: Any]], "\(String(decoding: prod.body, as: UTF8.self))")
        #expect(items.count == 2, "\(String(decoding: prod.body, as: UTF8.self))")
        #expect(items.map { $0["Name"] as? String } == ["a", "c"])
        #expect((items.first?["Labels"] as? [String: String])?["bcops.io/address"] == "Cluster/a")
        let bad = try await engine.request("POST", "/clusters", body: Self.body([
            "Name": "x", "ImageId": "img-ubuntu", "Labels": ["k": 1], "Groups": ["g": ["DesiredVMCount": 0]],
        ]))
        #expect(bad.status == 400 && bad.json["Code"] as? String == "InvalidLabels")
    }

    @Test func workspaceSerialGrowsAndLineageStays() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let first = try await engine.request("GET", "/bcops/workspaces/prod").json
        #expect(first["Serial"] as? Int == 0)
        let bumped = try await engine.request("POST", "/bcops/workspaces/prod/serial").json
        #expect(bumped["Serial"] as? Int == 1)
        #expect(bumped["Lineage"] as? String == first["Lineage"] as? String)
        let other = try await engine.request("GET", "/bcops/workspaces/dev").json
        #expect(other["Lineage"] as? String != first["Lineage"] as? String)
    }

    @Test func locksAreExclusiveRenewableAndExpire() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        // A long lease while exclusivity is checked (a loaded machine must not let it lapse)…
        let a = try await engine.request("POST", "/bcops/locks", body: Self.body(["Workspace": "prod", "Owner": "alice@ci", "Operation": "apply", "TTLSeconds": 60]))
        #expect(a.status == 201)
        let id = try #require(a.json["Id"] as? String)
        let b = try await engine.request("POST", "/bcops/locks", body: Self.body(["Workspace": "prod", "Owner": "bob", "Operation": "plan", "TTLSeconds": 30]))
        #expect(b.status == 409)
        #expect(b.json["Code"] as? String == "LockHeld")
        #expect(b.json["Owner"] as? String == "alice@ci")
        // …then renewed for one second only.
        #expect(try await engine.request("PUT", "/bcops/locks/\(id)", body: Self.body(["TTLSeconds": 1])).status == 200)
        let listed = try await engine.request("GET", "/bcops/locks").json["Items"] as? [[String: Any]]
        #expect(listed?.count == 1)
        // The holder stops renewing (a crash): the lease expires and someone else gets it.
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let c = try await engine.request("POST", "/bcops/locks", body: Self.body(["Workspace": "prod", "Owner": "bob", "Operation": "apply", "TTLSeconds": 30]))
        #expect(c.status == 201)
        #expect(try await engine.request("PUT", "/bcops/locks/\(id)", body: Self.body(["TTLSeconds": 1])).status == 404)
        #expect(try await engine.request("DELETE", "/bcops/locks/\(c.json["Id"] as! String)").status == 200)
    }
}

/// The event feed and live log streaming.
@Suite(.serialized) struct EventsAndLogsTests {
    @Test func eventsFollowAJobAndLogsStreamWhileItRuns() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let cluster = try await ExecutionTests.cluster(engine, nodes: 1)
        // The instance prints "second" only once the test has read "first": no race with a slow machine.
        let go = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-go-\(UUID().uuidString)").path
        let created = try await engine.request("POST", "/jobs", body: ExecutionTests.job(
            cluster, command: "echo first; while [ ! -e \(go) ]; do sleep 0.05; done; echo second"))
        let id = try #require(created.json["Id"] as? String)
        // While it runs, the log so far; then the rest from the returned offset.
        var first = EngineProcess.HTTPResult(status: 0, headers: [:], body: Data())
        for _ in 0..<100 {
            first = try await engine.request("GET", "/bcops/logs/\(id)/t/0?Stream=stdout&Offset=0")
            if String(decoding: first.body, as: UTF8.self) == "first\n" { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(String(decoding: first.body, as: UTF8.self) == "first\n")
        #expect(first.headers["x-bcops-complete"] == "false")
        let offset = try #require(first.headers["x-bcops-offset"])
        FileManager.default.createFile(atPath: go, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: go) }
        _ = try await ExecutionTests.waitFor(engine, id) { $0["State"] as? String == "Finished" }
        let rest = try await engine.request("GET", "/bcops/logs/\(id)/t/0?Stream=stdout&Offset=\(offset)")
        #expect(String(decoding: rest.body, as: UTF8.self) == "second\n")
        #expect(rest.headers["x-bcops-complete"] == "true")

        let events = try await engine.request("GET", "/bcops/events?Since=0&MaxItemCount=100").json["Items"] as? [[String: Any]] ?? []
        let kinds = events.filter { ($0["Resource"] as? String ?? "").hasPrefix(id) }.map { $0["Kind"] as? String ?? "" }
        #expect(kinds == ["OnJobWaiting", "OnJobRunning", "OnInstanceFinished", "OnJobFinished"])
        #expect(events.contains { $0["Kind"] as? String == "OnClusterCreated" && $0["Resource"] as? String == cluster })
    }
}
