// handshake/pki/openssl_common.h: what the libcrypto verifier and credential share — owners for
// libcrypto objects, the size limits, certificate parsing, the key policy and how each signature
// scheme drives EVP_DigestSign/EVP_DigestVerify. Internal to handshake/pki.
#pragma once

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <memory>

#include "volley/bytes.h"
#include "volley/pki.h"
#include "volley/tls_error.h"

namespace volley::tls::ossl {

// OpensslPolicy is what the factories of volley/pki.h fix and tests may loosen: RFC 8448's server
// key, for one, is RSA-1024.
struct OpensslPolicy {
  // The smallest RSA modulus, in bits, accepted in a leaf or a credential. Below 2048, OpenSSL's
  // chain checks drop from security level 2 (112-bit: RSA >= 2048, no SHA-1) to level 1 (80-bit).
  int min_rsa_bits = 2048;
};

// RFC 8446 §4.4.2 allows certificates of up to 2^24 - 1 bytes; real ones are a few KiB, so larger
// chains are refused before parsing, to bound the work a peer can cause.
inline constexpr size_t kMaxChainLength = 10;
inline constexpr size_t kMaxCertificateSize = 64 * 1024;

struct Free {
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
  void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509) * p) const noexcept { sk_X509_pop_free(p, X509_free); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using X509Ptr = std::unique_ptr<X509, Free>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free>;
using X509StorePtr = std::unique_ptr<X509_STORE, Free>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Free>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Free>;
using BioPtr = std::unique_ptr<BIO, Free>;

// ErrorQueueScope empties this thread's OpenSSL error queue when it goes out of scope, so that no
// libcrypto call made on volley's behalf leaves an error behind for the application to trip on.
class ErrorQueueScope {
 public:
  ErrorQueueScope() noexcept = default;
  ~ErrorQueueScope() { ERR_clear_error(); }
  ErrorQueueScope(const ErrorQueueScope&) = delete;
  ErrorQueueScope& operator=(const ErrorQueueScope&) = delete;
};

// parse_certificate decodes one DER certificate; null if |der| is empty, over
// kMaxCertificateSize, malformed, or followed by trailing bytes.
X509Ptr parse_certificate(Bytes der) noexcept;

// KeyKind is a key type and, for ECDSA, its curve: what decides the schemes a key can use.
enum class KeyKind : uint8_t {
  kUnsupported,
  kRsa,     // rsaEncryption: rsa_pss_rsae_* (and PKCS#1 v1.5, which TLS 1.3 does not sign with)
  kRsaPss,  // id-RSASSA-PSS: rsa_pss_pss_*
  kEcdsaP256,
  kEcdsaP384,
  kEcdsaP521,
  kEd25519,
};

KeyKind key_kind(const EVP_PKEY* key) noexcept;

// check_key_policy returns kTlsOk if |key| is of a supported kind (and, for RSA, at least
// policy.min_rsa_bits), else a failure with |alert|.
TlsError check_key_policy(const EVP_PKEY* key, const OpensslPolicy& policy,
                          AlertDescription alert) noexcept;

// check_scheme_fits_key returns kTlsOk if |scheme| is a CertificateVerify scheme (RFC 8446
// §4.4.3) that a key of |kind| signs with, else a failure with |alert|.
TlsError check_scheme_fits_key(SignatureScheme scheme, KeyKind kind,
                               AlertDescription alert) noexcept;

// DigestOp says which of EVP_DigestSignInit_ex / EVP_DigestVerifyInit_ex init_digest calls.
enum class DigestOp : uint8_t { kSign, kVerify };

// init_digest sets |ctx| up to sign or verify under |scheme| with |key|: the scheme's hash (none
// for Ed25519, which signs the message itself), and for RSA-PSS the PSS padding, MGF1 with the
// same hash and a salt as long as the hash (RFC 8446 §4.2.3). The scheme must already have passed
// check_scheme_fits_key. Returns false on a libcrypto failure.
bool init_digest(EVP_MD_CTX* ctx, DigestOp op, SignatureScheme scheme, EVP_PKEY* key) noexcept;

// report stores |e| in |*error| when |error| is not null, and returns null: the failure path of
// every factory.
template <typename T>
std::shared_ptr<const T> report(TlsError* error, TlsError e) noexcept {
  if (error != nullptr) *error = e;
  return nullptr;
}

}  // namespace volley::tls::ossl
