// SHA-512 compression (FIPS 180-4 §6.4.2), also serving SHA-384: the message schedule of two
// blocks at once in AVX2, the rounds in scalar BMI2 code. Built with X86_AVX2; reached only
// through dispatch after kNeedsAvx2 was checked. Constant time: no branch or index depends on the
// data (the only branches are on the block count).
//
// Schedule: a ymm register holds two consecutive words of each block, {A[t], A[t+1], B[t], B[t+1]}.
// W[t+16] needs W[t+14], so two words can be made per step without an intra-register dependency,
// and because VPALIGNR works within 128-bit halves it builds the unaligned pairs W[t+1..t+2] and
// W[t+9..t+10] of both blocks at once. Each step writes W+K for both blocks to a stack buffer that
// the rounds read. For one to three blocks the steps run inside the first block's rounds; from four
// blocks on they are pipelined across blocks (blocks_pipelined()).
//
// Rounds: the chain that bounds SHA-512 is e -> Σ1(e) (three levels: RORX, XOR, XOR) -> new e.
// The new e is summed as (d + h + W+K + Ch) + Σ1, so only Σ1 is added after e is known; Ch =
// ((f^g) & e) ^ g is ready one level before Σ1. Maj = (a & (b^c)) + (b & c), the two halves being
// disjoint, so one AND stands between a and its term, and b^c is the previous round's a^b. The new
// a is then new_e + (Maj - d) + Σ0(a), which lets the a chain trail the e chain by two cycles: a
// latency bound of four cycles per round instead of five when d is added to a finished T1. (On Zen
// 5 a round runs in about five cycles: its 24 ALU operations nearly fill the six integer ALUs.)
#include <immintrin.h>

#include <cstdint>

#include "engine/common/secure_memory.h"
#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {
namespace {
namespace sha512_avx2 {

// --- Scalar rounds.

__attribute__((always_inline)) inline uint64_t ror(uint64_t x, int n) {
  return (x >> n) | (x << (64 - n));
}

// One round with the working variables passed rotated (see sha512_nohw.cc). |bxc| holds b^c on
// entry and leaves a^b, which is the next round's b^c.
__attribute__((always_inline)) inline void round(uint64_t a, uint64_t b, uint64_t c, uint64_t& d,
                                                 uint64_t e, uint64_t f, uint64_t g, uint64_t& h,
                                                 uint64_t& bxc, uint64_t wk) {
  const uint64_t s1 = ror(e, 14) ^ ror(e, 18) ^ ror(e, 41);
  const uint64_t s0 = ror(a, 28) ^ ror(a, 34) ^ ror(a, 39);
  const uint64_t early = (b & c) - d;  // ready long before a: the Maj half without a, minus old d
  uint64_t ne = d + h + wk;
  ne += ((f ^ g) & e) ^ g;
  ne += s1;
  uint64_t na = early + (a & bxc);
  na += ne;
  na += s0;
  bxc = a ^ b;
  d = ne;
  h = na;
}

// Eight rounds reading W+K for round t+i at p[(i / 2) * 4 + i % 2] (the buffer layout below).
__attribute__((always_inline)) inline void rounds8(uint64_t v[8], uint64_t& bxc,
                                                   const uint64_t* p) {
  round(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], bxc, p[0]);
  round(v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6], bxc, p[1]);
  round(v[6], v[7], v[0], v[1], v[2], v[3], v[4], v[5], bxc, p[4]);
  round(v[5], v[6], v[7], v[0], v[1], v[2], v[3], v[4], bxc, p[5]);
  round(v[4], v[5], v[6], v[7], v[0], v[1], v[2], v[3], bxc, p[8]);
  round(v[3], v[4], v[5], v[6], v[7], v[0], v[1], v[2], bxc, p[9]);
  round(v[2], v[3], v[4], v[5], v[6], v[7], v[0], v[1], bxc, p[12]);
  round(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[0], bxc, p[13]);
}

// --- Vector schedule.

// σ0(x) = ror1 ^ ror8 ^ shr7; the rotation by a whole byte is one byte shuffle.
__attribute__((always_inline)) inline __m256i sigma0(__m256i x, __m256i ror8) {
  __m256i r = _mm256_xor_si256(_mm256_srli_epi64(x, 1), _mm256_slli_epi64(x, 63));
  r = _mm256_xor_si256(r, _mm256_srli_epi64(x, 7));
  return _mm256_xor_si256(r, _mm256_shuffle_epi8(x, ror8));
}

