// The messages a measurement runs over: a pool of TLS-shaped records (12-byte nonce, 13-byte AAD as
// in a TLS 1.2-style header, payload), each with its reference sealing computed by OpenSSL at
// set-up. Every implementation seals and opens the same pool, so open() on any implementation also
// checks it against OpenSSL, and a seal's output can be compared with the reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "volley/aead.h"

namespace volley::speed {

inline constexpr size_t kAadLen = 13;

// kOutSlack is the room |out| has beyond the payload: enough for a tag (16 bytes), or for a whole
// TLS 1.3 record (5-byte header, content type, tag) should a path write records.
inline constexpr size_t kOutSlack = 32;

// Message is one record of a pool. |sealed| is ciphertext || tag as OpenSSL produced it; |out| has
// room for len + kOutSlack bytes and receives a seal's ciphertext || tag or an open's plaintext.
struct Message {
  const uint8_t* nonce;   // 12 bytes
  const uint8_t* aad;     // kAadLen bytes
  const uint8_t* plain;   // len bytes
  const uint8_t* sealed;  // len + 16 bytes
  uint8_t* out;           // len + kOutSlack bytes
  size_t len;
};

// MessagePool owns |count| messages of |len| bytes each in one allocation. Not copyable.
class MessagePool {
 public:
  // Builds the pool for |aead| under |key| (aead.key_len bytes); |seed| varies the contents between
  // threads. Aborts the process if OpenSSL fails to seal, since nothing could be measured then.
  MessagePool(const Aead& aead, std::span<const uint8_t> key, size_t len, size_t count,
              uint32_t seed);
  MessagePool(const MessagePool&) = delete;
  MessagePool& operator=(const MessagePool&) = delete;

  std::span<const Message> messages() const { return {messages_.get(), count_}; }
  size_t count() const { return count_; }
  size_t len() const { return len_; }

  // check_outputs compares the |out| of messages [first, first + n) with the reference: the sealed
  // bytes after seal, the plaintext after open.
  bool check_outputs(size_t first, size_t n, bool after_seal) const;

  // clear_outputs zeroes the |out| of messages [first, first + n).
  void clear_outputs(size_t first, size_t n);

 private:
  size_t len_;
  size_t count_;
  std::unique_ptr<uint8_t[]> storage_;
  std::unique_ptr<Message[]> messages_;
};

// bench_key returns a fixed key of |len| bytes (16 or 32): the key every measurement uses.
std::span<const uint8_t> bench_key(size_t len);

// pool_count returns how many messages a pool needs for |batch| messages per call: |batch| for a
// warm cache, or, when |cold|, enough that the pool's memory (inputs, references and outputs)
// spans kColdBytes, rounded up to a multiple of |batch|. 8 MiB is well beyond a core's L2 (1 MiB on
// Zen 4/5, 2 MiB on recent Intel) yet inside a typical L3, so "cold" means served from L3.
inline constexpr size_t kColdBytes = size_t{8} << 20;
size_t pool_count(size_t len, size_t batch, bool cold);

}  // namespace volley::speed
