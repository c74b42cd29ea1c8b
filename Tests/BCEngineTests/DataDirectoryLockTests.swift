import BCTestSupport
import Foundation
import Testing

/// One engine per data directory (issue #13, item 1) and listen addresses that are taken
/// (item 10), with the real `bcctl`: a second engine (or an embedded one) on a served directory
/// refuses and names the first, a SIGKILLed engine never blocks the next one, a clean stop
/// takes its `endpoint` file away, and a busy port is named with who holds it.
@Suite(.serialized) struct DataDirectoryLockTests {
    static func scratch(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bcops-lock-\(tag)-\(UUID().uuidString)").path
    }

    /// Runs bcctl for at most `seconds` (a server that should have refused to start would
    /// otherwise run forever); `timedOut` when it had to be stopped.
    static func bcctlBriefly(_ args: [String], seconds: Double = 15) throws -> (status: Int32, output: String, timedOut: Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: EngineProcess.binary("bcctl"))
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(["BCOPS_ENDPOINT": "", "BCOPS_DATA": ""]) { $1 }
        let log = scratch("out") + ".log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let handle = FileHandle(forWritingAtPath: log)!
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = p.isRunning
        if timedOut { p.terminate() }
        p.waitUntilExit()
        try handle.close()
        return (p.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "", timedOut)
    }

    static func endpoint(_ dir: String) -> String? {
        (try? String(contentsOfFile: dir + "/endpoint", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aSecondEngineOnTheSameDirectoryRefusesAndNamesTheFirstAndAKilledOneNeverBlocks() throws {
        let first = try EngineProcess()
        let address = "http://127.0.0.1:\(first.port)"
        let pid = first.process.processIdentifier
        let second = try Self.bcctlBriefly(["engine", "serve", "--data", first.dataDirectory, "--listen", "127.0.0.1:0"])
        #expect(!second.timedOut && second.status == 1, "a second engine on the directory must not start: \(second.output)")
        #expect(second.output.contains("\(first.dataDirectory) is in use by the engine at \(address) (pid \(pid)); stop it, or give this one another --data"),
                "\(second.output)")
        #expect(!second.output.contains("listening on"), "\(second.output)")
        #expect(Self.endpoint(first.dataDirectory) == address, "the first engine's endpoint file is untouched")
        let lockFile = try String(contentsOfFile: first.dataDirectory + "/engine.lock", encoding: .utf8)
        #expect(lockFile == "pid \(pid)\naddress \(address)\n", "\(lockFile)")

        // The controller hosting an engine refuses the same way, before writing into the directory.
        let controller = try Self.bcctlBriefly(["controller", "--repo", "/nonexistent", "--data", first.dataDirectory, "--embedded-engine",
                                                "--engine-listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"])
        #expect(!controller.timedOut && controller.status == 1, "\(controller.output)")
        #expect(controller.output.contains("\(first.dataDirectory) is in use by the engine at \(address) (pid \(pid))"), "\(controller.output)")
        #expect(!FileManager.default.fileExists(atPath: first.dataDirectory + "/controller"), "nothing written into the served directory")

        // SIGKILL: the kernel drops the lock, and the next engine starts at once.
        first.kill()
        let started = Date()
        let next = try EngineProcess(dataDirectory: first.dataDirectory)
        defer { next.stop() }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(Self.endpoint(first.dataDirectory) == "http://127.0.0.1:\(next.port)")
    }

    @Test func aCleanStopRemovesTheEndpointFileOnlyIfItIsStillItsOwn() throws {
        let engine = try EngineProcess()
        #expect(Self.endpoint(engine.dataDirectory) == "http://127.0.0.1:\(engine.port)")
        engine.stop()
        #expect(!FileManager.default.fileExists(atPath: engine.dataDirectory + "/endpoint"),
                "a stopped engine leaves no endpoint file that points at nothing")

        // Someone pointed the file elsewhere: a stopping engine leaves it alone.
        let again = try EngineProcess(dataDirectory: engine.dataDirectory)
        try "http://127.0.0.1:1\n".write(toFile: again.dataDirectory + "/endpoint", atomically: true, encoding: .utf8)
        again.stop()
        #expect(Self.endpoint(again.dataDirectory) == "http://127.0.0.1:1")
    }

    @Test func aBusyListenAddressIsNamedWithItsHolder() throws {
        let engine = try EngineProcess()
        defer { engine.stop() }
        let taken = "127.0.0.1:\(engine.port)"
        let pid = engine.process.processIdentifier
        let holder = "in use by the engine of \(engine.dataDirectory) (pid \(pid))"

        let serve = try Self.bcctlBriefly(["engine", "serve", "--data", Self.scratch("busy"), "--listen", taken])
        #expect(!serve.timedOut && serve.status == 1, "\(serve.output)")
        #expect(serve.output.contains("Error: \(taken) is \(holder): pick another --listen or stop it"), "\(serve.output)")
        #expect(!serve.output.contains("bind(descriptor"), "no socket internals: \(serve.output)")

        let engineListen = try Self.bcctlBriefly(["controller", "--repo", "/nonexistent", "--data", Self.scratch("busy-c"), "--embedded-engine",
                                                  "--engine-listen", taken, "--listen", "127.0.0.1:0"])
        #expect(!engineListen.timedOut && engineListen.status == 1, "\(engineListen.output)")
        #expect(engineListen.output.contains("\(taken) is \(holder): pick another --engine-listen or stop it"), "\(engineListen.output)")

        let controllerData = Self.scratch("busy-l")
        let listen = try Self.bcctlBriefly(["controller", "--repo", "/nonexistent", "--data", controllerData, "--embedded-engine",
                                            "--engine-listen", "127.0.0.1:0", "--listen", taken])
        #expect(!listen.timedOut && listen.status == 1, "\(listen.output)")
        #expect(listen.output.contains("\(taken) is \(holder): pick another --listen or stop it"), "\(listen.output)")
        #expect(Self.endpoint(controllerData) == nil, "the embedded engine took its endpoint file back on the way out")
    }
}
