import BCAPI
import Foundation

/// The Apps the engine offers to everyone, as BatchCompute offered `cromwell`: `bcs asub
/// cromwell …` (the seed's `main.sh`) looks the App up as private first and then as public, and
/// names it `:cromwell` in the job. They are part of the engine, not of its store: they cannot
/// be deleted or modified, and a private App of the same name does not hide them for `:name`.
enum PublicApps {
    static let all: [String: AppDescription] = [CromwellApp.name: CromwellApp.description]

    /// When the public Apps came to be: their one revision's time.
    static let creationTime = Date(timeIntervalSince1970: 1_577_836_800)

    /// The stored form of a public App, as the scheduler and the job checks read Apps.
    static func row(_ name: String) -> EngineStore.AppRow? {
        guard let app = all[name] else { return nil }
        let json = JSONValue(encoding: app).canonicalString
        return EngineStore.AppRow(name: name, revision: 1, description: json, creationTime: creationTime)
    }

    /// What an App job's `AppName` names: `:name` is public only; a bare name is private.
    static func lookup(_ appName: String, store: EngineStore) throws -> EngineStore.AppRow? {
        if appName.hasPrefix(":") { return row(String(appName.dropFirst())) }
        return try store.app(appName)
    }

    /// What a public App's instances are given besides BatchCompute's variables: a credential
    /// that lets the runner submit its calls and reach OSS for as long as its own job runs
    /// (`JobCredentials`), and a directory that outlives the instance for run directories and
    /// the call cache. The endpoint is `BATCH_COMPUTE_OSS_HOST`, which every instance has.
    static func environment(jobId: String, engine: Engine) -> [String: String] {
        let credential = JobCredentials.issue(for: jobId, master: engine.credentials)
        return ["BCOPS_ACCESS_KEY_ID": credential.accessKeyId, "BCOPS_ACCESS_KEY_SECRET": credential.accessKeySecret,
                "BCOPS_WORKFLOW_ROOT": engine.dataDirectory + "/workflows"]
    }
}
