import BCAPI
import BCEngine
import Foundation

/// Setup for bench/api.sh: fill an engine's store with jobs, and write wrk scripts of
/// pre-signed requests. The engine refuses a nonce it has seen (and a Date 15 minutes old), so
/// every request is signed once, with its own nonce, just before the run, and sent once; signing
/// inside wrk's Lua would measure Lua, not the engine.
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

    /// `bcbench api-script DIR KIND`: a wrk Lua script sending `count` requests, each signed
    /// once (`DIR/KIND.requests`: target, Date, nonce, Authorization per line), split between
    /// wrk's `threads` threads so that no request is sent twice. More than `count` requests in
    /// the run would be replays, refused, and counted by wrk as non-2xx.
    static func script(dir: String, kind: String, count: Int = 150_000, threads: Int = 2) throws {
        let c = try Credentials.load(from: dir + "/credentials.json")
        let ids = try String(contentsOfFile: dir + "/job-ids.txt", encoding: .utf8).split(separator: "\n").prefix(2000)
        let targets: [String] = kind == "list"
            ? stride(from: 0, to: ids.count, by: 50).map { Routes.listJobs.path() + "?Marker=\(ids[$0])&MaxItemCount=50" }
            : ids.map { Routes.getJob.path(String($0)) }
        let date = WireTime.httpDate(Date())
        var lines = ""
        lines.reserveCapacity(count * 160)
        for i in 0..<count {
            let target = targets[i % targets.count]
            let nonce = UUID().uuidString
            let headers: [ACSSignature.Header] = [
                .init("Date", date), .init("Accept", "application/json"), .init("Content-Type", "application/json"),
                .init("x-acs-region-id", "local"), .init("x-acs-access-key-id", c.accessKeyId),
                .init("x-acs-signature-method", "HMAC-SHA1"), .init("x-acs-signature-version", "1.0"),
                .init("x-acs-version", "2015-11-11"), .init("x-acs-signature-nonce", nonce),
            ]
            let auth = ACSSignature.authorization(accessKeyId: c.accessKeyId, secret: c.accessKeySecret, method: "GET", target: target, headers: headers)
            lines += target + "\t" + nonce + "\t" + auth + "\n"
        }
        let data = dir + "/\(kind).requests"
        try lines.write(toFile: data, atomically: true, encoding: .utf8)
        print("""
        -- \(count) GETs, each signed once; thread k of \(threads) sends the lines k, k+\(threads), k+\(2 * threads), ...
        local threads, started = \(threads), 0
        function setup(thread)
          assert(started < threads, "this script was written for \(threads) wrk threads (-t\(threads))")
          thread:set("id", started)
          started = started + 1
        end
        local requests, n = {}, 0
        function init(args)
          local i = 0
          for line in io.lines("\(data)") do
            if i % threads == id then
              local target, nonce, auth = line:match("([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)")
              requests[#requests + 1] = wrk.format("GET", target, {
                ["Date"] = "\(date)", ["Accept"] = "application/json", ["Content-Type"] = "application/json",
                ["x-acs-region-id"] = "local", ["x-acs-access-key-id"] = "\(c.accessKeyId)",
                ["x-acs-signature-method"] = "HMAC-SHA1", ["x-acs-signature-version"] = "1.0",
                ["x-acs-version"] = "2015-11-11", ["x-acs-signature-nonce"] = nonce, ["Authorization"] = auth})
            end
            i = i + 1
          end
        end
        request = function()
          n = n + 1
          return requests[((n - 1) % #requests) + 1]
        end
        """)
    }
}
