// The TLS 1.3 cipher suite descriptors (RFC 8446 §B.4).
#include "volley/cipher_suite.h"

namespace volley {

const CipherSuite kTlsAes128GcmSha256 = {
    0x1301, "TLS_AES_128_GCM_SHA256", &kAes128Gcm, HashAlg::kSha256, 16, 12, 32};
const CipherSuite kTlsAes256GcmSha384 = {
    0x1302, "TLS_AES_256_GCM_SHA384", &kAes256Gcm, HashAlg::kSha384, 32, 12, 48};
const CipherSuite kTlsChaCha20Poly1305Sha256 = {
    0x1303, "TLS_CHACHA20_POLY1305_SHA256", &kChaCha20Poly1305, HashAlg::kSha256, 32, 12, 32};

namespace {

// AES-128-GCM first: it is the suite every TLS 1.3 implementation must offer (RFC 8446 §9.1).
constexpr const CipherSuite* kAll[] = {&kTlsAes128GcmSha256, &kTlsAes256GcmSha384,
                                       &kTlsChaCha20Poly1305Sha256};

}  // namespace

const CipherSuite* cipher_suite_by_code(uint16_t code) noexcept {
  for (const CipherSuite* s : kAll) {
    if (s->iana_code == code) return s;
  }
  return nullptr;
}

const CipherSuite* cipher_suite_by_name(std::string_view name) noexcept {
  for (const CipherSuite* s : kAll) {
    if (s->name == name) return s;
  }
  return nullptr;
}

std::span<const CipherSuite* const> all_cipher_suites() noexcept { return kAll; }

}  // namespace volley
