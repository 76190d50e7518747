// Portable SHA-512 compression (FIPS 180-4 §6.4.2), also serving SHA-384. Constant time by
// construction: no branch or index depends on the data.
#include "engine/common/secure_memory.h"
#include "engine/kernels/hash_kernels.h"

namespace volley::kernels {

// FIPS 180-4 §4.2.3: the first 64 bits of the fractional parts of the cube roots of the first 80
// primes.
const uint64_t kSha512RoundConstants[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
};

namespace {

inline uint64_t rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

inline uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// One round with the working variables passed rotated; see sha256_nohw.cc.
__attribute__((always_inline)) inline void round(uint64_t a, uint64_t b, uint64_t c, uint64_t& d,
                                                 uint64_t e, uint64_t f, uint64_t g, uint64_t& h,
                                                 uint64_t kw) {
  const uint64_t t1 = h + (rotr(e, 14) ^ rotr(e, 18) ^ rotr(e, 41)) + ((e & f) ^ (~e & g)) + kw;
  const uint64_t t2 = (rotr(a, 28) ^ rotr(a, 34) ^ rotr(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
  d += t1;
  h = t1 + t2;
}

__attribute__((always_inline)) inline uint64_t schedule(uint64_t w[16], int i) {
  const uint64_t w15 = w[(i + 1) & 15];
  const uint64_t w2 = w[(i + 14) & 15];
  const uint64_t s0 = rotr(w15, 1) ^ rotr(w15, 8) ^ (w15 >> 7);
  const uint64_t s1 = rotr(w2, 19) ^ rotr(w2, 61) ^ (w2 >> 6);
  w[i] += s0 + w[(i + 9) & 15] + s1;
  return w[i];
}

__attribute__((always_inline)) inline void rounds16(uint64_t v[8], uint64_t w[16],
                                                    const uint64_t* k, bool fresh) {
  for (int i = 0; i < 16; i += 8) {
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
void sha512_blocks_nohw(uint64_t state[8], const uint8_t* in, size_t nblocks) {
  uint64_t w[16];
  uint64_t v[8];
  for (; nblocks != 0; --nblocks, in += 128) {
    for (int t = 0; t < 16; ++t) w[t] = load_be64(in + 8 * t);
    for (int i = 0; i < 8; ++i) v[i] = state[i];
    rounds16(v, w, kSha512RoundConstants, true);
    for (int t = 16; t < 80; t += 16) rounds16(v, w, kSha512RoundConstants + t, false);
    for (int i = 0; i < 8; ++i) state[i] += v[i];
  }
  secure_wipe(w, sizeof(w));
  secure_wipe(v, sizeof(v));
}

}  // namespace

const Sha512Kernel kSha512Nohw = {sha512_blocks_nohw};

}  // namespace volley::kernels
