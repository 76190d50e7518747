// ChaCha20 on AVX2 (8 blocks per pass, one per 32-bit lane, two passes in flight) and
// ChaCha20-Poly1305. Built with X86_AVX2; reached only through dispatch (kNeedsAvx2).
//
// Long messages take the fused path: scalar Poly1305 (64-bit MULX) between the vector double
// rounds. ChaCha20 on ymm is bound by vector-ALU throughput, and the AVX2 Poly1305 would compete
// for the same ports, while the scalar one runs on the otherwise idle integer multipliers. The
// AVX2 Poly1305 still serves the streaming leftovers (absorb_padded) through kPoly1305Avx2.
#include <immintrin.h>  // _addcarry_u64 for the fused Poly1305 (no extra ISA flags needed)

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/kernels/aead_kernels.h"
#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "engine/kernels/chacha20/chacha20_xsimd.h"
#include "engine/kernels/poly1305_kernels.h"

namespace {
#include "engine/kernels/portable/poly1305_scalar.inc"
}  // namespace
#define VOLLEY_CHACHA20_FUSED_SCALAR_POLY 1

#include "engine/kernels/chacha20/chacha20_poly1305_impl.h"

namespace volley::kernels {
namespace chacha20_avx2 {
namespace {

// Tails of up to two blocks are cheaper on the scalar path than as a pass of eight.
constexpr size_t kScalarMax = 128;
// Two groups per pass give the out-of-order core twice the independent chains; the spills this
// costs (32 live vectors, 16 registers) are cheaper than the latency P = 1 exposes.
constexpr int kPasses = 2;
using Ops = chacha20_poly1305::FusedSimdOps<xsimd::avx2, kPasses, kScalarMax, kPoly1305Avx2>;

}  // namespace

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  chacha20_scalar::ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  chacha20_simd::xor_stream<xsimd::avx2, kPasses>(&k, counter, in, out, len, kScalarMax);
}

}  // namespace chacha20_avx2

const AeadKernel kChaCha20Poly1305Avx2 = chacha20_poly1305::Kernel<chacha20_avx2::Ops>::table();

}  // namespace volley::kernels
