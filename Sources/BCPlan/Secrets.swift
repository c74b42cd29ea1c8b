import BCModel
import Foundation

/// Reads `secretFrom` sources: an environment variable of this process, or a file's content
/// without its trailing newline. Values are only ever hashed (plan) or sent (apply).
public enum SecretSources {
    public static func read(_ source: SecretSource) -> String? {
        if let name = source.env { return ProcessInfo.processInfo.environment[name] }
        if let path = source.file, let data = FileManager.default.contents(atPath: path) {
            var s = String(decoding: data, as: UTF8.self)
            while s.hasSuffix("\n") || s.hasSuffix("\r") { s.removeLast() }
            return s
        }
        return nil
    }

    public static func describe(_ source: SecretSource) -> String {
        if let e = source.env { return "environment variable \(e)" }
        return "file \(source.file ?? "?")"
    }
}
