// ChaCha20 on AVX2 (8 blocks per pass, one per 32-bit lane) and ChaCha20-Poly1305 with the AVX2
// Poly1305. Built with X86_AVX2; reached only through dispatch (kNeedsAvx2).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/kernels/aead_kernels.h"
#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "engine/kernels/chacha20/chacha20_xsimd.h"
#include "engine/kernels/poly1305_kernels.h"
#include "engine/kernels/chacha20/chacha20_poly1305_impl.h"

namespace volley::kernels {
namespace chacha20_avx2 {
namespace {

// Tails of up to two blocks are cheaper on the scalar path than as a pass of eight.
constexpr size_t kScalarMax = 128;
using Ops = chacha20_poly1305::SimdOps<xsimd::avx2, 1, kScalarMax, kPoly1305Avx2>;

}  // namespace

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  chacha20_scalar::ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  chacha20_simd::xor_stream<xsimd::avx2, 1>(&k, counter, in, out, len, kScalarMax);
}

}  // namespace chacha20_avx2

const AeadKernel kChaCha20Poly1305Avx2 = chacha20_poly1305::Kernel<chacha20_avx2::Ops>::table();

}  // namespace volley::kernels
