import Foundation

/// A real `bcctl engine serve` process on a loopback port chosen by the OS, with its own
/// data directory, for tests that talk to the engine the way clients do.
public final class EngineProcess: @unchecked Sendable {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public let process = Process()
    public let dataDirectory: String
    public private(set) var port = 0
    public private(set) var credentials = Credentials(accessKeyId: "", accessKeySecret: "")

    public struct Credentials: Sendable { public var accessKeyId: String; public var accessKeySecret: String }

    public static func binary(_ name: String) -> String { ProcessRunner.product(name) }

    /// The engine's stdout, read up to its "listening on" line (more with `waitForOutput`).
    public private(set) var output = ""
    private let outPipe = Pipe()

    /// Reads the engine's stdout until it holds one of `texts` (e.g. the end of the dashboard's
    /// "listening on" line, or its "not started" line), or the engine closes it; returns all of
    /// it read so far. (A read blocks until the engine writes: wait only for what it will print.)
    public func waitForOutput(containing texts: String..., seconds: Double = 10) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while !texts.contains(where: output.contains) && Date() < deadline {
            let chunk = outPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += String(decoding: chunk, as: UTF8.self)
        }
        return output
    }

    /// The engine's log (stderr), when `logFile` was given.
    public let logFile: String?

    public init(dataDirectory: String? = nil, listen: String = "127.0.0.1:0", arguments: [String] = [], logFile: String? = nil) throws {
        self.dataDirectory = dataDirectory ?? FileManager.default.temporaryDirectory.appendingPathComponent("bcops-engine-\(UUID().uuidString)").path
        self.logFile = logFile
        process.executableURL = URL(fileURLWithPath: EngineProcess.binary("bcctl"))
        process.arguments = ["engine", "serve", "--data", self.dataDirectory, "--listen", listen] + arguments
        let out = outPipe
        process.standardOutput = out
        if let logFile {
            FileManager.default.createFile(atPath: logFile, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logFile)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        // Wait for "listening on http://127.0.0.1:PORT".
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let r = text.range(of: "listening on http://127.0.0.1:") ?? text.range(of: "listening on http://localhost:") {
                let digits = text[r.upperBound...].prefix { $0.isNumber }
                if let p = Int(digits), text[r.upperBound...].dropFirst(digits.count).first != nil { port = p; break }
            }
        }
        output = text
        guard port > 0 else { process.terminate(); throw CocoaError(.fileReadUnknown) }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: self.dataDirectory + "/credentials.json"))) as! [String: String]
        credentials = Credentials(accessKeyId: json["AccessKeyId"]!, accessKeySecret: json["AccessKeySecret"]!)
    }

    public func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    /// SIGKILL, as a crash would.
    public func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    deinit { stop() }

    /// The environment a client process needs to reach this engine (bcplan, bcapply, the SDK).
    public var clientEnvironment: [String: String] {
        ["BCOPS_ENDPOINT": "http://127.0.0.1:\(port)", "BCOPS_ACCESS_KEY_ID": credentials.accessKeyId,
         "BCOPS_ACCESS_KEY_SECRET": credentials.accessKeySecret, "BCOPS_DATA": dataDirectory]
    }
}
