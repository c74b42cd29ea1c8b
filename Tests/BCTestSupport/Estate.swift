import Foundation

/// A scratch GitOps repository and a real engine, driven with the built bcplan and bcapply.
public final class Estate: @unchecked Sendable {
    public let engine: EngineProcess
    public let dir: URL

    /// `engineArguments`: more for `bcctl engine serve` (`--executor gridengine`).
    public init(engineArguments: [String] = []) throws {
        engine = try EngineProcess(arguments: engineArguments)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("bcops-estate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    deinit { engine.stop() }

    public func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    public func remove(_ name: String) throws { try FileManager.default.removeItem(at: dir.appendingPathComponent(name)) }

    public func edit(_ name: String, _ from: String, _ to: String) throws {
        let url = dir.appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        precondition(text.contains(from), "\(name) has no \(from)")
        try text.replacingOccurrences(of: from, with: to).write(to: url, atomically: true, encoding: .utf8)
    }

    @discardableResult
    public func run(_ tool: String, _ args: [String], env: [String: String] = [:]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(ProcessRunner.product(tool), args, environment: engine.clientEnvironment.merging(env) { $1 })
    }

    public func plan(_ args: String...) throws -> ProcessRunner.Output { try run("bcplan", [dir.path, "-no-color"] + args) }
    public func apply(_ args: String...) throws -> ProcessRunner.Output { try run("bcapply", [dir.path, "-no-color", "-auto-approve"] + args) }
}
