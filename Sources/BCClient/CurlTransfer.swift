import CCurl
import Foundation

/// One request on an easy handle: its options, the answer as it arrives, and the caller's
/// continuation. Created by the caller, then touched only by the loop's thread (hence
/// `@unchecked Sendable`), which calls `configure`, libcurl's callbacks, and `finish`.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let origin: Origin
    let timeoutSeconds: Int
    private let continuation: CheckedContinuation<HTTPResponse, Error>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var handle: EasyHandle?
    fileprivate var headers = HTTPResponseHeaders()
    fileprivate var body: [UInt8] = []

    init(_ request: HTTPRequest, origin: Origin, timeoutSeconds: Int, continuation: CheckedContinuation<HTTPResponse, Error>) {
        self.request = request
        self.origin = origin
        self.timeoutSeconds = timeoutSeconds
        self.continuation = continuation
    }

    /// The longest wait for a connection (TCP, proxy tunnel, TLS), as the NIO client had.
    static let connectTimeoutMilliseconds = 10_000

    /// Sets every option of this request on `handle` (reset first: handles are reused).
    func configure(_ handle: EasyHandle) {
        self.handle = handle
        let easy = handle.easy
        curl_easy_reset(easy)
        handle.errorBuffer[0] = 0
        func set(_ option: CURLoption, _ value: Int) { _ = ccurl_easy_setopt_long(easy, option, value) }
        func set(_ option: CURLoption, _ value: String?) {
            // libcurl copies strings; nil resets an option to its default (none).
            if let value { _ = value.withCString { ccurl_easy_setopt_pointer(easy, option, $0) } }
            else { _ = ccurl_easy_setopt_pointer(easy, option, nil) }
        }
        set(CURLOPT_URL, origin.urlPrefix + request.target)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for timeouts: other threads run here
        set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)  // as the engine speaks it, also over TLS
        set(CURLOPT_CONNECTTIMEOUT_MS, min(Self.connectTimeoutMilliseconds, timeoutSeconds * 1000))
        set(CURLOPT_TIMEOUT_MS, timeoutSeconds * 1000)
        // The route is decided by ProxyRoute (from the environment, once per client): "" tells
        // libcurl not to read the proxy variables itself, and NO_PROXY is already applied.
        set(CURLOPT_PROXY, origin.proxy?.url ?? "")
        set(CURLOPT_NOPROXY, "")
        set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)  // the proxy's "200 Connection established" is not the answer
        if let caFile = origin.caFile {
            // Exactly the given CAs: the file replaces the system store (and its directory).
            set(CURLOPT_CAINFO, caFile)
            set(CURLOPT_CAPATH, nil as String?)
        }
        // Peer and host verification stay at libcurl's defaults: on. There is no option to turn them off.

        switch request.method {
        case .GET: set(CURLOPT_HTTPGET, 1)
        case .HEAD: set(CURLOPT_NOBODY, 1)
        case .POST, .PUT, .DELETE:
            set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            if !request.body.isEmpty || request.method != .DELETE {
                // A body (or an empty one, sent as Content-Length: 0), copied by libcurl.
                _ = ccurl_easy_setopt_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                _ = request.body.withUnsafeBytes { ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)) }
            }
        }

        // The headers exactly as given (the signatures cover them), and none of libcurl's own:
        // "Name:" removes a header libcurl would add, "Name;" sends an empty value.
        var accept = false, contentType = false
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? name + ";" : name + ": " + value)
            if name.utf8.count == 6 && name.lowercased() == "accept" { accept = true }
            if name.utf8.count == 12 && name.lowercased() == "content-type" { contentType = true }
        }
        if !accept { headerList = curl_slist_append(headerList, "Accept:") }
        if !contentType { headerList = curl_slist_append(headerList, "Content-Type:") }
        headerList = curl_slist_append(headerList, "Expect:")
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList)

        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = ccurl_easy_setopt_write(easy, CURLOPT_WRITEFUNCTION, receiveBody)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_easy_setopt_write(easy, CURLOPT_HEADERFUNCTION, receiveHeader)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, handle.errorBuffer)
    }

    /// Resumes the caller with the answer or the error, and gives the handle back for reuse.
    func finish(_ result: CURLcode) -> EasyHandle {
        let handle = self.handle!
        curl_slist_free_all(headerList)
        headerList = nil
        if result == CURLE_OK {
            var status = 0
            _ = ccurl_easy_getinfo_long(handle.easy, CURLINFO_RESPONSE_CODE, &status)
            continuation.resume(returning: HTTPResponse(status: status, headers: headers, body: body))
        } else {
            continuation.resume(throwing: CurlFailure(result, handle: handle, origin: origin, timeoutSeconds: timeoutSeconds).error)
        }
        self.handle = nil
        return handle
    }

    /// A header line of the answer (the status line first): a new status line starts over, as
    /// an interim answer (100 Continue) precedes the real one. Read as bytes: this runs for
    /// every line of every answer (Foundation's trimming cost 8% of a GET's CPU here).
    fileprivate func header(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            headers = HTTPResponseHeaders()
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        var start = colon + 1, end = line.count
        while start < end && isSpace(line[start]) { start += 1 }
        while end > start && isSpace(line[end - 1]) { end -= 1 }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
        headers.append(name: String(decoding: name, as: UTF8.self), value: value)
        // Room for the whole body at once (up to 64 MB: the header is the server's word).
        if name.count == 14, zip(name, "content-length".utf8).allSatisfy({ $0 | 0x20 == $1 | 0x20 }), let n = Int(value), n > 0 {
            body.reserveCapacity(min(n, 64 << 20))
        }
    }
}

private let receiveBody: curl_write_callback = { buffer, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    let n = size * count
    if let buffer, n > 0 {
        UnsafeRawPointer(buffer).withMemoryRebound(to: UInt8.self, capacity: n) {
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
        }
    }
    return n
}

private let receiveHeader: curl_write_callback = { buffer, size, count, context in
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue()
    let n = size * count
    if let buffer, n > 0 {
        transfer.header(UnsafeRawBufferPointer(start: buffer, count: n))
    }
    return n
}
