// ChaCha20 on AVX-512 (16 blocks per pass, two passes in flight on long inputs). The AVX-512
// ChaCha20-Poly1305 kernel calls it. Built with X86_AVX512; call it only after dispatch checked
// kNeedsAvx512.
//
// xsimd 8's avx512bw architecture also requires AVX512DQ and AVX512CD at compile time, which
// X86_AVX512 does not enable, so the batches use xsimd::avx512f: ChaCha20 needs only 32-bit add,
// xor, rotate and shuffles, all in AVX512F.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "engine/kernels/chacha20/chacha20_xsimd.h"

namespace volley::kernels::chacha20_avx512 {

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  chacha20_scalar::ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  // One block is faster on the scalar path than a pass of sixteen.
  chacha20_simd::xor_stream<xsimd::avx512f, 2>(&k, counter, in, out, len, 64);
}

}  // namespace volley::kernels::chacha20_avx512
