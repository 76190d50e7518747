// Poly1305 on AVX2: 4 lanes of 26-bit limbs, multiplied with vpmuludq (32 x 32 -> 64 bits).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own intrinsics headers (the self-initialised __Y of _mm256_undefined_*).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/poly1305_kernels.h"

namespace volley::kernels {
namespace poly1305_avx2 {
namespace {

#include "engine/kernels/portable/poly1305_scalar.inc"

// Lane j of a group of four blocks holds block kLaneBlock[j]: unpacking two 256-bit loads by
// 64-bit halves interleaves the 128-bit lanes. After the last group lane j still needs
// r^(4 - kLaneBlock[j]), so the lane powers are r^4, r^2, r^3, r^1; lane 0 (r^4) is also the
// per-group multiplier.
constexpr int kLanePower[4] = {4, 2, 3, 1};

// Avx2Powers: r[i][j] is 26-bit limb i of lane j's power, s[i][j] = 5 * r[i][j] (2^130 == 5).
struct alignas(32) Avx2Powers {
  uint64_t r[5][4];
  uint64_t s[5][4];
};

constexpr size_t kPowersOffset = 64;
static_assert(kPowersOffset + sizeof(Avx2Powers) <= sizeof(Poly1305State), "state size");
constexpr uint64_t kHavePowers = 1;
// Below this many blocks the scalar loop wins: every message has a new key, so each pays for
// the powers of r and for the lane fold (measured on Zen 5: scalar up to about 1 KiB).
constexpr size_t kMinVectorBlocks = 64;

struct V5 {
  __m256i v[5];
};

struct Mul5 {
  __m256i r[5];
  __m256i s[5];  // s[0] unused
};

VOLLEY_FN void compute_powers(Avx2Powers* pw, const ScalarPoly* p) {
  Poly26 pow[4];
  sp_powers26(p, pow, 4);
  for (int j = 0; j < 4; ++j) {
    const Poly26& x = pow[kLanePower[j] - 1];
    for (int i = 0; i < 5; ++i) {
      pw->r[i][j] = x.l[i];
      pw->s[i][j] = x.l[i] * 5;
    }
  }
}

VOLLEY_FN Mul5 mul_lanes(const Avx2Powers* pw) {
  Mul5 m;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
    m.r[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(pw->r[i]));
    m.s[i] = _mm256_load_si256(reinterpret_cast<const __m256i*>(pw->s[i]));
  }
  return m;
}

VOLLEY_FN Mul5 mul_r4(const Avx2Powers* pw) {
  Mul5 m;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
    m.r[i] = _mm256_set1_epi64x(static_cast<long long>(pw->r[i][0]));
    m.s[i] = _mm256_set1_epi64x(static_cast<long long>(pw->s[i][0]));
  }
  return m;
}

VOLLEY_FN inline __m256i mul(__m256i a, __m256i b) { return _mm256_mul_epu32(a, b); }
VOLLEY_FN inline __m256i add(__m256i a, __m256i b) { return _mm256_add_epi64(a, b); }

// mul5: h * m, partially carried. Input limbs < 2^28; outputs < 2^27.
[[gnu::always_inline]] VOLLEY_FN inline V5 mul5(const V5& h, const Mul5& m) {
  const __m256i* x = h.v;
  const __m256i* r = m.r;
  const __m256i* s = m.s;
  // Products at 2^(26*(i+j)) with i + j >= 5 fold back times 5 (the s limbs).
  __m256i d0 =
      add(add(add(mul(x[0], r[0]), mul(x[1], s[4])), add(mul(x[2], s[3]), mul(x[3], s[2]))),
          mul(x[4], s[1]));
  __m256i d1 =
      add(add(add(mul(x[0], r[1]), mul(x[1], r[0])), add(mul(x[2], s[4]), mul(x[3], s[3]))),
          mul(x[4], s[2]));
  __m256i d2 =
      add(add(add(mul(x[0], r[2]), mul(x[1], r[1])), add(mul(x[2], r[0]), mul(x[3], s[4]))),
          mul(x[4], s[3]));
  __m256i d3 =
      add(add(add(mul(x[0], r[3]), mul(x[1], r[2])), add(mul(x[2], r[1]), mul(x[3], r[0]))),
          mul(x[4], s[4]));
  __m256i d4 =
      add(add(add(mul(x[0], r[4]), mul(x[1], r[3])), add(mul(x[2], r[2]), mul(x[3], r[1]))),
          mul(x[4], r[0]));
  // Two interleaved carry chains (0->1->2->3 and 3->4->0->1) keep the latency short.
  const __m256i m26 = _mm256_set1_epi64x((1 << 26) - 1);
  __m256i c0 = _mm256_srli_epi64(d0, 26);
  __m256i c3 = _mm256_srli_epi64(d3, 26);
  d0 = _mm256_and_si256(d0, m26);
  d3 = _mm256_and_si256(d3, m26);
  d1 = add(d1, c0);
  d4 = add(d4, c3);
  const __m256i c1 = _mm256_srli_epi64(d1, 26);
  const __m256i c4 = _mm256_srli_epi64(d4, 26);
  d1 = _mm256_and_si256(d1, m26);
  d4 = _mm256_and_si256(d4, m26);
  d2 = add(d2, c1);
  d0 = add(d0, add(c4, _mm256_slli_epi64(c4, 2)));
  const __m256i c2 = _mm256_srli_epi64(d2, 26);
  c0 = _mm256_srli_epi64(d0, 26);
  d2 = _mm256_and_si256(d2, m26);
  d0 = _mm256_and_si256(d0, m26);
  d3 = add(d3, c2);
  d1 = add(d1, c0);
  c3 = _mm256_srli_epi64(d3, 26);
  d3 = _mm256_and_si256(d3, m26);
  d4 = add(d4, c3);
  V5 o;
  o.v[0] = d0;
  o.v[1] = d1;
  o.v[2] = d2;
  o.v[3] = d3;
  o.v[4] = d4;
  return o;
}

// msg loads four blocks as 26-bit limbs with the 2^128 pad bit, lanes in kLanePower order.
[[gnu::always_inline]] VOLLEY_FN inline V5 msg(const uint8_t* in) {
  const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in));
  const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + 32));
  const __m256i lo = _mm256_unpacklo_epi64(x, y);
  const __m256i hi = _mm256_unpackhi_epi64(x, y);
  const __m256i m26 = _mm256_set1_epi64x((1 << 26) - 1);
  V5 m;
  m.v[0] = _mm256_and_si256(lo, m26);
  m.v[1] = _mm256_and_si256(_mm256_srli_epi64(lo, 26), m26);
  m.v[2] =
      _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi64(lo, 52), _mm256_slli_epi64(hi, 12)), m26);
  m.v[3] = _mm256_and_si256(_mm256_srli_epi64(hi, 14), m26);
  m.v[4] = _mm256_or_si256(_mm256_srli_epi64(hi, 40), _mm256_set1_epi64x(1 << 24));
  return m;
}

