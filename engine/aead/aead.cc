// The AEAD front end: argument checks, piece gathering and tag verification around the kernels.
#include "volley/aead.h"

#include <cstring>

#include "engine/aead/aead_key_access.h"
#include "engine/common/secure_memory.h"

namespace volley {

using aead_internal::Job;
using aead_internal::kNonceBytes;
using aead_internal::kTagBytes;
using aead_internal::MsgState;

const Aead kAes128Gcm = {"aes-128-gcm", 16, 12, 16, (uint64_t{1} << 36) - 32,
                         23726566,  // 2^24.5, rounded down (RFC 8446 §5.5)
                         dispatch::Family::kAesGcm};
const Aead kAes256Gcm = {"aes-256-gcm", 32, 12, 16, (uint64_t{1} << 36) - 32, 23726566,
                         dispatch::Family::kAesGcm};
const Aead kChaCha20Poly1305 = {"chacha20-poly1305", 32, 12, 16, (uint64_t{1} << 38) - 64,
                                UINT64_MAX, dispatch::Family::kChaCha20Poly1305};

namespace {

constexpr const Aead* kAll[] = {&kAes128Gcm, &kAes256Gcm, &kChaCha20Poly1305};

// Largest stream_block of any kernel: the gather buffer holds one such block.
constexpr size_t kMaxStreamBlock = 64;

// in_place_or_disjoint checks the aliasing rule for one input range and its output range.
bool in_place_or_disjoint(const uint8_t* in, const uint8_t* out, size_t len, const uint8_t* out_all,
                          size_t out_all_len) {
  return in == out || !overlaps(in, len, out_all, out_all_len);
}

// seal_pieces seals several pieces through the kernel's streaming interface. Kept out of line,
// with its 64-byte-aligned MsgState, so that the one-piece path of seal() stays a leaf-sized
// frame: that path is what the per-message cost at 64 bytes is made of.
[[gnu::noinline]] void seal_pieces(const aead_internal::AeadKernel& kernel,
                                   const aead_internal::KeyState* ks, const uint8_t* nonce,
                                   Bytes aad, Pieces in, uint8_t* out, uint8_t* tag) noexcept {
  // Whole blocks go straight from each piece; blocks that straddle two pieces are gathered
  // through |block|.
  const size_t bs = kernel.stream_block;
  MsgState ms;
  uint8_t block[kMaxStreamBlock];
  size_t pending = 0;  // bytes gathered in |block|
  size_t out_pos = 0;  // where |block|'s first byte goes in |out|
  kernel.begin(ks, &ms, nonce, aad.data(), aad.size());
  for (Bytes p : in) {
    const uint8_t* src = p.data();
    size_t left = p.size();
    if (left == 0) continue;  // an empty piece's data() may be null: no memcpy from it
    if (pending > 0) {
      const size_t take = left < bs - pending ? left : bs - pending;
      std::memcpy(block + pending, src, take);
      pending += take;
      src += take;
      left -= take;
      if (pending < bs) continue;
      kernel.encrypt(ks, &ms, block, block, bs);
      std::memcpy(out + out_pos, block, bs);
      out_pos += bs;
      pending = 0;
    }
    const size_t whole = left - left % bs;
    if (whole > 0) {
      kernel.encrypt(ks, &ms, src, out + out_pos, whole);
      out_pos += whole;
      src += whole;
      left -= whole;
    }
    if (left > 0) std::memcpy(block, src, left);
    pending = left;
  }
  if (pending > 0) {
    kernel.encrypt(ks, &ms, block, block, pending);
    std::memcpy(out + out_pos, block, pending);
  }
  kernel.finish(ks, &ms, tag);
  secure_wipe(&ms, sizeof(ms));
  secure_wipe(block, sizeof(block));
}

}  // namespace

const Aead* aead_by_name(std::string_view name) {
  for (const Aead* a : kAll) {
    if (a->name == name) return a;
  }
  return nullptr;
}

std::span<const Aead* const> all_aeads() { return kAll; }

AeadKey::~AeadKey() { wipe(); }

void AeadKey::wipe() noexcept {
  if (kernel_ != nullptr) secure_wipe(state_, sizeof(state_));
  aead_ = nullptr;
  backend_ = nullptr;
  kernel_ = nullptr;
}

Status AeadKey::init(const Aead& aead, Bytes key, std::string_view backend) noexcept {
  wipe();
  if (key.size() != aead.key_len) return Status::kBadKeyLength;
  const dispatch::Backend* b;
  if (backend.empty()) {
    b = &dispatch::best(aead.family);
  } else {
    b = dispatch::find(aead.family, backend);
    if (b == nullptr) return Status::kUnknownBackend;
    if (!dispatch::available(*b)) return Status::kBackendUnavailable;
  }
  kernel_ = static_cast<const aead_internal::AeadKernel*>(b->kernel);
  aead_ = &aead;
  backend_ = b;
  kernel_->init(aead_internal::AeadKeyAccess::create(*this), key.data(), key.size());
  return Status::kOk;
}

Status AeadKey::seal(MutableBytes out, MutableBytes tag, Bytes nonce, Bytes aad,
                     Pieces in) const noexcept {
  if (kernel_ == nullptr) return Status::kNotInitialized;
  if (nonce.size() != kNonceBytes) return Status::kBadNonceLength;
  if (in.size() == 1) {
    // The common call, one contiguous piece, checked without the loops below: the same checks,
    // in the same order, for a list of one.
    const Bytes p = in[0];
    if (p.size() > aead_->max_plaintext_len) return Status::kTooLong;
    if (tag.size() != kTagBytes || out.size() != p.size()) return Status::kBadOutputLength;
    if (overlaps(tag.data(), tag.size(), out.data(), out.size()) ||
        overlaps(aad.data(), aad.size(), out.data(), out.size()) ||
        !in_place_or_disjoint(p.data(), out.data(), p.size(), out.data(), out.size())) {
      return Status::kBadAliasing;
    }
    const Job job = {.key = aead_internal::key_state_of(*this),
                     .iv = nonce.data(),
                     .seq = 0,
                     .aad = aad.data(),
                     .aad_len = aad.size(),
                     .in = p.data(),
                     .out = out.data(),
                     .len = out.size(),
                     .tag = tag.data(), .content_len = 0, .type = 0, .inner = nullptr};
    kernel_->seal_batch(&job, 1);
    return Status::kOk;
  }
  // Pieces may repeat one disjoint buffer, so their sum can exceed the address space: stop adding
  // once past the limit, or a wrapped total could match a short |out|.
  uint64_t total = 0;
  for (Bytes p : in) {
    if (p.size() > aead_->max_plaintext_len - total) return Status::kTooLong;
    total += p.size();
  }
  if (tag.size() != kTagBytes || out.size() != total) return Status::kBadOutputLength;
  if (overlaps(tag.data(), tag.size(), out.data(), out.size()) ||
      overlaps(aad.data(), aad.size(), out.data(), out.size())) {
    return Status::kBadAliasing;
  }
  size_t offset = 0;
  for (Bytes p : in) {
    if (!in_place_or_disjoint(p.data(), out.data() + offset, p.size(), out.data(), out.size())) {
      return Status::kBadAliasing;
    }
    offset += p.size();
  }

  // No piece at all: the kernel's one-shot path on an empty message.
  if (in.empty()) {
    const Job job = {.key = aead_internal::key_state_of(*this),
                     .iv = nonce.data(),
                     .seq = 0,
                     .aad = aad.data(),
                     .aad_len = aad.size(),
                     .in = out.data(),
                     .out = out.data(),
                     .len = out.size(),
                     .tag = tag.data(), .content_len = 0, .type = 0, .inner = nullptr};
    kernel_->seal_batch(&job, 1);
    return Status::kOk;
  }

  seal_pieces(*kernel_, aead_internal::key_state_of(*this), nonce.data(), aad, in, out.data(),
              tag.data());
  return Status::kOk;
}

Status AeadKey::open(MutableBytes out, Bytes nonce, Bytes aad, Bytes ciphertext,
                     Bytes tag) const noexcept {
  if (kernel_ == nullptr) return Status::kNotInitialized;
  if (nonce.size() != kNonceBytes) return Status::kBadNonceLength;
  if (tag.size() != kTagBytes || out.size() != ciphertext.size()) return Status::kBadOutputLength;
  if (ciphertext.size() > aead_->max_plaintext_len) return Status::kTooLong;
  if (!in_place_or_disjoint(ciphertext.data(), out.data(), out.size(), out.data(), out.size()) ||
      overlaps(tag.data(), tag.size(), out.data(), out.size()) ||
      overlaps(aad.data(), aad.size(), out.data(), out.size())) {
    return Status::kBadAliasing;
  }
  uint8_t computed[kTagBytes];
  const Job job = {.key = aead_internal::key_state_of(*this),
                   .iv = nonce.data(),
                   .seq = 0,
                   .aad = aad.data(),
                   .aad_len = aad.size(),
                   .in = ciphertext.data(),
                   .out = out.data(),
                   .len = out.size(),
                   .tag = computed, .content_len = 0, .type = 0, .inner = nullptr};
  kernel_->open_batch(&job, 1);
  bool ok = ct_equal16(computed, tag.data());
  // Whether a message authenticates is public: the caller reports it, a TLS peer sends an alert.
  declassify(&ok, sizeof(ok));
  // A computed tag that did not match is the valid tag of a forgery: it must not stay behind.
  // Two stores and a barrier (as secure_wipe does) rather than a call for 16 bytes.
  std::memset(computed, 0, sizeof(computed));
  __asm__ __volatile__("" : : "r"(computed) : "memory");
  if (!ok) {
    secure_wipe(out.data(), out.size());
    return Status::kAuthFailed;
  }
  return Status::kOk;
}

}  // namespace volley
