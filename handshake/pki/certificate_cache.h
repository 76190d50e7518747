// handshake/pki/certificate_cache.h: parsed certificates keyed by their DER bytes, shared by every
// connection of one verifier. Internal to handshake/pki.
//
// Why: OpenSSL 3's d2i_X509 decodes the subject public key eagerly through the provider decoder
// framework (OSSL_DECODER_CTX_new_for_pkey: algorithm enumeration under read locks, string
// compares, dozens of allocations). Profiled on the TLS handshake bench it was over half of the
// CertificateVerify check and most of the chain check, paid again for the same bytes on every
// handshake, and twice for the leaf (verify_chain, then verify_signature). The cache turns the
// repeats into a hash, a memcmp and a reference count.
//
// What it caches is the parse only: an X509 whose DER equals the key byte for byte. Nothing about
// trust is cached; the caller runs X509_verify_cert (signatures, validity at its time, host,
// purpose) on every use. libcrypto's lazily filled X509 caches (extensions, key usage, the SHA-1
// hash) depend on the DER alone and are filled under the X509's own lock, so one X509 may be read
// by several verifications at once, as libssl does with the certificates of an SSL_CTX.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "handshake/pki/openssl_common.h"

namespace volley::tls::ossl {

class CertificateCache {
 public:
  // Limits bounds the cache: at most |max_entries| certificates and |max_bytes| bytes of DER
  // (libcrypto's parsed form takes a few times more). The defaults hold the chains of a few dozen
  // peers in about 1 MiB of DER at most.
  struct Limits {
    size_t max_entries = 256;
    size_t max_bytes = size_t{1} << 20;
  };

  // Stats is a snapshot for tests and diagnostics.
  struct Stats {
    size_t entries = 0;
    size_t bytes = 0;
    uint64_t hits = 0;
    uint64_t misses = 0;
  };

  CertificateCache() noexcept : CertificateCache(Limits{}) {}
  explicit CertificateCache(Limits limits) noexcept : limits_(limits) {}
  CertificateCache(const CertificateCache&) = delete;
  CertificateCache& operator=(const CertificateCache&) = delete;

  // get returns a new reference to the parsed certificate whose DER is |der|: the cached one on a
  // hit (it becomes the most recently used), else a fresh parse_certificate(der), inserted after
  // evicting the least recently used entries beyond the limits. Null, and nothing cached, when
  // |der| does not parse (parse_certificate's rules: size, trailing bytes). Out of memory while
  // inserting returns the fresh parse uncached. Thread-safe: one mutex guards the index and the
  // recency list; the parse on a miss runs outside it. Never throws.
  X509Ptr get(Bytes der) noexcept;

  Stats stats() const noexcept;

 private:
  struct Entry {
    std::vector<uint8_t> der;
    X509Ptr cert;
    size_t hash;
  };
  using List = std::list<Entry>;

  // find_locked returns the entry of |der| moved to the front, or end(). mu_ must be held.
  List::iterator find_locked(Bytes der, size_t hash) noexcept;
  // evict_locked moves entries from the back into |dropped| until the limits hold. mu_ held.
  void evict_locked(List* dropped) noexcept;

  const Limits limits_;
  mutable std::mutex mu_;
  List lru_;  // most recently used first
  std::unordered_multimap<size_t, List::iterator> index_;  // DER hash -> entry
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace volley::tls::ossl
