// ChaCha20 (RFC 8439 §2.3-2.4) written once over xsimd 8, instantiated per ISA.
//
// Layout: N = batch<uint32_t, A>::size blocks are computed at once, one block per lane. State word
// i of all N blocks lives in batch x[i], so a quarter round is plain lane-wise add/xor/rotate and
// no shuffle is needed between column and diagonal rounds. After the rounds the 16 x N words are
// transposed back to N contiguous 64-byte blocks for the XOR with the input.
//
// Textual header: include it only from a per-ISA .cc file, after <cstddef>, <cstdint>, <cstring>.
// Everything here is a template over the xsimd architecture A or has internal linkage, so two ISA
// files never share an inline function (the linker could otherwise keep the widest copy for all).
//
// The fused ChaCha20-Poly1305 kernels (SSE, AVX2) hook scalar Poly1305 blocks in between quarter
// rounds: see rounds() and xor_absorb_passes().
//
// xsimd 8 lacks rotates and cross-128-bit-lane shuffles, so a few small hooks (rotl(),
// to_block_order(), and on NEON the casts) have per-ISA overloads, selected by the arch tag and
// compiled only where the ISA's macro is defined; everything else is generic. AVX-512 uses
// xsimd::avx512f: xsimd 8's avx512bw also demands AVX512DQ/CD, which X86_AVX512 does not enable.
#pragma once

#if defined(__AVX512F__) && !defined(__clang__)
// GCC 12's AVX-512 intrinsics seed their result with _mm512_undefined_epi32(), which trips
// -Wmaybe-uninitialized (-Wuninitialized at -O1) once inlined (GCC bug 105593, fixed in GCC 13).
// The state is set before <immintrin.h> is first read because the warning is located in that
// header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <xsimd/xsimd.hpp>

// Lets chacha20_poly1305_impl.h offer its xsimd glue.
#define VOLLEY_CHACHA20_XSIMD 1

#include "engine/kernels/chacha20/chacha20_scalar.h"

namespace {
namespace chacha20_simd {

using chacha20_scalar::ChaChaKey;
using chacha20_scalar::kSigma;

template <class A>
using U32 = xsimd::batch<uint32_t, A>;
template <class A>
using U64 = xsimd::batch<uint64_t, A>;
template <class A>
using U8 = xsimd::batch<uint8_t, A>;

// ---- Hook 1: rotate left by R within each 32-bit lane. --------------------------------------

template <int R, class A>
static inline U32<A> rotl(const U32<A>& x, A) noexcept {
  return (x << R) | (x >> (32 - R));
}

#if defined(__SSSE3__) && defined(__SSE4_1__) && !defined(__AVX2__)
// Rotations by 16 and 8 move whole bytes: one PSHUFB instead of two shifts and an OR.
template <int R>
static inline U32<xsimd::sse4_1> rotl(const U32<xsimd::sse4_1>& x, xsimd::sse4_1) noexcept {
  if constexpr (R == 16) {
    return _mm_shuffle_epi8(x, _mm_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  } else if constexpr (R == 8) {
    return _mm_shuffle_epi8(x, _mm_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14));
  } else {
    return _mm_or_si128(_mm_slli_epi32(x, R), _mm_srli_epi32(x, 32 - R));
  }
}
#endif

#if defined(__AVX2__) && !defined(__AVX512F__)
template <int R>
static inline U32<xsimd::avx2> rotl(const U32<xsimd::avx2>& x, xsimd::avx2) noexcept {
  if constexpr (R == 16) {
    return _mm256_shuffle_epi8(
        x, _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7,
                            4, 5, 10, 11, 8, 9, 14, 15, 12, 13));
  } else if constexpr (R == 8) {
    return _mm256_shuffle_epi8(
        x, _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4,
                            5, 6, 11, 8, 9, 10, 15, 12, 13, 14));
  } else {
    return _mm256_or_si256(_mm256_slli_epi32(x, R), _mm256_srli_epi32(x, 32 - R));
  }
}
#endif

#if defined(__AVX512F__)
// AVX-512 has a true rotate (VPROLD): one instruction for every rotation.
template <int R>
static inline U32<xsimd::avx512f> rotl(const U32<xsimd::avx512f>& x, xsimd::avx512f) noexcept {
  return _mm512_rol_epi32(x, R);
}
#endif

