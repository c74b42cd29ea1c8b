import BCRender
import Foundation

/// Runs the renderer with its stdout passed through line by line, remembering the last
/// `Error:` line (Blender prints its errors on stdout). On failure that line is written last
/// on stderr, where the engine takes the failure's reason from.
enum RendererProcess {
    /// Printed last by every node: `render status` reads the CPU time from it.
    static let cpuTimePrefix = RenderNodeLog.cpuTimePrefix

    static func run(_ argv: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0].contains("/") ? argv[0] : try locate(argv[0]))
        process.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.standardError
        try process.run()
        var pending = Data()
        var lastError: String?
        let reader = pipe.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            FileHandle.standardOutput.write(chunk)
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("Error: ") || line.hasPrefix("Error:") { lastError = line }
            }
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        var usage = rusage()
        if getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 {
            let seconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            print("\(cpuTimePrefix)\(String(format: "%.2f", seconds)) s")
            fflush(nil)
        }
        if status != 0 {
            let said = lastError.map { ": \($0)" } ?? ""
            FileHandle.standardError.write(Data("\((argv[0] as NSString).lastPathComponent) failed with exit code \(status)\(said)\n".utf8))
        }
        return status
    }

    /// The program's path on `$PATH`, as a shell finds it.
    static func locate(_ name: String) throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw RenderNodeError(message: "\(name): not found on PATH; install it on the node (Debian: apt-get install \(name))")
    }
}