[[gnu::always_inline]] VOLLEY_FN inline V5 add5(const V5& a, const V5& b) {
  V5 o;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) o.v[i] = add(a.v[i], b.v[i]);
  return o;
}

VOLLEY_FN uint64_t hsum(__m256i v) {
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_add_epi64(s, _mm_unpackhi_epi64(s, s))));
}

// vector_blocks absorbs |ngroups| >= 1 groups of four blocks.
VOLLEY_FN void vector_blocks(ScalarPoly* p, const Avx2Powers* pw, const uint8_t* in,
                             size_t ngroups) {
  const Poly26 h = sp_to26(p->h0, p->h1, p->h2);
  V5 a;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) a.v[i] = _mm256_set_epi64x(0, 0, 0, static_cast<long long>(h.l[i]));
  a = add5(a, msg(in));
  const Mul5 r4 = mul_r4(pw);
  for (size_t g = 1; g < ngroups; ++g) a = add5(mul5(a, r4), msg(in + 64 * g));
  a = mul5(a, mul_lanes(pw));
  sp_h_from26(p, hsum(a.v[0]), hsum(a.v[1]), hsum(a.v[2]), hsum(a.v[3]), hsum(a.v[4]));
}

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
    Avx2Powers pw;
    if ((p.flags & kHavePowers) == 0) {
      compute_powers(&pw, &p);
      std::memcpy(st->bytes + kPowersOffset, &pw, sizeof(pw));
      p.flags |= kHavePowers;
    } else {
      std::memcpy(&pw, st->bytes + kPowersOffset, sizeof(pw));
    }
    const size_t groups = nblocks / 4;
    vector_blocks(&p, &pw, in, groups);
    in += groups * 64;
    nblocks -= groups * 4;
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
}  // namespace poly1305_avx2

const Poly1305Kernel kPoly1305Avx2 = {poly1305_avx2::init, poly1305_avx2::blocks,
                                      poly1305_avx2::finish};

}  // namespace volley::kernels