#if defined(__aarch64__)
template <int R>
static inline U32<xsimd::neon64> rotl(const U32<xsimd::neon64>& x, xsimd::neon64) noexcept {
  const uint32x4_t v = x;
  if constexpr (R == 16) {
    return vreinterpretq_u32_u16(vrev32q_u16(vreinterpretq_u16_u32(v)));
  } else if constexpr (R == 8) {
    static constexpr uint8_t kRot8[16] = {3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14};
    return vreinterpretq_u32_u8(vqtbl1q_u8(vreinterpretq_u8_u32(v), vld1q_u8(kRot8)));
  } else {
    // Shift left, then shift-right-and-insert the wrapped bits: two instructions.
    return vsriq_n_u32(vshlq_n_u32(v, R), v, 32 - R);
  }
}
#endif

// ---- Hook 2: put transposed words back in keystream order. ----------------------------------
//
// On entry t[4g + k] holds, in every 128-bit lane L, words 4g..4g+3 of block 4L + k (the result
// of a 4x4 transpose inside each 128-bit lane). On exit v[0..15], concatenated, is the keystream
// of blocks 0..N-1 in order. With 128-bit vectors (N = 4) that is a pure renaming.

template <class A>
static inline void to_block_order(const U32<A> (&t)[16], U32<A> (&v)[16], A) noexcept {
  static_assert(U32<A>::size == 4, "wider vectors need their own overload");
#pragma GCC unroll 16
  for (int k = 0; k < 4; ++k) {
#pragma GCC unroll 16
    for (int g = 0; g < 4; ++g) v[4 * k + g] = t[4 * g + k];
  }
}

#if defined(__AVX2__) && !defined(__AVX512F__)
static inline void to_block_order(const U32<xsimd::avx2> (&t)[16], U32<xsimd::avx2> (&v)[16],
                                  xsimd::avx2) noexcept {
  // Block k is the low lanes of (t[k], t[4 + k]) then of (t[8 + k], t[12 + k]); block k + 4 the
  // high lanes.
#pragma GCC unroll 16
  for (int k = 0; k < 4; ++k) {
    v[2 * k + 0] = _mm256_permute2x128_si256(t[k], t[4 + k], 0x20);
    v[2 * k + 1] = _mm256_permute2x128_si256(t[8 + k], t[12 + k], 0x20);
    v[2 * k + 8] = _mm256_permute2x128_si256(t[k], t[4 + k], 0x31);
    v[2 * k + 9] = _mm256_permute2x128_si256(t[8 + k], t[12 + k], 0x31);
  }
}
#endif

#if defined(__AVX512F__)
static inline void to_block_order(const U32<xsimd::avx512f> (&t)[16], U32<xsimd::avx512f> (&v)[16],
                                  xsimd::avx512f) noexcept {
  // Block 4L + k gathers lane L of t[k], t[4 + k], t[8 + k], t[12 + k]: a 4x4 transpose of
  // 128-bit lanes in two rounds of VSHUFI32X4.
#pragma GCC unroll 16
  for (int k = 0; k < 4; ++k) {
    const __m512i u0 = _mm512_shuffle_i32x4(t[k], t[4 + k], 0x44);
    const __m512i u1 = _mm512_shuffle_i32x4(t[k], t[4 + k], 0xee);
    const __m512i u2 = _mm512_shuffle_i32x4(t[8 + k], t[12 + k], 0x44);
    const __m512i u3 = _mm512_shuffle_i32x4(t[8 + k], t[12 + k], 0xee);
    v[k + 0] = _mm512_shuffle_i32x4(u0, u2, 0x88);
    v[k + 4] = _mm512_shuffle_i32x4(u0, u2, 0xdd);
    v[k + 8] = _mm512_shuffle_i32x4(u1, u3, 0x88);
    v[k + 12] = _mm512_shuffle_i32x4(u1, u3, 0xdd);
  }
}
#endif

// ---- The generic core. --------------------------------------------------------------------

// VOLLEY_CHACHA_QR is the quarter round of RFC 8439 §2.1 on N blocks at once. The four quarter
// rounds of a round are independent and the out-of-order core overlaps them; writing them one after
// the other (rather than interleaved step by step) keeps fewer values live, which matters with the
// 16 registers of SSE and AVX2.
#define VOLLEY_CHACHA_QR(s, a, b, c, d) \
  s[a] += s[b];                         \
  s[d] = rotl<16>(s[d] ^ s[a], A{});    \
  s[c] += s[d];                         \
  s[b] = rotl<12>(s[b] ^ s[c], A{});    \
  s[a] += s[b];                         \
  s[d] = rotl<8>(s[d] ^ s[a], A{});     \
  s[c] += s[d];                         \
  s[b] = rotl<7>(s[b] ^ s[c], A{})

