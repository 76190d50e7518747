// ChaCha20 on SSSE3 + SSE4.1 (4 blocks per pass, one per 32-bit lane, two passes in flight) and
// ChaCha20-Poly1305 with the portable Poly1305 (its 64-bit multiplies beat 32-bit SSE lanes), run
// between the vector double rounds on long messages so both kinds of units work at once. Built
// with -mssse3 -msse4.1; reached only through dispatch (SSE4.1).
//
// Legacy-SSE encodings ran about 3x slower on Zen 5 while the upper halves of the ymm/zmm
// registers were dirty (Intel documents a similar penalty), and code outside volley may leave them
// so: a single EVP ChaCha20-Poly1305 seal by the system OpenSSL did, in our measurements. Every
// entry point therefore executes VZEROUPPER first when the CPU and OS support AVX; it is not
// encodable under these flags, hence the asm.
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
namespace chacha20_ssse3 {
namespace {

// Tails of up to two blocks are cheaper on the scalar path than as a pass of four.
constexpr size_t kScalarMax = 128;
constexpr int kPasses = 2;
using Ops = chacha20_poly1305::FusedSimdOps<xsimd::sse4_1, kPasses, kScalarMax, kPoly1305Nohw>;
using K = chacha20_poly1305::Kernel<Ops>;
using aead_internal::Job;
using aead_internal::KeyState;
using aead_internal::MsgState;

// clean_upper clears dirty upper vector state left by AVX code elsewhere in the process. Public
// data only (a CPU feature); libgcc's "avx" check includes the OS's XSAVE support.
inline void clean_upper() noexcept {
  if (__builtin_cpu_supports("avx")) __asm__ __volatile__("vzeroupper" ::: "memory");
}

void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
           size_t aad_len) {
  clean_upper();
  K::begin(ks, ms, nonce, aad, aad_len);
}

void encrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  clean_upper();
  K::encrypt(ks, ms, in, out, len);
}

void decrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  clean_upper();
  K::decrypt(ks, ms, in, out, len);
}

void finish(const KeyState* ks, MsgState* ms, uint8_t* tag) {
  clean_upper();
  K::finish(ks, ms, tag);
}

void seal_batch(const Job* jobs, size_t n) {
  clean_upper();
  K::seal_batch(jobs, n);
}

void open_batch(const Job* jobs, size_t n) {
  clean_upper();
  K::open_batch(jobs, n);
}

// K's table with every entry but init wrapped in clean_upper.
constexpr AeadKernel table() {
  return {
      .init = K::table().init,
      .begin = begin,
      .encrypt = encrypt,
      .decrypt = decrypt,
      .finish = finish,
      .stream_block = K::table().stream_block,
      .seal_batch = seal_batch,
      .open_batch = open_batch,
      .finds_content_type = false,
  };
}

}  // namespace

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  clean_upper();
  chacha20_scalar::ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  chacha20_simd::xor_stream<xsimd::sse4_1, kPasses>(&k, counter, in, out, len, kScalarMax);
}

}  // namespace chacha20_ssse3

const AeadKernel kChaCha20Poly1305Ssse3 = chacha20_ssse3::table();

}  // namespace volley::kernels
