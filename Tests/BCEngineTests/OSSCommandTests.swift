import BCAPI
import BCEngine
import BCTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `bcctl oss ls|cp|cat` go through the engine's OSS API, found the way bcplan finds it
/// (BCOPS_ENDPOINT and the keys, else the data directory's endpoint and credentials.json);
/// `--local` reads and writes the store's directory instead.
@Suite(.serialized) struct OSSThroughTheEngineTests {
    static func bcctl(_ args: [String], _ environment: [String: String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product("bcctl"), ["oss"] + args, environment: environment)
    }

    static func scratch(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-oss-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// No BCOPS_* from the test runner's own environment leaks into the command.
    static let clean = ["BCOPS_ENDPOINT": "", "BCOPS_ACCESS_KEY_ID": "", "BCOPS_ACCESS_KEY_SECRET": "", "BCOPS_DATA": "", "BCOPS_OSS_ROOT": ""]

    /// GET through an engine's OSS API, signed with OSS's V1 signature as oss2 signs it.
    static func ossGet(_ engine: EngineProcess, bucket: String, key: String) async throws -> (status: Int, body: String) {
        let date = WireTime.httpDate(Date())
        let authorization = OSSSignature.authorization(
            accessKeyId: engine.credentials.accessKeyId, secret: engine.credentials.accessKeySecret, method: "GET",
            resource: OSSSignature.canonicalResource(bucket: bucket, key: key, query: []), headers: [.init("Date", date)])
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(engine.port)/\(bucket)/\(key)")!)
        r.setValue(date, forHTTPHeaderField: "Date")
        r.setValue(authorization, forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: r)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test func cpLandsInTheEngineBCOPS_ENDPOINTNamesNotInTheDataDirectory() async throws {
        let a = try EngineProcess(), b = try EngineProcess()
        defer { a.stop(); b.stop() }
        // Pointed at B by endpoint and keys, while BCOPS_DATA is A's directory.
        var env = Self.clean.merging(b.clientEnvironment) { $1 }
        env["BCOPS_DATA"] = a.dataDirectory
        let work = try Self.scratch("cp")
        try "hello from bcctl\n".write(toFile: work + "/ref.txt", atomically: true, encoding: .utf8)

        let cp = try Self.bcctl(["cp", work + "/ref.txt", "oss://data/in/"], env)
        #expect(cp.status == 0, "\(cp.combined)")
        #expect(cp.stdout.contains("-> oss://data/in/ref.txt"), "\(cp.combined)")

        // B has it, through its OSS API and on its disk; A's directory does not.
        let got = try await Self.ossGet(b, bucket: "data", key: "in/ref.txt")
        #expect(got.status == 200 && got.body == "hello from bcctl\n", "\(got)")
        #expect(FileManager.default.fileExists(atPath: b.dataDirectory + "/oss/data/in/ref.txt"))
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + "/oss/data/in/ref.txt"))
        #expect(try await Self.ossGet(a, bucket: "data", key: "in/ref.txt").status == 404)

        let ls = try Self.bcctl(["ls", "oss://data/in/"], env)
        #expect(ls.status == 0 && ls.stdout == "oss://data/in/ref.txt\n", "\(ls.combined)")
        let cat = try Self.bcctl(["cat", "oss://data/in/ref.txt"], env)
        #expect(cat.status == 0 && cat.stdout == "hello from bcctl\n", "\(cat.combined)")

        // Without BCOPS_ENDPOINT and keys, --data DIR's endpoint and credentials.json pick the engine.
        let viaData = try Self.bcctl(["cat", "oss://data/in/ref.txt", "--data", b.dataDirectory], Self.clean)
        #expect(viaData.status == 0 && viaData.stdout == "hello from bcctl\n", "\(viaData.combined)")
        let viaA = try Self.bcctl(["cat", "oss://data/in/ref.txt"], Self.clean.merging(["BCOPS_DATA": a.dataDirectory]) { $1 })
        #expect(viaA.status != 0 && viaA.stderr.contains("NoSuchKey") && viaA.stderr.contains("127.0.0.1:\(a.port)"), "\(viaA.combined)")
    }