// double_round is a column round then a diagonal round (RFC 8439 §2.3); hook() runs after each
// quarter round (see rounds()).
template <class A, class Hook>
__attribute__((always_inline)) static inline void double_round(U32<A> (&s)[16],
                                                               Hook& hook) noexcept {
  VOLLEY_CHACHA_QR(s, 0, 4, 8, 12);
  hook();
  VOLLEY_CHACHA_QR(s, 1, 5, 9, 13);
  hook();
  VOLLEY_CHACHA_QR(s, 2, 6, 10, 14);
  hook();
  VOLLEY_CHACHA_QR(s, 3, 7, 11, 15);
  hook();
  VOLLEY_CHACHA_QR(s, 0, 5, 10, 15);
  hook();
  VOLLEY_CHACHA_QR(s, 1, 6, 11, 12);
  hook();
  VOLLEY_CHACHA_QR(s, 2, 7, 8, 13);
  hook();
  VOLLEY_CHACHA_QR(s, 3, 4, 9, 14);
  hook();
}

// With 16 vector registers (SSE, AVX2) the 16 state words, a temporary and the shuffle masks do
// not fit. Left to itself the compiler spills about 50 values per double round; instead the four
// "c" words (8..11) live in memory and each quarter round loads its c once and stores it once.
// The empty asm statements tell the compiler the memory copy is the live one, so it neither keeps
// a register copy across quarter rounds nor drops the store.
#define VOLLEY_CHACHA_QR_MEM(s, cm, a, b, ci, d) \
  {                                              \
    asm volatile("" : "+m"(cm[ci]));             \
    U32<A> c = cm[ci];                           \
    s[a] += s[b];                                \
    s[d] = rotl<16>(s[d] ^ s[a], A{});           \
    c += s[d];                                   \
    s[b] = rotl<12>(s[b] ^ c, A{});              \
    s[a] += s[b];                                \
    s[d] = rotl<8>(s[d] ^ s[a], A{});            \
    c += s[d];                                   \
    s[b] = rotl<7>(s[b] ^ c, A{});               \
    cm[ci] = c;                                  \
    asm volatile("" : "+m"(cm[ci]));             \
  }

template <class A, class Hook>
__attribute__((always_inline)) static inline void double_round_mem(U32<A> (&s)[16], U32<A> (&cm)[4],
                                                                   Hook& hook) noexcept {
  VOLLEY_CHACHA_QR_MEM(s, cm, 0, 4, 0, 12);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 1, 5, 1, 13);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 2, 6, 2, 14);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 3, 7, 3, 15);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 0, 5, 2, 15);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 1, 6, 3, 12);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 2, 7, 0, 13);
  hook();
  VOLLEY_CHACHA_QR_MEM(s, cm, 3, 4, 1, 14);
  hook();
}

#undef VOLLEY_CHACHA_QR_MEM
#undef VOLLEY_CHACHA_QR

// NoHook is the per-quarter-round hook of plain ChaCha20.
struct NoHook {
  void operator()() const noexcept {}
};

// kHookCalls<P> is how many times rounds<A, P> calls its hook: once per quarter round.
template <int P>
inline constexpr size_t kHookCalls = 10 * 8 * P;

// rounds runs the 20 rounds on P independent groups of N blocks; with P = 2 both groups' double
// rounds sit in one loop body, so twice as many independent chains are in flight. hook() runs
// after every quarter round: the fused ChaCha20-Poly1305 path puts one scalar Poly1305 block there
// now and then, so the integer multipliers work while the vector units run the rounds. Feeding
// Poly1305 a block at a time matters: a long run of its serial chain would fill the schedulers
// and stall the vector work behind it.
template <class A, int P, class Hook>
__attribute__((always_inline)) static inline void rounds(U32<A> (&x)[P][16], Hook& hook) noexcept {
  static_assert(P == 1 || P == 2, "one or two groups in flight");
#if defined(__x86_64__)
  if constexpr (P == 1 && sizeof(U32<A>) < 64) {
    alignas(64) U32<A> cm[4] = {x[0][8], x[0][9], x[0][10], x[0][11]};
    for (int round = 0; round < 10; ++round) double_round_mem<A>(x[0], cm, hook);
    for (int i = 0; i < 4; ++i) x[0][8 + i] = cm[i];
    return;
  }
#endif
  for (int round = 0; round < 10; ++round) {
    double_round<A>(x[0], hook);
    if constexpr (P == 2) double_round<A>(x[1], hook);
  }
}

