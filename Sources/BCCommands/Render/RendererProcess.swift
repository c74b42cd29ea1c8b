import BCRender
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the renderer with its stdout passed through as it comes, remembering the last
/// `Error:` line (Blender prints its errors on stdout). On failure that line is written last
/// on stderr, where the engine takes the failure's reason from. posix_spawn and a read loop,
/// not Foundation's Process: its run loop cost tens of milliseconds after the renderer ended,
/// on every node of every job.
enum RendererProcess {
    /// Printed last by every node: `render status` reads the CPU time from it.
    static let cpuTimePrefix = RenderNodeLog.cpuTimePrefix

    static func run(_ argv: [String]) throws -> Int32 {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RenderNodeError(message: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid = pid_t()
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, cArgs, environ)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw RenderNodeError(message: "\(argv[0]): \(rc == ENOENT ? "not found on PATH; install it on the node (Debian: apt-get install \(argv[0]))" : String(cString: strerror(rc)))")
        }
        var lastError: String?
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            buffer.withUnsafeBytes { _ = write(1, $0.baseAddress, n) }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                if pending.starts(with: Array("Error:".utf8)) { lastError = String(decoding: pending[..<newline], as: UTF8.self) }
                pending.removeSubrange(...newline)
            }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        var usage = rusage()
        if getrusage(RUSAGE_CHILDREN.rawValue, &usage) == 0 {
            let seconds = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            print("\(cpuTimePrefix)\(String(format: "%.2f", seconds)) s")
            fflush(nil)
        }
        if code != 0 {
            let said = lastError.map { ": \($0)" } ?? ""
            FileHandle.standardError.write(Data("\((argv[0] as NSString).lastPathComponent) failed with exit code \(code)\(said)\n".utf8))
        }
        return code
    }
}
