// volley/sha2.h: SHA-256, SHA-384 and SHA-512 (FIPS 180-4).
//
//   volley::Sha256 transcript;              // best backend for this CPU
//   transcript.update(client_hello);
//   volley::Sha256 snapshot = transcript;   // copy = snapshot of the running hash
//   uint8_t h[volley::Sha256::kDigestSize];
//   snapshot.final(h);                      // transcript itself goes on absorbing
//
// Value types: a hash object is a plain, trivially copyable value (the working state, a partial
// block, a byte count and a pointer to a static kernel table; no pointer into itself). Copying it
// is how a TLS transcript hash is taken mid-stream, and costs one memcpy of about 120 (SHA-256) or
// 220 (SHA-384/512) bytes.
//
// Threads: one object must not be used by two threads at once; distinct objects are independent.
// All functions are thread-safe in that sense (the backend choice is made once, process-wide).
//
// Allocation and failure: none. update() accepts any length, including 0, and never fails (the
// 2^64-bit message limit of FIPS 180-4 is beyond reach). init() fails only on a bad backend name.
//
// Aliasing: |out| of final() and of the one-shot helpers may overlap the input of the one-shot
// helpers (the input is consumed before the digest is written).
//
// Secrets: a hash state is not wiped on destruction, because a transcript is not secret. Code that
// hashes secrets (HMAC, volley/hmac.h) wipes the states it used; call wipe() to do the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/bytes.h"
#include "volley/dispatch.h"
#include "volley/status.h"

namespace volley {

// HashAlg names the hash functions of the TLS 1.3 cipher suites and of HKDF.
enum class HashAlg : uint8_t { kSha256, kSha384, kSha512 };

// hash_size returns the digest length of |alg| in bytes: 32, 48 or 64.
constexpr size_t hash_size(HashAlg alg) noexcept {
  return alg == HashAlg::kSha256 ? 32 : alg == HashAlg::kSha384 ? 48 : 64;
}

// hash_name returns "sha256", "sha384" or "sha512".
std::string_view hash_name(HashAlg alg) noexcept;

// Sha256 is a streaming SHA-256 computation.
class Sha256 {
 public:
  static constexpr size_t kDigestSize = 32;
  static constexpr size_t kBlockSize = 64;
  static constexpr HashAlg kAlg = HashAlg::kSha256;

  // The default constructor starts an empty hash on the best backend (dispatch::best(kSha256)).
  Sha256() noexcept;

  // init restarts the hash on the backend called |backend| ("shani", "armv8", "nohw"), or on the
  // best one when |backend| is empty. Returns kUnknownBackend or kBackendUnavailable and leaves the
  // object unchanged if that backend cannot run here.
  [[nodiscard]] Status init(std::string_view backend = {}) noexcept;

  // reset restarts an empty hash on the same backend.
  void reset() noexcept;

  // update absorbs |data|.
  void update(Bytes data) noexcept;
  void update(const void* data, size_t len) noexcept {
    update(Bytes(static_cast<const uint8_t*>(data), len));
  }

  // final writes the digest of everything absorbed since the last reset to |out| and resets.
  void final(std::span<uint8_t, kDigestSize> out) noexcept;
  void final(uint8_t out[kDigestSize]) noexcept {
    final(std::span<uint8_t, kDigestSize>(out, kDigestSize));
  }

  // peek writes the digest of what was absorbed so far without disturbing the stream.
  void peek(std::span<uint8_t, kDigestSize> out) const noexcept;

  // wipe zeroes the whole state, backend choice included; init() it before reuse.
  void wipe() noexcept;

  // backend_name is the name of the kernel in use.
  std::string_view backend_name() const noexcept { return backend_->name; }

  // Internal (HMAC): absorb whole blocks at the current position, which must be block-aligned.
  void absorb_blocks(const uint8_t* in, size_t nblocks) noexcept;

 private:
  uint32_t h_[8];
  uint64_t total_;  // bytes absorbed
  uint8_t buf_[kBlockSize];
  const dispatch::Backend* backend_;
  void (*blocks_)(uint32_t state[8], const uint8_t* in, size_t nblocks);
};

// Sha512Core is the SHA-512 engine behind Sha384 and Sha512: they differ only in the initial value
// and the digest length (FIPS 180-4 §5.3.4, §5.3.5). Use Sha384 or Sha512.
class Sha512Core {
 public:
  static constexpr size_t kBlockSize = 128;

  void update(Bytes data) noexcept;
  void update(const void* data, size_t len) noexcept {
    update(Bytes(static_cast<const uint8_t*>(data), len));
  }
  void wipe() noexcept;
  std::string_view backend_name() const noexcept { return backend_->name; }
  void absorb_blocks(const uint8_t* in, size_t nblocks) noexcept;

 protected:
  Sha512Core() = default;
  [[nodiscard]] Status select(std::string_view backend) noexcept;
  void start(const uint64_t iv[8]) noexcept;
  // finish_into pads the message and writes the first |len| bytes of the big-endian state.
  void finish_into(uint8_t* out, size_t len) noexcept;

 private:
  uint64_t h_[8];
  uint64_t total_;  // bytes absorbed; the 128-bit length field's high half is always 0
  uint8_t buf_[kBlockSize];
  const dispatch::Backend* backend_;
  void (*blocks_)(uint64_t state[8], const uint8_t* in, size_t nblocks);
};

// Sha384 is a streaming SHA-384 computation; the interface is Sha256's.
class Sha384 : public Sha512Core {
 public:
  static constexpr size_t kDigestSize = 48;
  static constexpr HashAlg kAlg = HashAlg::kSha384;

  Sha384() noexcept;
  [[nodiscard]] Status init(std::string_view backend = {}) noexcept;
  void reset() noexcept;
  void final(std::span<uint8_t, kDigestSize> out) noexcept;
  void final(uint8_t out[kDigestSize]) noexcept {
    final(std::span<uint8_t, kDigestSize>(out, kDigestSize));
  }
  void peek(std::span<uint8_t, kDigestSize> out) const noexcept;
};

// Sha512 is a streaming SHA-512 computation; the interface is Sha256's.
class Sha512 : public Sha512Core {
 public:
  static constexpr size_t kDigestSize = 64;
  static constexpr HashAlg kAlg = HashAlg::kSha512;

  Sha512() noexcept;
  [[nodiscard]] Status init(std::string_view backend = {}) noexcept;
  void reset() noexcept;
  void final(std::span<uint8_t, kDigestSize> out) noexcept;
  void final(uint8_t out[kDigestSize]) noexcept {
    final(std::span<uint8_t, kDigestSize>(out, kDigestSize));
  }
  void peek(std::span<uint8_t, kDigestSize> out) const noexcept;
};

// One-shot digests on the best backend.
void sha256(std::span<uint8_t, 32> out, Bytes data) noexcept;
void sha384(std::span<uint8_t, 48> out, Bytes data) noexcept;
void sha512(std::span<uint8_t, 64> out, Bytes data) noexcept;

// hash writes the |alg| digest of |data| to |out|. Returns kBadOutputLength unless
// out.size() == hash_size(alg); nothing is written then.
[[nodiscard]] Status hash(HashAlg alg, std::span<uint8_t> out, Bytes data) noexcept;

}  // namespace volley
