// The per-record nonce of TLS 1.3 (RFC 8446 §5.3). Internal to the record layer.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace volley {

// record_nonce writes iv XOR the sequence number (big-endian, left-padded to 12 bytes) to |nonce|:
// one 4-byte copy and one 8-byte XOR, since it runs once per record.
inline void record_nonce(const uint8_t iv[12], uint64_t seq, uint8_t nonce[12]) noexcept {
  if constexpr (std::endian::native == std::endian::little) seq = __builtin_bswap64(seq);
  uint64_t tail;
  std::memcpy(&tail, iv + 4, 8);
  tail ^= seq;
  std::memcpy(nonce, iv, 4);
  std::memcpy(nonce + 4, &tail, 8);
}

}  // namespace volley