    @Test func lsListsOneLevelAndLsRListsEverything() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let env = Self.clean.merging(engine.clientEnvironment) { $1 }
        let work = try Self.scratch("ls")
        try "x".write(toFile: work + "/f.txt", atomically: true, encoding: .utf8)
        for target in ["oss://b/top.txt", "oss://b/run/1.txt", "oss://b/run/logs/2.txt", "oss://b/run/logs/deep/3.txt", "oss://b/run/out/4.txt"] {
            let r = try Self.bcctl(["cp", work + "/f.txt", target], env)
            #expect(r.status == 0, "\(r.combined)")
        }
        let top = try Self.bcctl(["ls", "oss://b/"], env)
        #expect(top.status == 0 && top.stdout == "oss://b/run/\noss://b/top.txt\n", "\(top.combined)")
        let level = try Self.bcctl(["ls", "oss://b/run/"], env)
        #expect(level.status == 0 && level.stdout == "oss://b/run/logs/\noss://b/run/out/\noss://b/run/1.txt\n", "\(level.combined)")
        let recursive = try Self.bcctl(["ls", "-r", "oss://b/run/"], env)
        #expect(recursive.status == 0 && recursive.stdout == """
            oss://b/run/1.txt
            oss://b/run/logs/2.txt
            oss://b/run/logs/deep/3.txt
            oss://b/run/out/4.txt