// σ1(x) = ror19 ^ ror61 ^ shr6.
__attribute__((always_inline)) inline __m256i sigma1(__m256i x) {
  __m256i r = _mm256_xor_si256(_mm256_srli_epi64(x, 19), _mm256_slli_epi64(x, 45));
  r = _mm256_xor_si256(r, _mm256_xor_si256(_mm256_srli_epi64(x, 61), _mm256_slli_epi64(x, 3)));
  return _mm256_xor_si256(r, _mm256_srli_epi64(x, 6));
}

// x0 = W[t..t+1] becomes W[t+16..t+17] (both blocks), given x1 = W[t+2..], x4 = W[t+8..],
// x5 = W[t+10..], x7 = W[t+14..]; W+K goes to |out|.
__attribute__((always_inline)) inline void step(__m256i& x0, __m256i x1, __m256i x4, __m256i x5,
                                                __m256i x7, const uint64_t* k, uint64_t* out,
                                                __m256i ror8) {
  const __m256i w15 = _mm256_alignr_epi8(x1, x0, 8);  // W[t+1], W[t+2]
  const __m256i w7 = _mm256_alignr_epi8(x5, x4, 8);   // W[t+9], W[t+10]
  x0 = _mm256_add_epi64(_mm256_add_epi64(x0, w7), _mm256_add_epi64(sigma0(w15, ror8), sigma1(x7)));
  const __m256i kk =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k)));
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), _mm256_add_epi64(x0, kk));
}

// Compresses block |a| and, if |b| is not null, block |b| after it, with |wk| (160 words, 32-byte
// aligned, the caller's to wipe) for the schedule.
__attribute__((noinline)) void two_blocks(uint64_t state[8], const uint8_t* a, const uint8_t* b,
                                          uint64_t* wk) {
  const uint64_t* k = kSha512RoundConstants;
  // Big-endian words to lanes, and the byte rotation of σ0.
  const __m256i bswap = _mm256_set_epi64x(0x08090a0b0c0d0e0fULL, 0x0001020304050607ULL,
                                          0x08090a0b0c0d0e0fULL, 0x0001020304050607ULL);
  const __m256i ror8 = _mm256_set_epi64x(0x080f0e0d0c0b0a09ULL, 0x0007060504030201ULL,
                                         0x080f0e0d0c0b0a09ULL, 0x0007060504030201ULL);
  // W+K of round t: block a at wk[(t / 2) * 4 + t % 2], block b two words further.
  const uint8_t* second = b != nullptr ? b : a;

  __m256i x[8];
  for (int i = 0; i < 8; ++i) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16 * i));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(second + 16 * i));
    x[i] = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1), bswap);
    const __m256i kk =
        _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 2 * i)));
    _mm256_store_si256(reinterpret_cast<__m256i*>(wk + 4 * i), _mm256_add_epi64(x[i], kk));
  }
  __m256i x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3], x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];

  uint64_t v[8];
  for (int i = 0; i < 8; ++i) v[i] = state[i];
  uint64_t bxc = v[1] ^ v[2];
  // Rounds t..t+15 of block a, while W[t+16..t+31] of both blocks are made.
  for (int t = 0; t < 64; t += 16) {
    const uint64_t* p = wk + 2 * t;
    uint64_t* out = wk + 2 * (t + 16);
    const uint64_t* kt = k + t + 16;
    rounds8(v, bxc, p);
    step(x0, x1, x4, x5, x7, kt + 0, out + 0, ror8);
    step(x1, x2, x5, x6, x0, kt + 2, out + 4, ror8);
    step(x2, x3, x6, x7, x1, kt + 4, out + 8, ror8);
    step(x3, x4, x7, x0, x2, kt + 6, out + 12, ror8);
    rounds8(v, bxc, p + 16);
    step(x4, x5, x0, x1, x3, kt + 8, out + 16, ror8);
    step(x5, x6, x1, x2, x4, kt + 10, out + 20, ror8);
    step(x6, x7, x2, x3, x5, kt + 12, out + 24, ror8);
    step(x7, x0, x3, x4, x6, kt + 14, out + 28, ror8);
  }
  rounds8(v, bxc, wk + 128);
  rounds8(v, bxc, wk + 144);
  for (int i = 0; i < 8; ++i) state[i] += v[i];
  if (b == nullptr) return;

  for (int i = 0; i < 8; ++i) v[i] = state[i];
  bxc = v[1] ^ v[2];
  for (int t = 0; t < 80; t += 8) rounds8(v, bxc, wk + 2 + 2 * t);
  for (int i = 0; i < 8; ++i) state[i] += v[i];
}

