// SHA-256 compression with the ARMv8 SHA2 instructions. Built with ARM_CRYPTO; reached only
// through dispatch after kNeedsArmCrypto was checked.
//
// SHA256H/SHA256H2 run four rounds on {a,b,c,d} and {e,f,g,h} in natural lane order; H2 needs the
// {a,b,c,d} from before the rounds, so it is kept aside. SHA256SU0 adds σ0(W[t-15]) to W[t-16] and
// SHA256SU1 completes W[t] with W[t-7] and σ1(W[t-2]), four words at a time.
#include <arm_neon.h>

#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {
namespace {
namespace sha256_armv8 {

struct State {
  uint32x4_t abcd;
  uint32x4_t efgh;
};

__attribute__((always_inline)) inline void rounds4(State& s, uint32x4_t w, const uint32_t* k) {
  const uint32x4_t wk = vaddq_u32(w, vld1q_u32(k));
  const uint32x4_t abcd = s.abcd;
  s.abcd = vsha256hq_u32(s.abcd, s.efgh, wk);
  s.efgh = vsha256h2q_u32(s.efgh, abcd, wk);
}

// W[t..t+3] from the groups holding W[t-16..], W[t-12..], W[t-8..], W[t-4..].
__attribute__((always_inline)) inline uint32x4_t schedule(uint32x4_t w16, uint32x4_t w12,
                                                          uint32x4_t w8, uint32x4_t w4) {
  return vsha256su1q_u32(vsha256su0q_u32(w16, w12), w8, w4);
}

__attribute__((always_inline)) inline uint32x4_t load_be(const uint8_t* p) {
  return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

void blocks(uint32_t state[8], const uint8_t* in, size_t nblocks) {
  const uint32_t* k = kSha256RoundConstants;
  State s;
  s.abcd = vld1q_u32(state);
  s.efgh = vld1q_u32(state + 4);
  for (; nblocks != 0; --nblocks, in += 64) {
    const State saved = s;
    uint32x4_t w0 = load_be(in);
    rounds4(s, w0, k + 0);
    uint32x4_t w1 = load_be(in + 16);
    rounds4(s, w1, k + 4);
    uint32x4_t w2 = load_be(in + 32);
    rounds4(s, w2, k + 8);
    uint32x4_t w3 = load_be(in + 48);
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
    s.abcd = vaddq_u32(s.abcd, saved.abcd);
    s.efgh = vaddq_u32(s.efgh, saved.efgh);
  }
  vst1q_u32(state, s.abcd);
  vst1q_u32(state + 4, s.efgh);
}

}  // namespace sha256_armv8
}  // namespace

const Sha256Kernel kSha256Armv8 = {sha256_armv8::blocks};

}  // namespace volley::kernels
