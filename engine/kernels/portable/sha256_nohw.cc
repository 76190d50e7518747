// Portable SHA-256 compression (FIPS 180-4 §6.2.2). Constant time by construction: no branch or
// index depends on the data. Big-endian words are assembled with shifts, so any alignment works.
#include "engine/common/secure_memory.h"
#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64
// primes.
const uint32_t kSha256RoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

namespace {

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// One round (FIPS 180-4 §6.2.2 step 3). Instead of shifting the eight working variables down by
// one each round, the caller passes them rotated, so only d and h are written: d += T1 and
// h = T1 + T2 make them the new e and a.
__attribute__((always_inline)) inline void round(uint32_t a, uint32_t b, uint32_t c, uint32_t& d,
                                                 uint32_t e, uint32_t f, uint32_t g, uint32_t& h,
                                                 uint32_t kw) {
  const uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kw;
  const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
  d += t1;
  h = t1 + t2;
}

// W[t] for t >= 16 in a 16-word ring: W[t-16] is overwritten by W[t].
__attribute__((always_inline)) inline uint32_t schedule(uint32_t w[16], int i) {
  const uint32_t w15 = w[(i + 1) & 15];
  const uint32_t w2 = w[(i + 14) & 15];
  const uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
  const uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
  w[i] += s0 + w[(i + 9) & 15] + s1;
  return w[i];
}

// Sixteen rounds starting at round t; |fresh| selects message words straight from the block.
__attribute__((always_inline)) inline void rounds16(uint32_t v[8], uint32_t w[16],
                                                    const uint32_t* k, bool fresh) {
  for (int i = 0; i < 16; i += 8) {
    // Eight rounds: after them the variables are back in their original roles.
    round(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
          k[i + 0] + (fresh ? w[i + 0] : schedule(w, i + 0)));
    round(v[7], v[0], v[1], v[2], v[3], v[4], v[5], v[6],
          k[i + 1] + (fresh ? w[i + 1] : schedule(w, i + 1)));
    round(v[6], v[7], v[0], v[1], v[2], v[3], v[4], v[5],
          k[i + 2] + (fresh ? w[i + 2] : schedule(w, i + 2)));
    round(v[5], v[6], v[7], v[0], v[1], v[2], v[3], v[4],
          k[i + 3] + (fresh ? w[i + 3] : schedule(w, i + 3)));
    round(v[4], v[5], v[6], v[7], v[0], v[1], v[2], v[3],
          k[i + 4] + (fresh ? w[i + 4] : schedule(w, i + 4)));
    round(v[3], v[4], v[5], v[6], v[7], v[0], v[1], v[2],
          k[i + 5] + (fresh ? w[i + 5] : schedule(w, i + 5)));
    round(v[2], v[3], v[4], v[5], v[6], v[7], v[0], v[1],
          k[i + 6] + (fresh ? w[i + 6] : schedule(w, i + 6)));
    round(v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[0],
          k[i + 7] + (fresh ? w[i + 7] : schedule(w, i + 7)));
  }
}

// The schedule |w| and the working variables |v| hold message data, which may be secret (HMAC's
// padded key, HKDF's keys): they live across the blocks and are wiped at the end.
void sha256_blocks_nohw(uint32_t state[8], const uint8_t* in, size_t nblocks) {
  uint32_t w[16];
  uint32_t v[8];
  for (; nblocks != 0; --nblocks, in += 64) {
    for (int t = 0; t < 16; ++t) w[t] = load_be32(in + 4 * t);
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    rounds16(v, w, kSha256RoundConstants, true);
    for (int t = 16; t < 64; t += 16) rounds16(v, w, kSha256RoundConstants + t, false);
    for (int i = 0; i < 8; ++i) state[i] += v[i];
  }
  secure_wipe(w, sizeof(w));
  secure_wipe(v, sizeof(v));
}

}  // namespace

const Sha256Kernel kSha256Nohw = {sha256_blocks_nohw};

}  // namespace volley::kernels
