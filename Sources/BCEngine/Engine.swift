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
    /// Set by the API when something may have become runnable; the scheduler looks at once
    /// instead of waiting for its next periodic pass.
    public let wakeup = WakeFlag()

    /// Opens (or creates) the engine's data directory: `engine.sqlite` and `credentials.json`.
    public init(dataDirectory: String, objectRoot: String? = nil, catalog: InstanceTypeCatalog = .builtIn) throws {
        self.dataDirectory = dataDirectory
        objects = ObjectStore(root: objectRoot ?? dataDirectory + "/oss")
        credentials = try Credentials.loadOrCreate(in: dataDirectory).credentials
        store = try EngineStore(path: dataDirectory + "/engine.sqlite")
        self.catalog = catalog
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
