// HMAC (RFC 2104): the pads are absorbed once at init(), so a keyed object is two hash states.
#include "volley/hmac.h"

#include <cstring>

#include "engine/common/secure_memory.h"

namespace volley {

template <class H>
Status Hmac<H>::init(Bytes key, std::string_view backend) noexcept {
  wipe();
  Status s = inner_.init(backend);
  if (s != Status::kOk) return s;
  s = outer_.init(backend);
  if (s != Status::kOk) return s;

  uint8_t pad[H::kBlockSize] = {};
  if (key.size() > H::kBlockSize) {
    // RFC 2104 §2: a long key is replaced by its hash (on the same backend).
    H long_key = inner_;
    long_key.update(key);
    long_key.final(std::span<uint8_t, H::kDigestSize>(pad, H::kDigestSize));
    long_key.wipe();
  } else if (!key.empty()) {
    std::memcpy(pad, key.data(), key.size());
  }
  for (uint8_t& b : pad) b ^= 0x36;
  inner_.absorb_blocks(pad, 1);
  for (uint8_t& b : pad) b ^= 0x36 ^ 0x5c;
  outer_.absorb_blocks(pad, 1);
  secure_wipe(pad, sizeof(pad));
  keyed_ = true;
  return Status::kOk;
}

template <class H>
Status Hmac<H>::final(std::span<uint8_t, kTagSize> out) noexcept {
  if (!keyed_) return Status::kNotInitialized;
  uint8_t inner_hash[H::kDigestSize];
  inner_.final(std::span<uint8_t, H::kDigestSize>(inner_hash, H::kDigestSize));
  outer_.update(Bytes(inner_hash, sizeof(inner_hash)));
  outer_.final(out);
  secure_wipe(inner_hash, sizeof(inner_hash));
  wipe();
  return Status::kOk;
}

template <class H>
void Hmac<H>::wipe() noexcept {
  // A never-keyed object holds only public initial values; skipping it keeps copies cheap.
  if (!keyed_) return;
  inner_.wipe();
  outer_.wipe();
  keyed_ = false;
}

template class Hmac<Sha256>;
template class Hmac<Sha384>;
template class Hmac<Sha512>;

namespace {

template <class H>
Status hmac_with(std::span<uint8_t> out, Bytes key, Bytes data) {
  Hmac<H> m;
  const Status s = m.init(key);
  if (s != Status::kOk) return s;
  m.update(data);
  return m.final(out.first<H::kDigestSize>());
}

}  // namespace

Status hmac(HashAlg alg, std::span<uint8_t> out, Bytes key, Bytes data) noexcept {
  if (out.size() != hash_size(alg)) return Status::kBadOutputLength;
  switch (alg) {
    case HashAlg::kSha256:
      return hmac_with<Sha256>(out, key, data);
    case HashAlg::kSha384:
      return hmac_with<Sha384>(out, key, data);
    case HashAlg::kSha512:
      return hmac_with<Sha512>(out, key, data);
  }
  return Status::kInvalidArgument;
}

}  // namespace volley
