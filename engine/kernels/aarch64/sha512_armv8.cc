// SHA-512 compression (also SHA-384) with the ARMv8.2 SHA512 instructions. Built with ARM_SHA512;
// reached only through dispatch after kNeedsArmSha512 was checked.
//
// The state lives in four pairs, lane 0 / lane 1: ab = {a,b}, cd = {c,d}, ef = {e,f}, gh = {g,h}.
// Two rounds t, t+1 are:
//   SHA512H  on {g+KW[t+1], h+KW[t]}, {f,g}, {d,e}  -> {T1[t+1], T1[t]}   (the Σ1/Ch half)
//   new ef = cd + that                              (e'' = c + T1[t+1], e' = d + T1[t])
//   SHA512H2 on that, {c,d}, {a,b}                  -> {a'', a'}          (the Σ0/Maj half)
// after which the old ab is the new cd and the old ef the new gh, so the four names rotate and no
// data moves. SHA512SU0/SU1 extend the message schedule two words at a time.
#include <arm_neon.h>

#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {
namespace {
namespace sha512_armv8 {

struct State {
  uint64x2_t ab, cd, ef, gh;
};

// Two rounds with the message words |w| (W[t], W[t+1]) and constants K[t], K[t+1] at |k|.
__attribute__((always_inline)) inline void rounds2(State& s, uint64x2_t w, const uint64_t* k) {
  const uint64x2_t kw = vaddq_u64(w, vld1q_u64(k));
  const uint64x2_t fg = vextq_u64(s.ef, s.gh, 1);
  const uint64x2_t de = vextq_u64(s.cd, s.ef, 1);
  const uint64x2_t gh_kw = vaddq_u64(s.gh, vextq_u64(kw, kw, 1));  // {g+KW[t+1], h+KW[t]}
  const uint64x2_t t1 = vsha512hq_u64(gh_kw, fg, de);
  const uint64x2_t new_ef = vaddq_u64(s.cd, t1);
  const uint64x2_t new_ab = vsha512h2q_u64(t1, s.cd, s.ab);
  s.gh = s.ef;
  s.ef = new_ef;
  s.cd = s.ab;
  s.ab = new_ab;
}

// W[t], W[t+1] from W[t-16..t-15], W[t-14..t-13], W[t-8..t-7], W[t-6..t-5], W[t-2..t-1].
__attribute__((always_inline)) inline uint64x2_t schedule(uint64x2_t w16, uint64x2_t w14,
                                                          uint64x2_t w8, uint64x2_t w6,
                                                          uint64x2_t w2) {
  return vsha512su1q_u64(vsha512su0q_u64(w16, w14), w2, vextq_u64(w8, w6, 1));
}

__attribute__((always_inline)) inline uint64x2_t load_be(const uint8_t* p) {
  return vreinterpretq_u64_u8(vrev64q_u8(vld1q_u8(p)));
}

void blocks(uint64_t state[8], const uint8_t* in, size_t nblocks) {
  const uint64_t* k = kSha512RoundConstants;
  State s;
  s.ab = vld1q_u64(state);
  s.cd = vld1q_u64(state + 2);
  s.ef = vld1q_u64(state + 4);
  s.gh = vld1q_u64(state + 6);
  for (; nblocks != 0; --nblocks, in += 128) {
    const State saved = s;
    // Eight pairs of message words: a ring of W[t-16..t-1].
    uint64x2_t m0 = load_be(in + 0), m1 = load_be(in + 16), m2 = load_be(in + 32);
    uint64x2_t m3 = load_be(in + 48), m4 = load_be(in + 64), m5 = load_be(in + 80);
    uint64x2_t m6 = load_be(in + 96), m7 = load_be(in + 112);
    rounds2(s, m0, k + 0);
    rounds2(s, m1, k + 2);
    rounds2(s, m2, k + 4);
    rounds2(s, m3, k + 6);
    rounds2(s, m4, k + 8);
    rounds2(s, m5, k + 10);
    rounds2(s, m6, k + 12);
    rounds2(s, m7, k + 14);
    for (int t = 16; t < 80; t += 16) {
      m0 = schedule(m0, m1, m4, m5, m7);
      rounds2(s, m0, k + t + 0);
      m1 = schedule(m1, m2, m5, m6, m0);
      rounds2(s, m1, k + t + 2);
      m2 = schedule(m2, m3, m6, m7, m1);
      rounds2(s, m2, k + t + 4);
      m3 = schedule(m3, m4, m7, m0, m2);
      rounds2(s, m3, k + t + 6);
      m4 = schedule(m4, m5, m0, m1, m3);
      rounds2(s, m4, k + t + 8);
      m5 = schedule(m5, m6, m1, m2, m4);
      rounds2(s, m5, k + t + 10);
      m6 = schedule(m6, m7, m2, m3, m5);
      rounds2(s, m6, k + t + 12);
      m7 = schedule(m7, m0, m3, m4, m6);
      rounds2(s, m7, k + t + 14);
    }
    s.ab = vaddq_u64(s.ab, saved.ab);
    s.cd = vaddq_u64(s.cd, saved.cd);
    s.ef = vaddq_u64(s.ef, saved.ef);
    s.gh = vaddq_u64(s.gh, saved.gh);
  }
  vst1q_u64(state, s.ab);
  vst1q_u64(state + 2, s.cd);
  vst1q_u64(state + 4, s.ef);
  vst1q_u64(state + 6, s.gh);
}

}  // namespace sha512_armv8
}  // namespace

const Sha512Kernel kSha512Armv8 = {sha512_armv8::blocks};

}  // namespace volley::kernels
