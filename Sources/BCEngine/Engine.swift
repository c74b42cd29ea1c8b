import BCAPI
import BCModel
import Foundation

/// The embedded engine: state, credentials and the catalog the API reports.
public final class Engine: Sendable {
    public let store: EngineStore
    public let credentials: Credentials
    public let catalog: InstanceTypeCatalog
    public let dataDirectory: String
    /// `oss://bucket/key` lives at `<root>/bucket/key`; `DIR/oss` unless `--oss-root` says otherwise.
    public let objects: ObjectStore
    /// Raised by the API after a change the scheduler must react to: it waits on this (and on
    /// its executors' reports), never on a timer.
    public let wakeup = WakeFlag()
    /// Stopped jobs whose instances are still ending: their keys stay valid meanwhile.
    let endingJobs = EndingJobs()
    /// Each instance's worker log (`DATA/worker-logs`), the instance log route's stream `worker`.
    let workerLogs: WorkerLogs
    /// The node load of the instances running on this host (`/bcops/load/{job}`).
    let loads = NodeLoads()

    /// Opens (or creates) the engine's data directory: `engine.sqlite` and `credentials.json`.
    /// They hold every secret env value and the access key, so the directory is 0700 and the
    /// files 0600; looser modes left by an older engine are tightened, saying so on `notice`
    /// (standard error by default), and a credentials file readable by others is warned about.
    public init(dataDirectory: String, objectRoot: String? = nil, catalog: InstanceTypeCatalog = .builtIn,
                notice: (String) -> Void = Credentials.warn) throws {
        self.dataDirectory = dataDirectory
        workerLogs = WorkerLogs(dataDirectory: dataDirectory)
        try Engine.makePrivateDirectory(dataDirectory, notice: notice)
        objects = ObjectStore(root: objectRoot ?? dataDirectory + "/oss")
        credentials = try Credentials.loadOrCreate(in: dataDirectory, warn: notice).credentials
        store = try EngineStore(path: dataDirectory + "/engine.sqlite", notice: notice)
        self.catalog = catalog
    }

    /// Creates `path` 0700 (and its missing parents), or takes group and other access away
    /// from an existing one, with a notice.
    static func makePrivateDirectory(_ path: String, notice: (String) -> Void) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return
        }
        tighten(path, info: info, to: 0o700, why: "it holds engine.sqlite and credentials.json", notice: notice)
    }

    /// Takes group and other access away from an existing file or directory (no-op if it has
    /// none, or does not exist), with a notice naming it and both modes.
    static func tighten(_ path: String, to mode: mode_t, why: String, notice: (String) -> Void) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        tighten(path, info: info, to: mode, why: why, notice: notice)
    }

    private static func tighten(_ path: String, info: stat, to mode: mode_t, why: String, notice: (String) -> Void) {
        let current = info.st_mode & 0o7777
        guard current & 0o077 != 0 else { return }
        let octal = { (m: mode_t) in String(format: "%04o", m) }
        if chmod(path, mode) == 0 {
            notice("bcops engine: tightened \(path) from mode \(octal(current)) to \(octal(mode)): \(why)")
        } else {
            notice("Warning: \(path) has mode \(octal(current)) and cannot be changed (\(String(cString: strerror(errno)))): \(why); chmod \(String(mode, radix: 8)) \(path)")
        }
    }

    /// `$BCOPS_OSS_ROOT`, or `DATA/oss`.
    public static func defaultObjectRoot(data: String) -> String {
        if let d = ProcessInfo.processInfo.environment["BCOPS_OSS_ROOT"], !d.isEmpty { return d }
        return data + "/oss"
    }

    /// `~/.local/share/bcops`, or `$BCOPS_DATA`.
    public static var defaultDataDirectory: String {
        if let d = ProcessInfo.processInfo.environment["BCOPS_DATA"], !d.isEmpty { return d }
        return NSHomeDirectory() + "/.local/share/bcops"
    }
}
