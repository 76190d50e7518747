// volley/hmac.h: HMAC (RFC 2104, FIPS 198-1) over SHA-256, SHA-384 and SHA-512.
//
//   volley::HmacSha256 mac;
//   if (mac.init(key) != volley::Status::kOk) { ... }  // only a bad backend name can fail
//   volley::HmacSha256 per_message = mac;                // keyed state, reusable by copying
//   per_message.update(data);
//   uint8_t tag[32];
//   if (per_message.final(tag) != volley::Status::kOk) { ... }
//
// Keyed state: init() absorbs key^ipad and key^opad once; the object then holds two hash states
// and no copy of the key. Copying a keyed object is how one key MACs several messages without
// re-deriving the pads (HKDF-Expand and the TLS 1.3 key schedule do this).
//
// Threads: one object must not be used by two threads at once; a keyed object may be copied by
// several threads at once (copying only reads it).
//
// Allocation: none. Failure: init() fails only on a bad backend name (kUnknownBackend,
// kBackendUnavailable), leaving the object unkeyed; final() on an unkeyed object returns
// kNotInitialized and writes nothing; update() on an unkeyed object is ignored.
//
// Aliasing: |key| may overlap anything (it is consumed by init()); the tag written by final() may
// overlap the data passed to update() earlier. The one-shot hmac() reads all input before writing.
//
// Secrets: both hash states (which are equivalent to the key) and every temporary holding the key
// or a pad are wiped by the destructor, by final() and by wipe().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/sha2.h"
#include "volley/status.h"

namespace volley {

// Hmac<H> is HMAC over the hash H (Sha256, Sha384 or Sha512). Keys of any length are accepted;
// keys longer than the block size are hashed first (RFC 2104 §2).
template <class H>
class Hmac {
 public:
  static constexpr size_t kTagSize = H::kDigestSize;
  static constexpr HashAlg kAlg = H::kAlg;

  Hmac() noexcept = default;
  ~Hmac() { wipe(); }
  Hmac(const Hmac&) noexcept = default;
  Hmac& operator=(const Hmac&) noexcept = default;

  // init keys the object with |key| on the hash backend called |backend| (see volley/sha2.h), or
  // the best one when |backend| is empty.
  [[nodiscard]] Status init(Bytes key, std::string_view backend = {}) noexcept;

  // update absorbs |data| into the message.
  void update(Bytes data) noexcept {
    if (keyed_) inner_.update(data);
  }
  void update(const void* data, size_t len) noexcept {
    update(Bytes(static_cast<const uint8_t*>(data), len));
  }

  // final writes the tag of the message absorbed since init() to |out| and wipes the object, which
  // is then unkeyed.
  [[nodiscard]] Status final(std::span<uint8_t, kTagSize> out) noexcept;
  [[nodiscard]] Status final(uint8_t out[kTagSize]) noexcept {
    return final(std::span<uint8_t, kTagSize>(out, kTagSize));
  }

  // keyed reports whether init() succeeded and final() has not run since.
  bool keyed() const noexcept { return keyed_; }

  // wipe erases the keyed state; the object is then unkeyed.
  void wipe() noexcept;

  // backend_name is the hash kernel in use; only meaningful while keyed().
  std::string_view backend_name() const noexcept { return inner_.backend_name(); }

 private:
  H inner_;  // after key ^ ipad, then the message
  H outer_;  // after key ^ opad
  bool keyed_ = false;
};

extern template class Hmac<Sha256>;
extern template class Hmac<Sha384>;
extern template class Hmac<Sha512>;

using HmacSha256 = Hmac<Sha256>;
using HmacSha384 = Hmac<Sha384>;
using HmacSha512 = Hmac<Sha512>;

// hmac writes HMAC-|alg|(key, data) to |out| on the best backend. Returns kBadOutputLength unless
// out.size() == hash_size(alg); nothing is written then.
[[nodiscard]] Status hmac(HashAlg alg, std::span<uint8_t> out, Bytes key, Bytes data) noexcept;

}  // namespace volley
