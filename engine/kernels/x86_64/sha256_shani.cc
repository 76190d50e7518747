// SHA-256 compression with the x86 SHA extensions (SHA-NI). Built with X86_SHA; reached only
// through dispatch after kNeedsShaNi was checked.
//
// SHA256RNDS2 runs two rounds on the state split as {A,B,E,F} and {C,D,G,H}; after two rounds the
// old ABEF is the new CDGH, so alternating which register is passed first runs four rounds without
// moving data. The message schedule for four words at a time is SHA256MSG1 (σ0 part), an add of
// W[t-7..t-4] (PALIGNR of the two previous groups), and SHA256MSG2 (σ1 part, which must see the
// words it just produced, hence the instruction).
#include <immintrin.h>

#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {
namespace {
namespace sha256_shani {

struct State {
  __m128i abef;
  __m128i cdgh;
};

// Four rounds with the message words |w| (W[t..t+3]) and constants K[t..t+3] at |k|.
__attribute__((always_inline)) inline void rounds4(State& s, __m128i w, const uint32_t* k) {
  __m128i wk = _mm_add_epi32(w, _mm_loadu_si128(reinterpret_cast<const __m128i*>(k)));
  s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
  wk = _mm_shuffle_epi32(wk, 0x0e);  // the upper two W+K into the low half
  s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, wk);
}

// W[t..t+3] from the groups holding W[t-16..], W[t-12..], W[t-8..], W[t-4..].
__attribute__((always_inline)) inline __m128i schedule(__m128i w16, __m128i w12, __m128i w8,
                                                       __m128i w4) {
  __m128i x = _mm_sha256msg1_epu32(w16, w12);
  x = _mm_add_epi32(x, _mm_alignr_epi8(w4, w8, 4));
  return _mm_sha256msg2_epu32(x, w4);
}

void blocks(uint32_t state[8], const uint8_t* in, size_t nblocks) {
  // Big-endian words to lanes.
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  const uint32_t* k = kSha256RoundConstants;

  // H0..H7 as {a,b,c,d},{e,f,g,h} to the {f,e,b,a},{h,g,d,c} lane order RNDS2 wants.
  __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
  abcd = _mm_shuffle_epi32(abcd, 0xb1);  // {b,a,d,c}
  efgh = _mm_shuffle_epi32(efgh, 0x1b);  // {h,g,f,e}
  State s;
  s.abef = _mm_alignr_epi8(abcd, efgh, 8);     // {f,e,b,a}
  s.cdgh = _mm_blend_epi16(efgh, abcd, 0xf0);  // {h,g,d,c}

  for (; nblocks != 0; --nblocks, in += 64) {
    const State saved = s;
    const __m128i* p = reinterpret_cast<const __m128i*>(in);
    __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128(p + 0), bswap);
    rounds4(s, w0, k + 0);
    __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128(p + 1), bswap);
    rounds4(s, w1, k + 4);
    __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128(p + 2), bswap);
    rounds4(s, w2, k + 8);
    __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128(p + 3), bswap);
    rounds4(s, w3, k + 12);
    for (int t = 16; t < 64; t += 16) {
      w0 = schedule(w0, w1, w2, w3);
      rounds4(s, w0, k + t);
      w1 = schedule(w1, w2, w3, w0);
      rounds4(s, w1, k + t + 4);
      w2 = schedule(w2, w3, w0, w1);
      rounds4(s, w2, k + t + 8);
      w3 = schedule(w3, w0, w1, w2);
      rounds4(s, w3, k + t + 12);
    }
    s.abef = _mm_add_epi32(s.abef, saved.abef);
    s.cdgh = _mm_add_epi32(s.cdgh, saved.cdgh);
  }

  const __m128i feba = _mm_shuffle_epi32(s.abef, 0x1b);  // {a,b,e,f}
  const __m128i ghcd = _mm_shuffle_epi32(s.cdgh, 0xb1);  // {g,h,c,d}
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, ghcd, 0xf0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(ghcd, feba, 8));
}

}  // namespace sha256_shani
}  // namespace

const Sha256Kernel kSha256Shani = {sha256_shani::blocks};

}  // namespace volley::kernels
