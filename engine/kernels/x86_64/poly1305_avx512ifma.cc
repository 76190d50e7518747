// Poly1305 on AVX-512 IFMA: 8 lanes of 44-bit limbs (engine/kernels/x86_64/poly1305_ifma.inc).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own intrinsics headers (the self-initialised __Y of _mm512_undefined_*).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

// GCC 12's AddressSanitizer puts locals that live in memory into "fake stack" frames (for
// use-after-return detection) that are not 64-byte aligned, while zmm locals and spills use
// aligned moves, which then fault. Under GCC's ASan these IFMA kernels are therefore built
// without ASan instrumentation; everything around them stays instrumented.
#if defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define VOLLEY_FN __attribute__((no_sanitize_address))
#else
#define VOLLEY_FN
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/poly1305_kernels.h"

namespace volley::kernels {
namespace poly1305_avx512ifma {
namespace {

#include "engine/kernels/portable/poly1305_scalar.inc"
#include "engine/kernels/x86_64/poly1305_ifma.inc"

// State layout: ScalarPoly at 0 (flags bit 0: powers computed), IfmaPowers at 64.
constexpr size_t kPowersOffset = 64;
static_assert(kPowersOffset + sizeof(IfmaPowers) <= sizeof(Poly1305State), "state size");
constexpr uint64_t kHavePowers = 1;

// Below this many blocks the scalar loop wins: the vector path pays for the lane fold (and once
// per key for the powers of r).
constexpr size_t kMinVectorBlocks = 16;

VOLLEY_FN void init(Poly1305State* st, const uint8_t key[32]) {
  ScalarPoly p;
  sp_init(&p, key);
  std::memcpy(st->bytes, &p, sizeof(p));
}

VOLLEY_FN void blocks(Poly1305State* st, const uint8_t* in, size_t len) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  size_t nblocks = len / 16;
  const size_t tail = len % 16;
  if (nblocks >= kMinVectorBlocks) {
    // The powers live in the state as bytes; a local copy keeps the typed accesses well defined.
    IfmaPowers pw;
    if ((p.flags & kHavePowers) == 0) {
      ifma_powers(&pw, p.r0, p.r1);
      std::memcpy(st->bytes + kPowersOffset, &pw, sizeof(pw));
      p.flags |= kHavePowers;
    } else {
      std::memcpy(&pw, st->bytes + kPowersOffset, sizeof(pw));
    }
    const size_t groups = nblocks / 8;
    ifma_blocks(&p, &pw, in, groups);
    in += groups * 128;
    nblocks -= groups * 8;
  }
  sp_blocks(&p, in, nblocks);
  sp_tail(&p, in + 16 * nblocks, tail);
  std::memcpy(st->bytes, &p, sizeof(p));
}

VOLLEY_FN void finish(Poly1305State* st, uint8_t tag[16]) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  sp_finish(&p, tag);
}

}  // namespace
}  // namespace poly1305_avx512ifma

const Poly1305Kernel kPoly1305Avx512Ifma = {poly1305_avx512ifma::init, poly1305_avx512ifma::blocks,
                                            poly1305_avx512ifma::finish};

}  // namespace volley::kernels