            """, "\(recursive.combined)")
        let noSlash = try Self.bcctl(["ls", "oss://b/run"], env)
        #expect(noSlash.status == 0 && noSlash.stdout == "oss://b/run/\n", "\(noSlash.combined)")
        let missingBucket = try Self.bcctl(["ls", "oss://nothing/"], env)
        #expect(missingBucket.status != 0 && missingBucket.stderr.contains("NoSuchBucket"), "\(missingBucket.combined)")
    }

    @Test func catAndCpCopyObjectsAndReportAMissingKey() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let env = Self.clean.merging(engine.clientEnvironment) { $1 }
        let work = try Self.scratch("cat")
        try "payload\n".write(toFile: work + "/p.txt", atomically: true, encoding: .utf8)
        #expect(try Self.bcctl(["cp", work + "/p.txt", "oss://b/src/p.txt"], env).status == 0)

        // oss → oss through the API, keeping the name with a trailing /.
        let copy = try Self.bcctl(["cp", "oss://b/src/p.txt", "oss://b/dst/"], env)
        #expect(copy.status == 0 && copy.stdout.contains("oss://b/src/p.txt -> oss://b/dst/p.txt"), "\(copy.combined)")
        #expect(try Self.bcctl(["cat", "oss://b/dst/p.txt"], env).stdout == "payload\n")

        // oss → a local file, and into a local directory.
        let out = try Self.bcctl(["cp", "oss://b/dst/p.txt", work + "/out.txt"], env)
        #expect(out.status == 0, "\(out.combined)")
        #expect((try? String(contentsOfFile: work + "/out.txt", encoding: .utf8)) == "payload\n")
        try FileManager.default.createDirectory(atPath: work + "/dl", withIntermediateDirectories: true)
        let into = try Self.bcctl(["cp", "oss://b/dst/p.txt", work + "/dl"], env)
        #expect(into.status == 0, "\(into.combined)")
        #expect((try? String(contentsOfFile: work + "/dl/p.txt", encoding: .utf8)) == "payload\n")

        // A missing key: OSS's NoSuchKey, said plainly, exit non-zero, nothing written locally.
        let missing = try Self.bcctl(["cat", "oss://b/src/nope.txt"], env)
        #expect(missing.status != 0 && missing.stdout.isEmpty, "\(missing.combined)")
        #expect(missing.stderr.contains("oss://b/src/nope.txt") && missing.stderr.contains("NoSuchKey")
                && missing.stderr.contains("http://127.0.0.1:\(engine.port)"), "\(missing.combined)")
        let missingCopy = try Self.bcctl(["cp", "oss://b/src/nope.txt", work + "/nope.txt"], env)
        #expect(missingCopy.status != 0 && missingCopy.stderr.contains("NoSuchKey"), "\(missingCopy.combined)")
        #expect(!FileManager.default.fileExists(atPath: work + "/nope.txt"))
        let missingServerCopy = try Self.bcctl(["cp", "oss://b/src/nope.txt", "oss://b/dst/"], env)
        #expect(missingServerCopy.status != 0 && missingServerCopy.stderr.contains("NoSuchKey"), "\(missingServerCopy.combined)")
    }

    @Test func localReadsAndWritesTheDataDirectoryWithoutAnEngine() throws {
        let data = try Self.scratch("local")
        let work = try Self.scratch("local-work")
        try "on disk\n".write(toFile: work + "/d.txt", atomically: true, encoding: .utf8)
        // An endpoint that answers nothing: --local never uses it.
        let env = Self.clean.merging(["BCOPS_ENDPOINT": "http://127.0.0.1:1", "BCOPS_DATA": data]) { $1 }
        let cp = try Self.bcctl(["cp", "--local", work + "/d.txt", "oss://b/x/"], env)
        #expect(cp.status == 0 && cp.stdout.contains("-> oss://b/x/d.txt"), "\(cp.combined)")
        #expect(FileManager.default.fileExists(atPath: data + "/oss/b/x/d.txt"))
        #expect(try Self.bcctl(["cp", "--local", work + "/d.txt", "oss://b/x/deeper/e.txt"], env).status == 0)
        let ls = try Self.bcctl(["ls", "--local", "oss://b/x/"], env)
        #expect(ls.status == 0 && ls.stdout == "oss://b/x/deeper/\noss://b/x/d.txt\n", "\(ls.combined)")
        let lsr = try Self.bcctl(["ls", "--local", "-r", "oss://b/x/"], env)
        #expect(lsr.status == 0 && lsr.stdout == "oss://b/x/d.txt\noss://b/x/deeper/e.txt\n", "\(lsr.combined)")
        let cat = try Self.bcctl(["cat", "--local", "oss://b/x/d.txt"], env)
        #expect(cat.status == 0 && cat.stdout == "on disk\n", "\(cat.combined)")
        let other = try Self.scratch("local-other")
        let viaData = try Self.bcctl(["cat", "--local", "--data", data, "oss://b/x/d.txt"], Self.clean.merging(["BCOPS_DATA": other]) { $1 })
        #expect(viaData.status == 0 && viaData.stdout == "on disk\n", "\(viaData.combined)")
        let viaRoot = try Self.bcctl(["cat", "--local", "--oss-root", data + "/oss", "oss://b/x/d.txt"], Self.clean.merging(["BCOPS_DATA": other]) { $1 })
        #expect(viaRoot.status == 0 && viaRoot.stdout == "on disk\n", "\(viaRoot.combined)")
        let missing = try Self.bcctl(["cat", "--local", "oss://b/x/none.txt"], env)
        #expect(missing.status != 0 && missing.stderr.contains("NoSuchKey") && missing.stderr.contains(data + "/oss"), "\(missing.combined)")
        // --oss-root means the local store.
        let rootAlone = try Self.bcctl(["ls", "--oss-root", data + "/oss", "oss://b/"], env)
        #expect(rootAlone.status != 0 && rootAlone.stderr.contains("--local"), "\(rootAlone.combined)")
    }

    @Test func anUnreachableEndpointOrWrongKeysSayWhatToDo() throws {
        let data = try Self.scratch("down")
        let work = try Self.scratch("down-work")
        try "x".write(toFile: work + "/f.txt", atomically: true, encoding: .utf8)
        let env = Self.clean.merging(["BCOPS_ENDPOINT": "http://127.0.0.1:1", "BCOPS_ACCESS_KEY_ID": "id", "BCOPS_ACCESS_KEY_SECRET": "secret",
                                      "BCOPS_DATA": data]) { $1 }
        for args in [["cp", work + "/f.txt", "oss://b/"], ["ls", "oss://b/"], ["cat", "oss://b/f.txt"]] {
            let r = try Self.bcctl(args, env)
            #expect(r.status != 0, "\(args): \(r.combined)")
            #expect(r.stderr.contains("no engine at http://127.0.0.1:1") && r.stderr.contains("bcctl engine serve --data DIR")
                    && r.stderr.contains("BCOPS_ENDPOINT"), "\(args): \(r.combined)")
            #expect(!r.stdout.contains("->"), "\(args): \(r.combined)")
        }
        #expect(!FileManager.default.fileExists(atPath: data + "/oss/b/f.txt"))

        // Reachable, but with another engine's keys.
        let engine = try EngineProcess()
        defer { engine.stop() }
        let wrong = Self.clean.merging(["BCOPS_ENDPOINT": "http://127.0.0.1:\(engine.port)", "BCOPS_ACCESS_KEY_ID": "nobody",
                                        "BCOPS_ACCESS_KEY_SECRET": "nothing", "BCOPS_DATA": data]) { $1 }
        let refused = try Self.bcctl(["ls", "oss://b/"], wrong)
        #expect(refused.status != 0 && refused.stderr.contains("InvalidAccessKeyId") && refused.stderr.contains("bcctl engine credentials"),
                "\(refused.combined)")

        // No endpoint and no credentials anywhere: the configuration error, not a guess.
        let none = try Self.bcctl(["ls", "oss://b/"], Self.clean.merging(["BCOPS_DATA": data]) { $1 })
        #expect(none.status != 0 && none.stderr.contains("no credentials"), "\(none.combined)")
    }
}
