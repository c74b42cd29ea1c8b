import BCAPI
import BCEngine
import Foundation

/// Setup for bench/api.sh: fill an engine's store with jobs, and write wrk scripts of
/// pre-signed requests (the engine checks signatures, not replays, so a signed request can
/// be sent again; signing inside wrk's Lua would measure Lua, not the engine).
enum APIBenchmark {
    /// `bcbench api-populate DIR COUNT`: COUNT jobs straight into DIR's store.
    static func populate(dir: String, count: Int) throws {
        let engine = try Engine(dataDirectory: dir)
        // A cluster with no nodes: the jobs wait, as a backlog does.
        let cluster = try engine.store.createCluster(name: "idle", description: #"{"Name":"idle","ImageId":"img-ubuntu","Groups":{"g":{"DesiredVMCount":0,"InstanceType":"ecs.sn1.medium"}}}"#, token: nil)
        let description = #"{"Name":"bench","Priority":1,"Type":"DAG","JobFailOnInstanceFail":true,"DAG":{"Tasks":{"t":{"InstanceCount":4,"ClusterId":"\#(cluster)"}}}}"#
        var ids: [String] = []
        for i in 0..<count {
            ids.append(try engine.store.createJob(name: "bench-\(i)", type: "DAG", priority: 1, description: description, token: nil,
                                                  tasks: [("t", 4)]))
        }
        try ids.joined(separator: "\n").write(toFile: dir + "/job-ids.txt", atomically: true, encoding: .utf8)
        print("\(count) jobs in \(dir)")
    }

    /// `bcbench api-script DIR KIND`: a wrk Lua script cycling through signed requests.
    static func script(dir: String, kind: String) throws {
        let c = try Credentials.load(from: dir + "/credentials.json")
        let ids = try String(contentsOfFile: dir + "/job-ids.txt", encoding: .utf8).split(separator: "\n").prefix(2000)
        let targets: [String] = kind == "list"
            ? stride(from: 0, to: ids.count, by: 50).map { "/jobs?Marker=\(ids[$0])&MaxItemCount=50" }
            : ids.map { "/jobs/\($0)" }
        var lua = "local requests = {}\n"
        for (i, target) in targets.enumerated() {
            let date = WireTime.httpDate(Date())
            let headers: [ACSSignature.Header] = [
                .init("Date", date), .init("Accept", "application/json"), .init("Content-Type", "application/json"),
                .init("x-acs-region-id", "local"), .init("x-acs-access-key-id", c.accessKeyId),
                .init("x-acs-signature-method", "HMAC-SHA1"), .init("x-acs-signature-version", "1.0"),
                .init("x-acs-version", "2015-11-11"), .init("x-acs-signature-nonce", UUID().uuidString),
            ]
            let auth = ACSSignature.authorization(accessKeyId: c.accessKeyId, secret: c.accessKeySecret, method: "GET", target: target, headers: headers)
            let headerLua = (headers + [.init("Authorization", auth)]).map { "[\"\($0.name)\"] = \"\($0.value)\"" }.joined(separator: ", ")
            lua += "requests[\(i + 1)] = wrk.format(\"GET\", \"\(target)\", {\(headerLua)})\n"
        }
        lua += """
        local n = 0
        request = function()
          n = n + 1
          return requests[(n % #requests) + 1]
        end
        """
        print(lua)
    }
}