// --- Pipelined schedule, for four blocks or more.

// The eight schedule registers of the pair in flight. Step S (0..31) makes W[16+2S..17+2S] of both
// blocks in x[S mod 8], so the register names rotate with period eight.
struct Sched {
  __m256i x[8];
};

template <int J>
__attribute__((always_inline)) inline void step(Sched& s, const uint64_t* k, uint64_t* out,
                                                __m256i ror8) {
  step(s.x[J], s.x[(J + 1) & 7], s.x[(J + 4) & 7], s.x[(J + 5) & 7], s.x[(J + 7) & 7], k, out,
       ror8);
}

// Step S of the pair whose buffer is |w|.
template <int S>
__attribute__((always_inline)) inline void rec(Sched& s, uint64_t* w, __m256i ror8) {
  step<S & 7>(s, kSha512RoundConstants + 16 + 2 * S, w + 4 * (S + 8), ror8);
}

// Loads W[2I..2I+1] of blocks |a| and |b| into x[I] and stores their W+K.
template <int I>
__attribute__((always_inline)) inline void load(Sched& s, const uint8_t* a, const uint8_t* b,
                                                uint64_t* w, __m256i bswap) {
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16 * I));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16 * I));
  s.x[I] = _mm256_shuffle_epi8(_mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1), bswap);
  const __m256i kk = _mm256_broadcastsi128_si256(
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kSha512RoundConstants + 2 * I)));
  _mm256_store_si256(reinterpret_cast<__m256i*>(w + 4 * I), _mm256_add_epi64(s.x[I], kk));
}

__attribute__((always_inline)) inline void feed(uint64_t state[8], uint64_t v[8], uint64_t& bxc) {
  for (int i = 0; i < 8; ++i) {
    state[i] += v[i];
    v[i] = state[i];
  }
  bxc = v[1] ^ v[2];
}

