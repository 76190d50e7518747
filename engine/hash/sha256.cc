// SHA-256 front end: buffering and padding (FIPS 180-4 §5.1.1) around a dispatched kernel.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/hash_kernels.h"
#include "volley/sha2.h"

namespace volley {
namespace {

// FIPS 180-4 §5.3.3.
constexpr uint32_t kIv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

const dispatch::Backend* find_backend(std::string_view name) {
  if (name.empty()) return &dispatch::best(dispatch::Family::kSha256);
  return dispatch::find(dispatch::Family::kSha256, name);
}

}  // namespace

std::string_view hash_name(HashAlg alg) noexcept {
  switch (alg) {
    case HashAlg::kSha256:
      return "sha256";
    case HashAlg::kSha384:
      return "sha384";
    case HashAlg::kSha512:
      return "sha512";
  }
  return "?";
}

Sha256::Sha256() noexcept {
  backend_ = &dispatch::best(dispatch::Family::kSha256);
  blocks_ = static_cast<const kernels::Sha256Kernel*>(backend_->kernel)->blocks;
  reset();
}

Status Sha256::init(std::string_view backend) noexcept {
  const dispatch::Backend* b = find_backend(backend);
  if (b == nullptr) return Status::kUnknownBackend;
  if (!dispatch::available(*b)) return Status::kBackendUnavailable;
  backend_ = b;
  blocks_ = static_cast<const kernels::Sha256Kernel*>(b->kernel)->blocks;
  reset();
  return Status::kOk;
}

void Sha256::reset() noexcept {
  std::memcpy(h_, kIv, sizeof(h_));
  total_ = 0;
}

void Sha256::update(Bytes data) noexcept {
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

void Sha256::absorb_blocks(const uint8_t* in, size_t nblocks) noexcept {
  blocks_(h_, in, nblocks);
  total_ += nblocks * kBlockSize;
}

void Sha256::final(std::span<uint8_t, kDigestSize> out) noexcept {
  const size_t used = total_ % kBlockSize;
  const uint64_t bits = total_ * 8;
  buf_[used] = 0x80;
  // The 64-bit length must fit after the 0x80 byte; if not, it goes in one more block.
  if (used + 1 > kBlockSize - 8) {
    std::memset(buf_ + used + 1, 0, kBlockSize - used - 1);
    blocks_(h_, buf_, 1);
    std::memset(buf_, 0, kBlockSize - 8);
  } else {
    std::memset(buf_ + used + 1, 0, kBlockSize - 8 - used - 1);
  }
  for (int i = 0; i < 8; ++i) buf_[kBlockSize - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  blocks_(h_, buf_, 1);
  for (size_t i = 0; i < 8; ++i) {
    out[4 * i + 0] = static_cast<uint8_t>(h_[i] >> 24);
    out[4 * i + 1] = static_cast<uint8_t>(h_[i] >> 16);
    out[4 * i + 2] = static_cast<uint8_t>(h_[i] >> 8);
    out[4 * i + 3] = static_cast<uint8_t>(h_[i]);
  }
  reset();
}

void Sha256::peek(std::span<uint8_t, kDigestSize> out) const noexcept {
  Sha256 copy = *this;
  copy.final(out);
}

void Sha256::wipe() noexcept { secure_wipe(this, sizeof(*this)); }

void sha256(std::span<uint8_t, 32> out, Bytes data) noexcept {
  Sha256 h;
  h.update(data);
  h.final(out);
}

Status hash(HashAlg alg, std::span<uint8_t> out, Bytes data) noexcept {
  if (out.size() != hash_size(alg)) return Status::kBadOutputLength;
  switch (alg) {
    case HashAlg::kSha256:
      sha256(out.first<32>(), data);
      break;
    case HashAlg::kSha384:
      sha384(out.first<48>(), data);
      break;
    case HashAlg::kSha512:
      sha512(out.first<64>(), data);
      break;
  }
  return Status::kOk;
}

}  // namespace volley
