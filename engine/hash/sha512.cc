// SHA-512 and SHA-384 front end: buffering and padding (FIPS 180-4 §5.1.2) around a dispatched
// kernel.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/hash_kernels.h"
#include "volley/sha2.h"

namespace volley {
namespace {

// FIPS 180-4 §5.3.4 (SHA-384) and §5.3.5 (SHA-512).
constexpr uint64_t kIv384[8] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                                0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                                0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
constexpr uint64_t kIv512[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

}  // namespace

Status Sha512Core::select(std::string_view backend) noexcept {
  const dispatch::Backend* b = backend.empty() ? &dispatch::best(dispatch::Family::kSha512)
                                               : dispatch::find(dispatch::Family::kSha512, backend);
  if (b == nullptr) return Status::kUnknownBackend;
  if (!dispatch::available(*b)) return Status::kBackendUnavailable;
  backend_ = b;
  blocks_ = static_cast<const kernels::Sha512Kernel*>(b->kernel)->blocks;
  return Status::kOk;
}

void Sha512Core::start(const uint64_t iv[8]) noexcept {
  std::memcpy(h_, iv, sizeof(h_));
  total_ = 0;
}

void Sha512Core::update(Bytes data) noexcept {
  const uint8_t* in = data.data();
  size_t len = data.size();
  if (len == 0) return;
  size_t used = total_ % kBlockSize;
  total_ += len;
  if (used != 0) {
    const size_t take = len < kBlockSize - used ? len : kBlockSize - used;
    std::memcpy(buf_ + used, in, take);
    in += take;
    len -= take;
    used += take;
    if (used < kBlockSize) return;
    blocks_(h_, buf_, 1);
  }
  if (len >= kBlockSize) {
    blocks_(h_, in, len / kBlockSize);
    in += len - len % kBlockSize;
    len %= kBlockSize;
  }
  if (len != 0) std::memcpy(buf_, in, len);
}

void Sha512Core::absorb_blocks(const uint8_t* in, size_t nblocks) noexcept {
  blocks_(h_, in, nblocks);
  total_ += nblocks * kBlockSize;
}

void Sha512Core::finish_into(uint8_t* out, size_t len) noexcept {
  const size_t used = total_ % kBlockSize;
  // The length field is 128 bits; byte counts below 2^61 make its top 67 bits zero.
  const uint64_t bits = total_ * 8;
  buf_[used] = 0x80;
  if (used + 1 > kBlockSize - 16) {
    std::memset(buf_ + used + 1, 0, kBlockSize - used - 1);
    blocks_(h_, buf_, 1);
    std::memset(buf_, 0, kBlockSize - 8);
  } else {
    std::memset(buf_ + used + 1, 0, kBlockSize - 8 - used - 1);
  }
  for (int i = 0; i < 8; ++i) buf_[kBlockSize - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  blocks_(h_, buf_, 1);
  for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(h_[i / 8] >> (56 - 8 * (i % 8)));
}

void Sha512Core::wipe() noexcept { secure_wipe(this, sizeof(*this)); }

Sha384::Sha384() noexcept {
  (void)select({});
  start(kIv384);
}

Status Sha384::init(std::string_view backend) noexcept {
  const Status s = select(backend);
  if (s == Status::kOk) start(kIv384);
  return s;
}

void Sha384::reset() noexcept { start(kIv384); }

void Sha384::final(std::span<uint8_t, kDigestSize> out) noexcept {
  finish_into(out.data(), kDigestSize);
  start(kIv384);
}

void Sha384::peek(std::span<uint8_t, kDigestSize> out) const noexcept {
  Sha384 copy = *this;
  copy.final(out);
}

Sha512::Sha512() noexcept {
  (void)select({});
  start(kIv512);
}

Status Sha512::init(std::string_view backend) noexcept {
  const Status s = select(backend);
  if (s == Status::kOk) start(kIv512);
  return s;
}

void Sha512::reset() noexcept { start(kIv512); }

void Sha512::final(std::span<uint8_t, kDigestSize> out) noexcept {
  finish_into(out.data(), kDigestSize);
  start(kIv512);
}

void Sha512::peek(std::span<uint8_t, kDigestSize> out) const noexcept {
  Sha512 copy = *this;
  copy.final(out);
}

void sha384(std::span<uint8_t, 48> out, Bytes data) noexcept {
  Sha384 h;
  h.update(data);
  h.final(out);
}

void sha512(std::span<uint8_t, 64> out, Bytes data) noexcept {
  Sha512 h;
  h.update(data);
  h.final(out);
}

}  // namespace volley