// two_blocks() puts all of a pair's schedule in its first block's rounds, so the vector units
// idle during the second block and the first block's rounds compete with the steps for dispatch.
// Here the second block of each pair carries the next pair's loads and steps 0..13, and the first
// block carries steps 14..31: twenty steps per eighty rounds each. Step S is always stored before
// the eight rounds that contain round 16 + 2S. The first pair's steps 0..13 are made up front,
// which is why short inputs take two_blocks() instead.
__attribute__((noinline)) void blocks_pipelined(uint64_t state[8], const uint8_t* in,
                                                size_t nblocks, uint64_t (*wk)[160]) {
  const __m256i bswap = _mm256_set_epi64x(0x08090a0b0c0d0e0fULL, 0x0001020304050607ULL,
                                          0x08090a0b0c0d0e0fULL, 0x0001020304050607ULL);
  const __m256i ror8 = _mm256_set_epi64x(0x080f0e0d0c0b0a09ULL, 0x0007060504030201ULL,
                                         0x080f0e0d0c0b0a09ULL, 0x0007060504030201ULL);
  // wk[cur] is the pair being compressed, wk[cur ^ 1] the next pair being scheduled, laid out as
  // in two_blocks(). An odd last block is scheduled as a pair with itself.
  Sched s;
  {
    uint64_t* w = wk[0];
    const uint8_t* b = in + 128;
    load<0>(s, in, b, w, bswap);
    load<1>(s, in, b, w, bswap);
    load<2>(s, in, b, w, bswap);
    load<3>(s, in, b, w, bswap);
    load<4>(s, in, b, w, bswap);
    load<5>(s, in, b, w, bswap);
    load<6>(s, in, b, w, bswap);
    load<7>(s, in, b, w, bswap);
    rec<0>(s, w, ror8);
    rec<1>(s, w, ror8);
    rec<2>(s, w, ror8);
    rec<3>(s, w, ror8);
    rec<4>(s, w, ror8);
    rec<5>(s, w, ror8);
    rec<6>(s, w, ror8);
    rec<7>(s, w, ror8);
    rec<8>(s, w, ror8);
    rec<9>(s, w, ror8);
    rec<10>(s, w, ror8);
    rec<11>(s, w, ror8);
    rec<12>(s, w, ror8);
    rec<13>(s, w, ror8);
  }

  uint64_t v[8];
  for (int i = 0; i < 8; ++i) v[i] = state[i];
  uint64_t bxc = v[1] ^ v[2];
  for (int cur = 0;; cur ^= 1) {
    // First block of the pair, with steps 14..31.
    uint64_t* w = wk[cur];
    rounds8(v, bxc, w);
    rec<14>(s, w, ror8);
    rec<15>(s, w, ror8);
    for (int i = 0; i < 2; ++i) {  // steps 16 + 8i .. 23 + 8i, stored at w + 96 + 32i
      uint64_t* wi = w + 64 * i;
      const uint64_t* ki = kSha512RoundConstants + 16 * i;
      rounds8(v, bxc, wi + 16);
      step<0>(s, ki + 48, wi + 96 - 32 * i, ror8);
      step<1>(s, ki + 50, wi + 100 - 32 * i, ror8);
      rounds8(v, bxc, wi + 32);
      step<2>(s, ki + 52, wi + 104 - 32 * i, ror8);
      step<3>(s, ki + 54, wi + 108 - 32 * i, ror8);
      rounds8(v, bxc, wi + 48);
      step<4>(s, ki + 56, wi + 112 - 32 * i, ror8);
      step<5>(s, ki + 58, wi + 116 - 32 * i, ror8);
      rounds8(v, bxc, wi + 64);
      step<6>(s, ki + 60, wi + 120 - 32 * i, ror8);
      step<7>(s, ki + 62, wi + 124 - 32 * i, ror8);
    }
    rounds8(v, bxc, w + 144);
    feed(state, v, bxc);
    if (nblocks == 1) return;
    nblocks -= 2;
    if (nblocks == 0) {
      for (int t = 0; t < 80; t += 8) rounds8(v, bxc, w + 2 + 2 * t);
      feed(state, v, bxc);
      return;
    }

    // Second block, with the next pair's loads and steps 0..13.
    in += 256;
    const uint8_t* b = nblocks >= 2 ? in + 128 : in;
    uint64_t* n = wk[cur ^ 1];
    const uint64_t* p = w + 2;
    rounds8(v, bxc, p + 0);
    load<0>(s, in, b, n, bswap);
    load<1>(s, in, b, n, bswap);
    rounds8(v, bxc, p + 16);
    load<2>(s, in, b, n, bswap);
    load<3>(s, in, b, n, bswap);
    rounds8(v, bxc, p + 32);
    load<4>(s, in, b, n, bswap);
    load<5>(s, in, b, n, bswap);
    rounds8(v, bxc, p + 48);
    load<6>(s, in, b, n, bswap);
    load<7>(s, in, b, n, bswap);
    rounds8(v, bxc, p + 64);
    rec<0>(s, n, ror8);
    rec<1>(s, n, ror8);
    rounds8(v, bxc, p + 80);
    rec<2>(s, n, ror8);
    rec<3>(s, n, ror8);
    rounds8(v, bxc, p + 96);
    rec<4>(s, n, ror8);
    rec<5>(s, n, ror8);
    rounds8(v, bxc, p + 112);
    rec<6>(s, n, ror8);
    rec<7>(s, n, ror8);
    rounds8(v, bxc, p + 128);
    rec<8>(s, n, ror8);
    rec<9>(s, n, ror8);
    rec<10>(s, n, ror8);
    rounds8(v, bxc, p + 144);
    rec<11>(s, n, ror8);
    rec<12>(s, n, ror8);
    rec<13>(s, n, ror8);
    feed(state, v, bxc);
  }
}

// The schedule (W+K) is message data, and the message may be secret (HMAC's padded key, HKDF's
// keys), so its buffers are owned here and wiped before returning. What the compiler spills of the
// vector registers is not covered; the buffers are where the whole schedule lies.
void blocks(uint64_t state[8], const uint8_t* in, size_t nblocks) {
  alignas(32) uint64_t wk[2][160];
  // Below four blocks the up-front steps of the pipelined path cost more than they save.
  if (nblocks >= 4) {
    blocks_pipelined(state, in, nblocks, wk);
    secure_wipe(wk, sizeof(wk));
    return;
  }
  for (; nblocks >= 2; nblocks -= 2, in += 256) two_blocks(state, in, in + 128, wk[0]);
  if (nblocks != 0) two_blocks(state, in, nullptr, wk[0]);
  secure_wipe(wk[0], sizeof(wk[0]));
}

}  // namespace sha512_avx2
}  // namespace

const Sha512Kernel kSha512Avx2 = {sha512_avx2::blocks};

}  // namespace volley::kernels
