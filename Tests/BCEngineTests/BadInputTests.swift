import BCTestSupport
import Foundation
import Testing

/// Bad requests get BatchCompute's error shape and change nothing.
@Suite(.serialized) struct BadInputTests {
    static func dagJob(_ mutate: (inout [String: Any]) -> Void = { _ in }) -> Data {
        var task: [String: Any] = [
            "InstanceCount": 1, "ClusterId": "cls-x",
            "Parameters": ["Command": ["CommandLine": "echo hi", "PackagePath": ""],
                           "StdoutRedirectPath": "oss://b/logs/", "StderrRedirectPath": "oss://b/logs/"] as [String: Any],
        ]
        var job: [String: Any] = ["Name": "j", "Priority": 1, "Type": "DAG", "JobFailOnInstanceFail": true,
                                  "DAG": ["Tasks": ["t": task], "Dependencies": [:] as [String: Any]] as [String: Any]]
        mutate(&job)
        _ = task
        task = [:]
        return try! JSONSerialization.data(withJSONObject: job)
    }

    static func setTask(_ job: inout [String: Any], _ key: String, _ value: Any) {
        var dag = job["DAG"] as! [String: Any]
        var tasks = dag["Tasks"] as! [String: Any]
        var t = tasks["t"] as! [String: Any]
        t[key] = value
        tasks["t"] = t
        dag["Tasks"] = tasks
        job["DAG"] = dag
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: Data
        var status: Int
        var code: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: Data("{\"Name\": ".utf8), status: 400, code: "InvalidJsonFormat"),
        Case(name: "not an object", body: Data("[1,2]".utf8), status: 400, code: "InvalidJsonFormat"),
        Case(name: "wrong type", body: dagJob { $0["Priority"] = "high" }, status: 400, code: "InvalidPriority"),
        Case(name: "unknown field", body: dagJob { $0["Priorty"] = 1 }, status: 400, code: "InvalidHttpBody"),
        Case(name: "missing name", body: dagJob { $0["Name"] = nil }, status: 400, code: "MissingName"),
        Case(name: "negative instance count", body: dagJob { setTask(&$0, "InstanceCount", -4) }, status: 400, code: "InvalidInstanceCount"),
        Case(name: "path escaping the object store",
             body: dagJob { setTask(&$0, "Parameters", ["Command": ["CommandLine": "x"], "StdoutRedirectPath": "oss://b/../../etc/"] as [String: Any]) },
             status: 400, code: "InvalidStdoutRedirectPath"),
        Case(name: "cyclic DAG", body: dagJob { var d = $0["DAG"] as! [String: Any]; d["Dependencies"] = ["t": ["t"]]; $0["DAG"] = d },
             status: 400, code: "BadDAG"),
        Case(name: "oversized body", body: Data(repeating: UInt8(ascii: " "), count: 2 << 20), status: 413, code: "InvalidHttpBody"),
    ]

    @Test(arguments: cases)
    func badJobIsRefusedAndNothingIsWritten(_ c: Case) async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let r = try await engine.request("POST", "/jobs", body: c.body)
        #expect(r.status == c.status)
        #expect(r.json["Code"] as? String == c.code, "\(String(decoding: r.body.prefix(300), as: UTF8.self))")
        #expect(!(r.json["Message"] as? String ?? "").isEmpty)
        #expect(r.headers["x-acs-request-id"] != nil)
        let list = try await engine.request("GET", "/jobs?Marker&MaxItemCount=50")
        #expect((list.json["Items"] as? [Any])?.count == 0)
    }

    @Test func negativeDesiredCountIsRefused() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "c", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": -1, "InstanceType": "ecs.sn1.medium"]],
        ] as [String: Any])
        let r = try await engine.request("POST", "/clusters", body: body)
        #expect(r.status == 400)
        #expect(r.json["Code"] as? String == "InvalidDesiredVMCount")
    }

    @Test func authenticationFailuresHaveTheErrorShape() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let unsigned = try await engine.request("GET", "/jobs", sign: false)
        #expect(unsigned.status == 403 && unsigned.json["Code"] as? String == "Forbidden")
        let wrong = try await engine.request("GET", "/jobs", secret: "nope")
        #expect(wrong.status == 403 && wrong.json["Code"] as? String == "SignatureDoesNotMatch")
        let noDate = try await engine.request("GET", "/jobs", dropDate: true)
        #expect(noDate.status == 400 && noDate.json["Code"] as? String == "MissingDate")
        #expect(noDate.headers["x-acs-request-id"] != nil)
    }

    /// A cluster with no nodes: jobs on it wait, which makes their state deterministic.
    static func emptyCluster(_ engine: EngineProcess) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: [
            "Name": "idle", "ImageId": "img-ubuntu", "Groups": ["g": ["DesiredVMCount": 0, "InstanceType": "ecs.sn1.medium"]],
        ] as [String: Any])
        return try await engine.request("POST", "/clusters", body: body).json["Id"] as! String
    }

    @Test func jobsSurviveAKilledEngine() async throws {
        let first = try EngineProcess()
        let cluster = try await Self.emptyCluster(first)
        let created = try await first.request("POST", "/jobs", body: Self.dagJob { Self.setTask(&$0, "ClusterId", cluster) })
        #expect(created.status == 201)
        let id = try #require(created.json["Id"] as? String)
        first.kill()
        let second = try EngineProcess(dataDirectory: first.dataDirectory)
        defer { second.stop() }
        let got = try await second.request("GET", "/jobs/\(id)")
        #expect(got.status == 200)
        #expect(got.json["State"] as? String == "Waiting")
        // Credentials are kept too: the same key signs for the restarted engine.
        #expect(second.credentials.accessKeyId == first.credentials.accessKeyId)
    }

    @Test func aJobOnAMissingClusterFailsWithAClearMessage() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let created = try await engine.request("POST", "/jobs", body: Self.dagJob { Self.setTask(&$0, "ClusterId", "cls-doesnotexist") })
        let id = try #require(created.json["Id"] as? String)
        var job: [String: Any] = [:]
        for _ in 0..<100 {
            job = try await engine.request("GET", "/jobs/\(id)").json
            if job["State"] as? String == "Failed" { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(job["State"] as? String == "Failed")
        #expect(job["Message"] as? String == "cluster cls-doesnotexist does not exist")
    }

    @Test func idempotentTokenReturnsTheSameJob() async throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let a = try await engine.request("POST", "/jobs?IdempotentToken=t1", body: Self.dagJob())
        let b = try await engine.request("POST", "/jobs?IdempotentToken=t1", body: Self.dagJob())
        #expect(a.status == 201 && b.status == 201)
        #expect(a.json["Id"] as? String == b.json["Id"] as? String)
        let c = try await engine.request("POST", "/jobs?IdempotentToken=t1", body: Self.dagJob { $0["Name"] = "other" })
        #expect(c.status == 400 && c.json["Code"] as? String == "IdempotentTokenMismatch")
    }
}
