import BCTestSupport
import Foundation

/// The official SDK, on the shared scratch estate (the manifests it applies: ManifestFixtures.swift).
extension Estate {
    /// The official SDK's Python, with the engine's port and keys as the first arguments.
    func sdk(_ script: String, _ args: [String]) throws -> ProcessRunner.Output {
        let python = ProcessInfo.processInfo.environment["BCOPS_SDK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProcessRunner.root.appendingPathComponent(".build-venv/bin/python").path
        let script = ProcessRunner.root.appendingPathComponent("Tests/BCPlanTests/sdk/\(script)").path
        return try ProcessRunner.run(python, [script, String(engine.port), engine.credentials.accessKeyId, engine.credentials.accessKeySecret] + args)
    }
}

extension Estate {
    /// Takes the workspace lock through the API as another holder; returns its ID.
    func sdkLock(owner: String, ttl: Int) throws -> String {
        let r = try sdk("lock.py", [owner, String(ttl)])
        precondition(r.status == 0, r.combined)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many objects the default workspace owns, counted through the official SDK.
    func ownedCount() throws -> Int {
        let r = try sdk("owned.py", ["default"])
        precondition(r.status == 0, r.combined)
        return Int(r.stdout.split(separator: "\n").first ?? "") ?? -1
    }

    func appNames() throws -> [String] {
        let r = try sdk("owned.py", ["default"])
        return r.stdout.split(separator: "\n").dropFirst().map(String.init)
    }
}
