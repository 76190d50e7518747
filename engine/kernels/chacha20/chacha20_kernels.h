// ChaCha20 (RFC 8439 §2.4) stream functions, one per ISA build. Internal: used by the
// ChaCha20-Poly1305 kernels of the same ISA (and by tests); call an ISA's function only after
// dispatch has checked the CPU features its file was built for (engine/dispatch/isa_needs.h).
//
// chacha20_xor sets out = in XOR keystream(key, nonce) for |len| bytes starting at 64-byte block
// |counter|. The 32-bit block counter wraps modulo 2^32. |out| is either |in| or does not overlap
// it. Constant time in key and data.
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::kernels {

namespace chacha20_nohw {
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept;
}  // namespace chacha20_nohw

#if defined(__x86_64__)
namespace chacha20_ssse3 {  // needs SSSE3 + SSE4.1
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept;
}  // namespace chacha20_ssse3

namespace chacha20_avx2 {  // needs kNeedsAvx2
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept;
}  // namespace chacha20_avx2

namespace chacha20_avx512 {  // needs kNeedsAvx512; 32 blocks in flight for long inputs
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept;
}  // namespace chacha20_avx512
#endif

#if defined(__aarch64__)
namespace chacha20_neon {  // needs kNeedsNeon
void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept;
}  // namespace chacha20_neon
#endif

}  // namespace volley::kernels
