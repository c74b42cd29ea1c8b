// Debian's libcurl (libcurl4-openssl-dev: OpenSSL for TLS, the system CA store) for BCClient's
// transport. Swift cannot call C variadic functions, and curl_easy_setopt, curl_multi_setopt
// and curl_easy_getinfo are variadic, so each argument type BCClient passes gets a static
// inline wrapper that clang compiles when the module is imported.
#ifndef BCOPS_CCURL_SHIM_H
#define BCOPS_CCURL_SHIM_H

// The wrappers below pass each type explicitly; curl's gcc type-check macros add nothing here.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

static inline CURLcode ccurl_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}
static inline CURLcode ccurl_easy_setopt_offset(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}
/// Strings (copied by libcurl), lists, buffers and callback data: anything passed as a pointer.
static inline CURLcode ccurl_easy_setopt_pointer(CURL *easy, CURLoption option, const void *value) {
    return curl_easy_setopt(easy, option, value);
}
static inline CURLcode ccurl_easy_setopt_write(CURL *easy, CURLoption option, curl_write_callback callback) {
    return curl_easy_setopt(easy, option, callback);
}
static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}
static inline CURLcode ccurl_easy_getinfo_long(CURL *easy, CURLINFO info, long *value) {
    return curl_easy_getinfo(easy, info, value);
}
static inline CURLcode ccurl_easy_getinfo_offset(CURL *easy, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(easy, info, value);
}
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **value) {
    return curl_easy_getinfo(easy, info, value);
}

#endif
