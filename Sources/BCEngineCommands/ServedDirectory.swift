import ArgumentParser
import BCAPI
import BCCommands
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The commands' side of "one engine per data directory" (`bcctl engine serve`, `bcctl
/// controller --embedded-engine`): the directory's lock for the life of the process, the
/// `endpoint` file written once listening and removed on a clean stop if it is still ours.
final class ServedDirectory: @unchecked Sendable {
    let lock: DataDirectoryLock
    private let mutex = NSLock()
    private var published: String?

    private init(lock: DataDirectoryLock) { self.lock = lock }

    /// Takes `directory`; when another engine serves it, says which (address and pid) on
    /// standard error and exits 1.
    static func take(_ directory: String) throws -> ServedDirectory {
        do {
            return ServedDirectory(lock: try DataDirectoryLock.acquire(directory))
        } catch {
            printError("Error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The engine listens at `address`: clients find it through `DATA/endpoint`.
    /// When the file cannot be written the engine still serves, and says how to reach it.
    func listening(at address: String) {
        do {
            try lock.publish(address)
        } catch {
            printError("Warning: cannot write \(lock.endpointFile) (\(error.localizedDescription)): clients on this host "
                       + "will not find the engine by itself; set BCOPS_ENDPOINT=http://\(address) for them")
        }
        mutex.withLock { published = address }
    }

    /// Where the engine listens, once it does.
    var address: String? { mutex.withLock { published } }

    /// The engine stopped cleanly.
    func stopped() {
        if let address { lock.withdraw(address) }
    }
}

/// A listen address that cannot be bound, in words that say what to do: which address, who
/// holds it when this host can tell (the engine of which data directory, or which process),
/// and which flag picks another.
enum ListenFailure {
    static func isAddressInUse(_ error: Error) -> Bool {
        let text = String(describing: error)
        return text.contains(String(cString: strerror(EADDRINUSE))) || text.contains("errno: \(EADDRINUSE))")
    }

    /// "127.0.0.1:9411 is in use by the engine of /x (pid N): pick another --listen or stop it".
    static func message(_ error: Error, host: String, port: Int, flag: String) -> String {
        let address = "\(host):\(port)"
        guard isAddressInUse(error) else { return "cannot listen on \(address) (\(flag)): \(error)" }
        if let holder = PortHolder.find(port: port) {
            return "\(address) is in use by \(holder): pick another \(flag) or stop it"
        }
        return "\(address) is in use: pick another \(flag) or stop what listens there"
    }
}

/// Which process listens on a TCP port, from /proc (Linux; processes of other users are not
/// visible unless run as root): "the engine of /x (pid N)" when it holds a data directory's
/// `engine.lock`, else "pid N (name)".
enum PortHolder {
    static func find(port: Int) -> String? {
        #if os(Linux)
        let inodes = listeningInodes(port: port)
        guard !inodes.isEmpty, let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids where pid.allSatisfy(\.isNumber) {
            let links = descriptorLinks(pid)
            guard links.contains(where: { inodes.contains($0) }) else { continue }
            if let lock = links.first(where: { $0.hasSuffix("/" + DataDirectoryLock.fileName) }) {
                return "the engine of \((lock as NSString).deletingLastPathComponent) (pid \(pid))"
            }
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            return "pid \(pid)" + (name.map { " (\($0))" } ?? "")
        }
        #endif
        return nil
    }

    /// `socket:[INODE]` of every socket listening on `port` (IPv4 and IPv6).
    static func listeningInodes(port: Int) -> Set<String> {
        var out: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 9, f[3] == "0A", let colon = f[1].lastIndex(of: ":"),
                      Int(f[1][f[1].index(after: colon)...], radix: 16) == port else { continue }
                out.insert("socket:[\(f[9])]")
            }
        }
        return out
    }

    /// What each of a process's descriptors points at (empty when not ours to read).
    static func descriptorLinks(_ pid: String) -> [String] {
        let dir = "/proc/\(pid)/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        var buffer = [CChar](repeating: 0, count: 4096)
        return fds.compactMap { fd in
            let n = readlink(dir + "/" + fd, &buffer, buffer.count - 1)
            guard n > 0 else { return nil }
            return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
