// The per-record nonce of TLS 1.3 (RFC 8446 §5.3): the IV XOR the 64-bit sequence number,
// big-endian and left-padded to 12 bytes. The one place it is computed in scalar code: the record
// layer hands kernels the IV and the sequence number (Job::iv, Job::seq), and kernels call this.
//
// Included by per-ISA translation units: everything here has internal linkage and is inlined, so
// no copy compiled with one ISA's flags can be shared with code built for another
// (tests/isa_isolation_test.sh). Under GCC's AddressSanitizer these helpers are uninstrumented
// instead of always_inline: some kernels are built without ASan (chacha20_poly1305_avx512.cc's
// VOLLEY_FN), GCC inlines only between functions with the same sanitizer attributes, and forcing
// it (always_inline) crashes GCC 12 (an internal compiler error in its sanopt pass).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define VOLLEY_NONCE_INLINE __attribute__((no_sanitize_address)) inline
#else
#define VOLLEY_NONCE_INLINE [[gnu::always_inline]] inline
#endif

namespace volley::aead_internal {
namespace {

// NonceWords is a nonce as two general-register words: bytes 0..7 and bytes 8..11, each as its
// bytes stored in memory would read natively. Kernels that build their counter block in registers
// take these, so the nonce never goes through memory.
struct NonceWords {
  uint64_t lo;
  uint32_t hi;
};

VOLLEY_NONCE_INLINE NonceWords tls_nonce_words(const uint8_t iv[12],
                                                         uint64_t seq) noexcept {
  NonceWords w;
  std::memcpy(&w.lo, iv, 8);
  std::memcpy(&w.hi, iv + 8, 4);
  if constexpr (std::endian::native == std::endian::little) {
    // Nonce bytes 4..7 take the high half of the big-endian sequence number, bytes 8..11 the low.
    w.lo ^= uint64_t{__builtin_bswap32(static_cast<uint32_t>(seq >> 32))} << 32;
    w.hi ^= __builtin_bswap32(static_cast<uint32_t>(seq));
  } else {
    w.lo ^= seq >> 32;
    w.hi ^= static_cast<uint32_t>(seq);
  }
  return w;
}

// tls_nonce writes iv XOR the big-endian |seq| to the first 12 bytes of |slot| and zeros to the
// other 4.
//
// A kernel loads the nonce right after this, with one 16-byte load. A load that spans several
// smaller stores still in flight cannot be forwarded from them: it waits for them to reach the
// cache, which drains the pipeline. Measured on a single 64-byte record: 164 cycles with a 4-byte
// and an 8-byte store, 103 with the whole slot in one store.
VOLLEY_NONCE_INLINE void tls_nonce(const uint8_t iv[12], uint64_t seq,
                                             uint8_t slot[16]) noexcept {
  const NonceWords w = tls_nonce_words(iv, seq);
  if constexpr (std::endian::native == std::endian::little) {
    using U64x2 = uint64_t __attribute__((vector_size(16)));
    const U64x2 v = {w.lo, w.hi};
    std::memcpy(slot, &v, 16);
  } else {
    std::memcpy(slot, &w.lo, 8);
    std::memcpy(slot + 8, &w.hi, 4);
    std::memset(slot + 12, 0, 4);
  }
}

// TlsNonce is a job's nonce in a 16-byte slot on the stack, for kernels that read the nonce from
// memory. The IV is derived from the traffic secret, and a nonce and its sequence number give it
// back, so the slot is wiped when it goes out of scope.
struct TlsNonce {
  alignas(16) uint8_t bytes[16];

  VOLLEY_NONCE_INLINE TlsNonce(const uint8_t iv[12], uint64_t seq) noexcept {
    tls_nonce(iv, seq, bytes);
  }
  VOLLEY_NONCE_INLINE ~TlsNonce() {
    std::memset(bytes, 0, sizeof(bytes));
    // The empty asm takes the pointer and clobbers memory, so the stores are not dropped as dead.
    __asm__ __volatile__("" : : "r"(bytes) : "memory");
  }
  TlsNonce(const TlsNonce&) = delete;
  TlsNonce& operator=(const TlsNonce&) = delete;
};

}  // namespace
}  // namespace volley::aead_internal