// ---- Hook 3: 64-bit interleaves and byte loads, generic through xsimd::bitwise_cast. ---------
//
// On NEON xsimd 8 implements bitwise_cast through a table of pointers to non-template wrapper
// functions, which become weak symbols shared with every other NEON file; the aarch64 overloads
// below use the intrinsics directly so this file exports nothing but its own functions.

template <class A>
static inline U32<A> zip_lo64(const U32<A>& a, const U32<A>& b, A) noexcept {
  return xsimd::bitwise_cast<U32<A>>(
      xsimd::zip_lo(xsimd::bitwise_cast<U64<A>>(a), xsimd::bitwise_cast<U64<A>>(b)));
}

template <class A>
static inline U32<A> zip_hi64(const U32<A>& a, const U32<A>& b, A) noexcept {
  return xsimd::bitwise_cast<U32<A>>(
      xsimd::zip_hi(xsimd::bitwise_cast<U64<A>>(a), xsimd::bitwise_cast<U64<A>>(b)));
}

template <class A>
static inline U32<A> load_bytes(const uint8_t* p, A) noexcept {
  return xsimd::bitwise_cast<U32<A>>(U8<A>::load_unaligned(p));
}

template <class A>
static inline void store_bytes(uint8_t* p, const U32<A>& v, A) noexcept {
  xsimd::bitwise_cast<U8<A>>(v).store_unaligned(p);
}

#if defined(__aarch64__)
static inline U32<xsimd::neon64> zip_lo64(const U32<xsimd::neon64>& a, const U32<xsimd::neon64>& b,
                                          xsimd::neon64) noexcept {
  return vreinterpretq_u32_u64(vzip1q_u64(vreinterpretq_u64_u32(a), vreinterpretq_u64_u32(b)));
}

static inline U32<xsimd::neon64> zip_hi64(const U32<xsimd::neon64>& a, const U32<xsimd::neon64>& b,
                                          xsimd::neon64) noexcept {
  return vreinterpretq_u32_u64(vzip2q_u64(vreinterpretq_u64_u32(a), vreinterpretq_u64_u32(b)));
}

static inline U32<xsimd::neon64> load_bytes(const uint8_t* p, xsimd::neon64) noexcept {
  return vreinterpretq_u32_u8(vld1q_u8(p));
}

static inline void store_bytes(uint8_t* p, const U32<xsimd::neon64>& v, xsimd::neon64) noexcept {
  vst1q_u8(p, vreinterpretq_u8_u32(v));
}
#endif

// finish adds the input state (RFC 8439 §2.3 step "add the original state") and transposes the
// lane-per-block words into keystream order v[0..15].
template <class A>
static inline void finish(const U32<A> (&x)[16], const U32<A> (&init)[16],
                          U32<A> (&v)[16]) noexcept {
  U32<A> t[16];
#pragma GCC unroll 16
  for (int g = 0; g < 4; ++g) {
    const U32<A> x0 = x[4 * g + 0] + init[4 * g + 0];
    const U32<A> x1 = x[4 * g + 1] + init[4 * g + 1];
    const U32<A> x2 = x[4 * g + 2] + init[4 * g + 2];
    const U32<A> x3 = x[4 * g + 3] + init[4 * g + 3];
    const U32<A> a = xsimd::zip_lo(x0, x1);
    const U32<A> b = xsimd::zip_hi(x0, x1);
    const U32<A> c = xsimd::zip_lo(x2, x3);
    const U32<A> d = xsimd::zip_hi(x2, x3);
    t[4 * g + 0] = zip_lo64(a, c, A{});
    t[4 * g + 1] = zip_hi64(a, c, A{});
    t[4 * g + 2] = zip_lo64(b, d, A{});
    t[4 * g + 3] = zip_hi64(b, d, A{});
  }
  to_block_order(t, v, A{});
}

