// ChaCha20 on NEON (4 blocks per pass, one per 32-bit lane) and ChaCha20-Poly1305 with the NEON
// Poly1305. Advanced SIMD is baseline on ARMv8-A; the backend still lists kNeedsNeon.
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
namespace chacha20_neon {
namespace {

// Tails of up to two blocks are cheaper on the scalar path than as a pass of four.
constexpr size_t kScalarMax = 128;
using Ops = chacha20_poly1305::SimdOps<xsimd::neon64, 1, kScalarMax, kPoly1305Neon>;

}  // namespace

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  chacha20_scalar::ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  chacha20_simd::xor_stream<xsimd::neon64, 1>(&k, counter, in, out, len, kScalarMax);
}

}  // namespace chacha20_neon

const AeadKernel kChaCha20Poly1305Neon = chacha20_poly1305::Kernel<chacha20_neon::Ops>::table();

}  // namespace volley::kernels
