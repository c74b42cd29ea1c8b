import Foundation

/// The few file operations the commands need.
enum FileSystem {
    static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    static func read(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Writes through a temporary file and a rename, so a crash never leaves half a file.
    static func write(_ text: String, to path: String) throws {
        let tmp = path + ".bcops-tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        if rename(tmp, path) != 0 { throw CocoaError(.fileWriteUnknown) }
    }
}