// kBlocks<A> is N, the number of 64-byte blocks of one group.
template <class A>
inline constexpr size_t kBlocks = U32<A>::size;

// counter_state fills P groups of N consecutive blocks starting at |counter| for one key.
template <class A, int P>
static inline void counter_state(const ChaChaKey* k, uint32_t counter,
                                 U32<A> (&init)[P][16]) noexcept {
  alignas(64) uint32_t lane_index[kBlocks<A>];
#pragma GCC unroll 16
  for (size_t j = 0; j < kBlocks<A>; ++j) lane_index[j] = static_cast<uint32_t>(j);
  const U32<A> iota = U32<A>::load_aligned(lane_index);
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) {
#pragma GCC unroll 16
    for (int i = 0; i < 4; ++i) init[p][i] = U32<A>(kSigma[i]);
#pragma GCC unroll 16
    for (int i = 0; i < 8; ++i) init[p][4 + i] = U32<A>(k->key[i]);
    // The 32-bit block counter wraps modulo 2^32 (lane-wise add), as in the scalar path.
    init[p][12] = iota + U32<A>(counter + static_cast<uint32_t>(p * kBlocks<A>));
#pragma GCC unroll 16
    for (int i = 0; i < 3; ++i) init[p][13 + i] = U32<A>(k->nonce[i]);
  }
}

// xor_groups encrypts P * N * 64 bytes starting at block |counter|; hook as in rounds(). The
// hook is copied in and out so that its state (the Poly1305 accumulator) is a local the compiler
// keeps in registers: through a pointer, every byte store to |out| could alias it.
template <class A, int P, class Hook = NoHook>
static inline void xor_groups(const ChaChaKey* k, uint32_t counter, const uint8_t* in,
                              uint8_t* out, Hook&& hook_io = Hook{}) noexcept {
  auto hook = hook_io;
  U32<A> init[P][16];
  counter_state<A, P>(k, counter, init);
  U32<A> x[P][16];
#pragma GCC unroll 2
  for (int p = 0; p < P; ++p) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) x[p][i] = init[p][i];
  }
  rounds<A, P>(x, hook);
  hook_io = hook;
  constexpr size_t kStep = U32<A>::size * 4;  // bytes per vector
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) {
    U32<A> v[16];
    finish<A>(x[p], init[p], v);
    const size_t base = static_cast<size_t>(p) * 16 * kStep;
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      store_bytes(out + base + i * kStep, v[i] ^ load_bytes(in + base + i * kStep, A{}), A{});
    }
  }
}

// keystream_groups writes P * N * 64 keystream bytes starting at block |counter| to |ks|.
template <class A, int P>
static inline void keystream_groups(const ChaChaKey* k, uint32_t counter, uint8_t* ks) noexcept {
  U32<A> init[P][16];
  counter_state<A, P>(k, counter, init);
  U32<A> x[P][16];
#pragma GCC unroll 2
  for (int p = 0; p < P; ++p) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) x[p][i] = init[p][i];
  }
  NoHook hook;
  rounds<A, P>(x, hook);
  constexpr size_t kStep = U32<A>::size * 4;
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) {
    U32<A> v[16];
    finish<A>(x[p], init[p], v);
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i)
      store_bytes(ks + (static_cast<size_t>(p) * 16 + i) * kStep, v[i], A{});
  }
}

// keystream_lanes computes one block per lane for N unrelated (key, nonce, counter) triples, the
// batch path of the AEAD kernels: lane j gets block counters[j] of keys[j], written to
// ks + 64 * j. Every keys[j] must point at a valid key (repeat one for unused lanes).
template <class A>
static inline void keystream_lanes(const ChaChaKey* const* keys, const uint32_t* counters,
                                   uint8_t* ks) noexcept {
  constexpr size_t N = kBlocks<A>;
  alignas(64) uint32_t words[16][N];
#pragma GCC unroll 16
  for (size_t j = 0; j < N; ++j) {
#pragma GCC unroll 16
    for (int i = 0; i < 8; ++i) words[4 + i][j] = keys[j]->key[i];
    words[12][j] = counters[j];
#pragma GCC unroll 16
    for (int i = 0; i < 3; ++i) words[13 + i][j] = keys[j]->nonce[i];
  }
  U32<A> init[1][16];
#pragma GCC unroll 16
  for (int i = 0; i < 4; ++i) init[0][i] = U32<A>(kSigma[i]);
#pragma GCC unroll 16
  for (int i = 4; i < 16; ++i) init[0][i] = U32<A>::load_aligned(words[i]);
  U32<A> x[1][16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) x[0][i] = init[0][i];
  NoHook hook;
  rounds<A, 1>(x, hook);
  U32<A> v[16];
  finish<A>(x[0], init[0], v);
  constexpr size_t kStep = U32<A>::size * 4;
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) store_bytes(ks + i * kStep, v[i], A{});
}

