import CCurl
import Foundation

/// A failed transfer in `TransportError`'s terms: the words the NIO client used for the same
/// failures ("cannot connect to HOST:PORT: Connection refused", "no answer within 60 s"), so
/// that `ClientConfiguration.unreachableMessage` and the commands' messages read as before,
/// plus what only TLS and proxies can say.
struct CurlFailure {
    let error: TransportError

    init(_ code: CURLcode, handle: EasyHandle, origin: Origin, timeoutSeconds: Int) {
        let detail = handle.errorText.isEmpty ? String(cString: curl_easy_strerror(code)) : handle.errorText
        var osErrno = 0
        _ = ccurl_easy_getinfo_long(handle.easy, CURLINFO_OS_ERRNO, &osErrno)
        let system = osErrno != 0 ? String(cString: strerror(Int32(osErrno))) : detail
        var proxyAnswer = 0
        _ = ccurl_easy_getinfo_long(handle.easy, CURLINFO_HTTP_CONNECTCODE, &proxyAnswer)
        var connected: curl_off_t = 0
        _ = ccurl_easy_getinfo_offset(handle.easy, CURLINFO_CONNECT_TIME_T, &connected)
        let (host, port) = (origin.host, origin.port)

        switch code {
        case CURLE_COULDNT_RESOLVE_PROXY:
            error = .proxy(origin.proxy!, underlying: "cannot resolve the proxy's host")
        case CURLE_COULDNT_CONNECT where origin.proxy != nil:
            // Through a proxy, the only connection libcurl opens is to the proxy.
            error = .proxy(origin.proxy!, underlying: system.prefix(1).lowercased() + system.dropFirst())
        case CURLE_COULDNT_CONNECT:
            error = .connect(host: host, port: port, underlying: system)
        case CURLE_COULDNT_RESOLVE_HOST:
            error = .connect(host: host, port: port, underlying: "cannot resolve \(host)")
        case CURLE_OPERATION_TIMEDOUT where connected == 0:
            error = .connect(host: host, port: port, underlying: "no connection within \(CurlTransfer.connectTimeoutMilliseconds / 1000) s")
        case CURLE_OPERATION_TIMEDOUT:
            error = .timedOut(seconds: timeoutSeconds)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE:
            error = .untrusted(host: host, port: port, underlying: detail)
        case CURLE_SSL_CONNECT_ERROR:
            // No TLS handshake: e.g. plain HTTP on that port ("wrong version number").
            error = .connect(host: host, port: port, underlying: "TLS handshake failed: \(detail)")
        case _ where origin.proxy != nil && proxyAnswer != 0 && proxyAnswer != 200:
            // The proxy refused the tunnel (403: not allowed there, 502: it could not connect).
            error = .proxy(origin.proxy!, underlying: "the proxy answered CONNECT with \(proxyAnswer)")
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE:
            error = .closed
        default:
            error = .other(detail)
        }
    }
}
