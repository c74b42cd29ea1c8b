import BCClient
import Foundation

/// Copies a finished render job's outputs (`<ossOutput><job>/…`) to a local directory, as the
/// Render Manager's auto-download did: through OSS's API, so it works against any endpoint.
/// A file already there with the same size is left alone, so repeating a download is cheap.
public enum RenderDownloader {
    /// - Returns: the files written.
    @discardableResult
    public static func download(output: String, to directory: String, client: BatchComputeClient) async throws -> [String] {
        let prefix = output.hasSuffix("/") ? output : output + "/"
        let oss = OSSClient(client)
        var written: [String] = []
        for url in try await oss.list(prefix) {
            let relative = String(url.dropFirst(prefix.count))
            guard !relative.isEmpty, !relative.split(separator: "/").contains("..") else { continue }
            let path = (directory as NSString).appendingPathComponent(relative)
            let bytes = try await oss.get(url)
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == bytes.count { continue }
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path + ".part"))
            _ = rename(path + ".part", path)
            written.append(path)
        }
        return written
    }
}
