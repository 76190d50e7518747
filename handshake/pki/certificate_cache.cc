#include "handshake/pki/certificate_cache.h"

#include <cstring>
#include <functional>
#include <new>
#include <string_view>
#include <utility>

namespace volley::tls::ossl {
namespace {

// der_hash spreads the DER over the index. It needs no secret seed: the cache holds at most
// max_entries certificates, so a peer crafting colliding certificates buys at most that many
// memcmp calls per lookup, and a full compare decides every hit.
size_t der_hash(Bytes der) noexcept {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
}

X509Ptr new_reference(X509* cert) noexcept {
  X509_up_ref(cert);
  return X509Ptr(cert);
}

}  // namespace

CertificateCache::List::iterator CertificateCache::find_locked(Bytes der, size_t hash) noexcept {
  const auto [first, last] = index_.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    const Entry& e = *it->second;
    if (e.der.size() == der.size() && std::memcmp(e.der.data(), der.data(), der.size()) == 0) {
      lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
      return it->second;
    }
  }
  return lru_.end();
}

void CertificateCache::evict_locked(List* dropped) noexcept {
  while (!lru_.empty() && (lru_.size() > limits_.max_entries || bytes_ > limits_.max_bytes)) {
    const List::iterator victim = std::prev(lru_.end());
    const auto [first, last] = index_.equal_range(victim->hash);
    for (auto it = first; it != last; ++it) {
      if (it->second == victim) {
        index_.erase(it);
        break;
      }
    }
    bytes_ -= victim->der.size();
    dropped->splice(dropped->end(), lru_, victim);
  }
}

X509Ptr CertificateCache::get(Bytes der) noexcept {
  if (der.empty() || der.size() > kMaxCertificateSize) return nullptr;
  const size_t hash = der_hash(der);
  {
    const std::lock_guard<std::mutex> lock(mu_);
    const List::iterator hit = find_locked(der, hash);
    if (hit != lru_.end()) {
      ++hits_;
      return new_reference(hit->cert.get());
    }
    ++misses_;
  }
  X509Ptr parsed = parse_certificate(der);
  if (parsed == nullptr) return nullptr;
  List dropped;  // freed after the lock is released
  try {
    List fresh;
    fresh.push_back(Entry{std::vector<uint8_t>(der.begin(), der.end()),
                          new_reference(parsed.get()), hash});
    const std::lock_guard<std::mutex> lock(mu_);
    // Another thread may have parsed the same bytes meanwhile: keep one copy.
    const List::iterator raced = find_locked(der, hash);
    if (raced != lru_.end()) return new_reference(raced->cert.get());
    index_.emplace(hash, fresh.begin());  // may throw: then nothing has moved yet
    lru_.splice(lru_.begin(), fresh);
    bytes_ += der.size();
    evict_locked(&dropped);
  } catch (const std::bad_alloc&) {
    // Serve this call uncached.
  }
  return parsed;
}

CertificateCache::Stats CertificateCache::stats() const noexcept {
  const std::lock_guard<std::mutex> lock(mu_);
  return Stats{lru_.size(), bytes_, hits_, misses_};
}

}  // namespace volley::tls::ossl
