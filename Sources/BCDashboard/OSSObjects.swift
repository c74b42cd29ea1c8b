import BCAPI
import BCClient
import BCRenderClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// /ui/oss/<bucket>/<key>: images shown, anything else a download.
extension Dashboard {

    func object(bucket: String, key: String) async throws -> Response {
        let bytes: [UInt8]
        do { bytes = try await OSSClient(client).get("oss://\(bucket)/\(key)") } catch {
            return html("<p>No object oss://\(HTML.esc(bucket))/\(HTML.esc(key)).</p>", status: .notFound)
        }
        var headers: HTTPFields = [:]
        // Images are shown; anything else is a download, never a page of this origin.
        if let type = Self.imageTypes[(key as NSString).pathExtension.lowercased()] {
            headers[.contentType] = type
        } else {
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = "attachment"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
