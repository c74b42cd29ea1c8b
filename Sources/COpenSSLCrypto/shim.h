// Debian's OpenSSL libcrypto (libssl-dev): HMAC for request signatures and webhooks,
// and a constant-time compare. Costs nothing to build, unlike a vendored BoringSSL.
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