// xor_stream encrypts |len| bytes from block |counter| on: P groups of N blocks while enough input
// is left, then single groups, then the tail through a keystream buffer. Inputs of at most
// |scalar_max| bytes take the scalar path, which is faster than a whole group for one or two
// blocks.
template <class A, int P>
static inline void xor_stream(const ChaChaKey* k, uint32_t counter, const uint8_t* in, uint8_t* out,
                              size_t len, size_t scalar_max) noexcept {
  constexpr size_t kGroup = kBlocks<A> * 64;
  if (len <= scalar_max) {
    chacha20_scalar::xor_stream(k, counter, in, out, len);
    return;
  }
  if constexpr (P > 1) {
    while (len >= P * kGroup) {
      xor_groups<A, P>(k, counter, in, out);
      counter += static_cast<uint32_t>(P * kBlocks<A>);
      in += P * kGroup;
      out += P * kGroup;
      len -= P * kGroup;
    }
  }
  while (len >= kGroup) {
    xor_groups<A, 1>(k, counter, in, out);
    counter += static_cast<uint32_t>(kBlocks<A>);
    in += kGroup;
    out += kGroup;
    len -= kGroup;
  }
  if (len == 0) return;
  if (len <= scalar_max) {
    chacha20_scalar::xor_stream(k, counter, in, out, len);
    return;
  }
  alignas(64) uint8_t ks[kGroup];
  keystream_groups<A, 1>(k, counter, ks);
  chacha20_scalar::xor_bytes(out, in, ks, len);
}

// PolyHook feeds whole 16-byte blocks to a Poly1305 accumulator (Poly: copyable, with
// block(p)) from the quarter-round hook: kBlocksPerPass blocks spread evenly (Bresenham) over the
// kCalls quarter rounds of one pass. Only lengths decide where blocks go, never data.
template <class Poly, size_t kBlocksPerPass, size_t kCalls>
struct PolyHook {
  static_assert(kBlocksPerPass <= kCalls, "at most one Poly1305 block per quarter round");
  Poly poly;
  const uint8_t* src;  // next block to absorb; nullptr: nothing this pass
  size_t acc;
  void operator()() noexcept {
    acc += kBlocksPerPass;
    if (acc >= kCalls) {
      acc -= kCalls;
      if (src != nullptr) {
        poly.block(src);
        src += 16;
      }
    }
  }
};

// xor_absorb_passes encrypts the longest prefix of |len| bytes that is a whole number of passes
// (P groups of N blocks) and returns its length. Every 16-byte block of the prefix's ciphertext
// goes through poly.block(), in order, between quarter rounds: when opening (kAbsorbInput) a pass
// absorbs its own input before its XOR overwrites it; when sealing it absorbs the previous pass's
// output, and the last pass's output is absorbed at the end.
template <class A, int P, bool kAbsorbInput, class Poly>
static inline size_t xor_absorb_passes(const ChaChaKey* k, uint32_t counter, const uint8_t* in,
                                       uint8_t* out, size_t len, Poly* poly) noexcept {
  constexpr size_t kPass = P * kBlocks<A> * 64;
  constexpr size_t kPolyBlocks = kPass / 16;
  PolyHook<Poly, kPolyBlocks, kHookCalls<P>> hook{*poly, nullptr, 0};
  const uint8_t* pending = nullptr;
  size_t done = 0;
  while (len - done >= kPass) {
    hook.src = kAbsorbInput ? in + done : pending;
    hook.acc = 0;
    xor_groups<A, P>(k, counter + static_cast<uint32_t>(done / 64), in + done, out + done, hook);
    pending = out + done;
    done += kPass;
  }
  *poly = hook.poly;
  if (!kAbsorbInput && pending != nullptr) {
    for (size_t i = 0; i < kPolyBlocks; ++i) poly->block(pending + 16 * i);
  }
  return done;
}

}  // namespace chacha20_simd
}  // namespace
