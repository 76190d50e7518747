// volley/cipher_suite.h: the TLS 1.3 cipher suites (RFC 8446 §B.4): an AEAD and a hash.
//
// A CipherSuite is an immutable descriptor; the three instances below are the only ones, compare
// them by address. They are constant-initialised, so they may be used from any thread at any time,
// including during static initialisation of other translation units.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/aead.h"
#include "volley/sha2.h"

namespace volley {

struct CipherSuite {
  uint16_t iana_code;     // e.g. 0x1301 (RFC 8446 §B.4)
  std::string_view name;  // e.g. "TLS_AES_128_GCM_SHA256"
  const Aead* aead;       // the record protection algorithm
  HashAlg hash;           // the HKDF and transcript hash
  size_t key_len;         // traffic key length: aead->key_len
  size_t iv_len;          // traffic iv length: always 12 (RFC 8446 §5.3)
  size_t hash_len;        // hash_size(hash): the length of every secret of this suite
};

extern const CipherSuite kTlsAes128GcmSha256;         // 0x1301
extern const CipherSuite kTlsAes256GcmSha384;         // 0x1302
extern const CipherSuite kTlsChaCha20Poly1305Sha256;  // 0x1303

// cipher_suite_by_code returns the suite with IANA code |code|, or null for any other value
// (including the CCM suites 0x1304 and 0x1305, which volley does not implement).
const CipherSuite* cipher_suite_by_code(uint16_t code) noexcept;

// cipher_suite_by_name returns the suite called |name| (e.g. "TLS_AES_256_GCM_SHA384"), or null.
const CipherSuite* cipher_suite_by_name(std::string_view name) noexcept;

// all_cipher_suites lists the three suites in volley's default preference order.
std::span<const CipherSuite* const> all_cipher_suites() noexcept;

}  // namespace volley
