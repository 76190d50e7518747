// X25519 (RFC 7748 §5), portable 64-bit: field elements in radix 2^51 (five limbs), products in
// unsigned __int128, Montgomery ladder with a mask-based conditional swap, inversion by Fermat.
#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/x25519_kernels.h"

namespace volley::kernels {
namespace x25519_nohw {
namespace {

using u128 = unsigned __int128;

constexpr uint64_t kMask51 = (uint64_t{1} << 51) - 1;

// Fe is an element of GF(2^255 - 19) as h0 + h1*2^51 + ... + h4*2^204. Limbs are not kept fully
// reduced: every function here accepts limbs below 2^54, and mul/sqr/mul_a24 return limbs below
// 2^52, add returns limbs below 2^53 for such inputs and sub below 2^53 + 2^52, so no product sum
// can overflow 128 bits (5 * 19 * 2^54 * 2^54 < 2^115).
struct Fe {
  uint64_t v[5];
};

uint64_t load64_le(const uint8_t* p) {
  uint64_t r = 0;
  for (int i = 7; i >= 0; --i) r = (r << 8) | p[i];
  return r;
}

void store64_le(uint8_t* p, uint64_t x) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(x >> (8 * i));
}

// frombytes decodes a u-coordinate, dropping bit 255 (RFC 7748 §5: "implementations MUST mask the
// most significant bit"). Values in [p, 2^255) are kept as they are: they reduce in arithmetic.
void frombytes(Fe* h, const uint8_t s[32]) {
  const uint64_t w0 = load64_le(s);
  const uint64_t w1 = load64_le(s + 8);
  const uint64_t w2 = load64_le(s + 16);
  const uint64_t w3 = load64_le(s + 24);
  h->v[0] = w0 & kMask51;
  h->v[1] = ((w0 >> 51) | (w1 << 13)) & kMask51;
  h->v[2] = ((w1 >> 38) | (w2 << 26)) & kMask51;
  h->v[3] = ((w2 >> 25) | (w3 << 39)) & kMask51;
  h->v[4] = (w3 >> 12) & kMask51;
}

// carry brings limbs below 2^51 except h0, which may exceed it by at most 19 * 2^13.
void carry(Fe* h) {
  uint64_t c;
  c = h->v[0] >> 51;
  h->v[0] &= kMask51;
  h->v[1] += c;
  c = h->v[1] >> 51;
  h->v[1] &= kMask51;
  h->v[2] += c;
  c = h->v[2] >> 51;
  h->v[2] &= kMask51;
  h->v[3] += c;
  c = h->v[3] >> 51;
  h->v[3] &= kMask51;
  h->v[4] += c;
  c = h->v[4] >> 51;
  h->v[4] &= kMask51;
  h->v[0] += 19 * c;  // 2^255 = 19 (mod p)
}

// tobytes writes the unique representative in [0, p).
void tobytes(uint8_t s[32], const Fe* f) {
  Fe h = *f;
  carry(&h);
  carry(&h);
  // Now h < 2^255 + 19 * 2^13 < 2p, so h >= p exactly when h + 19 reaches 2^255; q is that bit,
  // computed through the carry chain with no branch.
  uint64_t q = (h.v[0] + 19) >> 51;
  q = (h.v[1] + q) >> 51;
  q = (h.v[2] + q) >> 51;
  q = (h.v[3] + q) >> 51;
  q = (h.v[4] + q) >> 51;
  h.v[0] += 19 * q;
  uint64_t c;
  c = h.v[0] >> 51;
  h.v[0] &= kMask51;
  h.v[1] += c;
  c = h.v[1] >> 51;
  h.v[1] &= kMask51;
  h.v[2] += c;
  c = h.v[2] >> 51;
  h.v[2] &= kMask51;
  h.v[3] += c;
  c = h.v[3] >> 51;
  h.v[3] &= kMask51;
  h.v[4] += c;
  h.v[4] &= kMask51;  // subtracts the 2^255 of h + 19 - p
  store64_le(s, h.v[0] | (h.v[1] << 51));
  store64_le(s + 8, (h.v[1] >> 13) | (h.v[2] << 38));
  store64_le(s + 16, (h.v[2] >> 26) | (h.v[3] << 25));
  store64_le(s + 24, (h.v[3] >> 39) | (h.v[4] << 12));
  secure_wipe(&h, sizeof(h));  // a copy of the shared secret (volley/x25519.h: wiped before return)
}

void add(Fe* h, const Fe* f, const Fe* g) {
  for (int i = 0; i < 5; ++i) h->v[i] = f->v[i] + g->v[i];
}

// sub adds 2p before subtracting so no limb underflows; |g| must have limbs below 2^52 (a
// mul/sqr output), which holds for every call in the ladder.
void sub(Fe* h, const Fe* f, const Fe* g) {
  h->v[0] = (f->v[0] + 0xfffffffffffdaULL) - g->v[0];
  for (int i = 1; i < 5; ++i) h->v[i] = (f->v[i] + 0xffffffffffffeULL) - g->v[i];
}

// reduce128 carries five 128-bit column sums into |h|. The carry out of the top limb is folded
// back times 19 in 128 bits, since it may reach 2^64 / 19.
void reduce128(Fe* h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) {
  r1 += static_cast<uint64_t>(r0 >> 51);
  const uint64_t h0 = static_cast<uint64_t>(r0) & kMask51;
  r2 += static_cast<uint64_t>(r1 >> 51);
  h->v[1] = static_cast<uint64_t>(r1) & kMask51;
  r3 += static_cast<uint64_t>(r2 >> 51);
  h->v[2] = static_cast<uint64_t>(r2) & kMask51;
  r4 += static_cast<uint64_t>(r3 >> 51);
  h->v[3] = static_cast<uint64_t>(r3) & kMask51;
  h->v[4] = static_cast<uint64_t>(r4) & kMask51;
  const u128 t = static_cast<u128>(h0) + static_cast<u128>(static_cast<uint64_t>(r4 >> 51)) * 19;
  h->v[0] = static_cast<uint64_t>(t) & kMask51;
  h->v[1] += static_cast<uint64_t>(t >> 51);
}

void mul(Fe* h, const Fe* f, const Fe* g) {
  const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
  const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
  // Limb products landing at 2^255 and above wrap around times 19.
  const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
  const u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 +
                  (u128)f4 * g1_19;
  const u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 +
                  (u128)f4 * g2_19;
  const u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 +
                  (u128)f4 * g3_19;
  const u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 +
                  (u128)f4 * g4_19;
  const u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
  reduce128(h, r0, r1, r2, r3, r4);
}

void sqr(Fe* h, const Fe* f) {
  const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
  const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
  const uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
  const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
  const u128 r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
  const u128 r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
  const u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
  const u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
  const u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
  reduce128(h, r0, r1, r2, r3, r4);
}

// mul_a24 multiplies by a24 = (486662 - 2) / 4 = 121665 (RFC 7748 §5).
void mul_a24(Fe* h, const Fe* f) {
  reduce128(h, (u128)f->v[0] * 121665, (u128)f->v[1] * 121665, (u128)f->v[2] * 121665,
            (u128)f->v[3] * 121665, (u128)f->v[4] * 121665);
}

void sqr_n(Fe* h, const Fe* f, int n) {
  sqr(h, f);
  for (int i = 1; i < n; ++i) sqr(h, h);
}

// invert computes z^(p-2) = z^(2^255 - 21): a fixed chain of 254 squarings and 11 multiplications,
// the same for every z (z = 0 gives 0, which is what RFC 7748 §5 wants for x2 * z2^(p-2)).
void invert(Fe* out, const Fe* z) {
  Fe z2, z9, z11, t0, t1, t2;
  sqr(&z2, z);              // 2
  sqr_n(&t0, &z2, 2);       // 8
  mul(&z9, &t0, z);         // 9
  mul(&z11, &z9, &z2);      // 11
  sqr(&t0, &z11);           // 22
  mul(&t0, &t0, &z9);       // 31 = 2^5 - 1
  sqr_n(&t1, &t0, 5);
  mul(&t0, &t1, &t0);       // 2^10 - 1
  sqr_n(&t1, &t0, 10);
  mul(&t1, &t1, &t0);       // 2^20 - 1
  sqr_n(&t2, &t1, 20);
  mul(&t1, &t2, &t1);       // 2^40 - 1
  sqr_n(&t1, &t1, 10);
  mul(&t0, &t1, &t0);       // 2^50 - 1
  sqr_n(&t1, &t0, 50);
  mul(&t1, &t1, &t0);       // 2^100 - 1
  sqr_n(&t2, &t1, 100);
  mul(&t1, &t2, &t1);       // 2^200 - 1
  sqr_n(&t1, &t1, 50);
  mul(&t0, &t1, &t0);       // 2^250 - 1
  sqr_n(&t0, &t0, 5);       // 2^255 - 2^5
  mul(out, &t0, &z11);      // 2^255 - 21
  secure_wipe(&z2, sizeof(z2));
  secure_wipe(&z9, sizeof(z9));
  secure_wipe(&z11, sizeof(z11));
  secure_wipe(&t0, sizeof(t0));
  secure_wipe(&t1, sizeof(t1));
  secure_wipe(&t2, sizeof(t2));
}

// cswap exchanges |a| and |b| when |bit| is 1, with the same instructions either way.
void cswap(Fe* a, Fe* b, uint64_t bit) {
  uint64_t mask = 0 - bit;
  // Hide the mask's origin from the optimiser so it cannot turn the swap into a branch.
  __asm__("" : "+r"(mask));
  for (int i = 0; i < 5; ++i) {
    const uint64_t x = mask & (a->v[i] ^ b->v[i]);
    a->v[i] ^= x;
    b->v[i] ^= x;
  }
}

// Ladder is everything scalarmult keeps on the stack, so it can be wiped in one go.
struct Ladder {
  uint8_t e[32];
  Fe x1, x2, z2, x3, z3, a, aa, b, bb, e_, c, d, da, cb, t;
};

void scalarmult(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]) {
  Ladder s;
  std::memcpy(s.e, scalar, 32);
  // decodeScalar25519 (RFC 7748 §5): a multiple of the cofactor 8, with bit 254 set.
  s.e[0] &= 248;
  s.e[31] &= 127;
  s.e[31] |= 64;
  frombytes(&s.x1, point);
  s.x2 = Fe{{1, 0, 0, 0, 0}};
  s.z2 = Fe{{0, 0, 0, 0, 0}};
  s.x3 = s.x1;
  s.z3 = Fe{{1, 0, 0, 0, 0}};
  uint64_t swap = 0;
  // RFC 7748 §5 ladder; the loop bound and bit position are public, only the bit value is secret.
  for (int pos = 254; pos >= 0; --pos) {
    const uint64_t k = (s.e[pos >> 3] >> (pos & 7)) & 1;
    swap ^= k;
    cswap(&s.x2, &s.x3, swap);
    cswap(&s.z2, &s.z3, swap);
    swap = k;
    add(&s.a, &s.x2, &s.z2);
    sqr(&s.aa, &s.a);
    sub(&s.b, &s.x2, &s.z2);
    sqr(&s.bb, &s.b);
    sub(&s.e_, &s.aa, &s.bb);
    add(&s.c, &s.x3, &s.z3);
    sub(&s.d, &s.x3, &s.z3);
    mul(&s.da, &s.d, &s.a);
    mul(&s.cb, &s.c, &s.b);
    add(&s.t, &s.da, &s.cb);
    sqr(&s.x3, &s.t);
    sub(&s.t, &s.da, &s.cb);
    sqr(&s.t, &s.t);
    mul(&s.z3, &s.x1, &s.t);
    mul(&s.x2, &s.aa, &s.bb);
    mul_a24(&s.t, &s.e_);
    add(&s.t, &s.aa, &s.t);
    mul(&s.z2, &s.e_, &s.t);
  }
  cswap(&s.x2, &s.x3, swap);
  cswap(&s.z2, &s.z3, swap);
  invert(&s.z2, &s.z2);
  mul(&s.x2, &s.x2, &s.z2);
  tobytes(out, &s.x2);
  secure_wipe(&s, sizeof(s));
  secure_wipe(&swap, sizeof(swap));
}

void base(uint8_t out[32], const uint8_t scalar[32]) {
  static constexpr uint8_t kBasePoint[32] = {9};
  scalarmult(out, scalar, kBasePoint);
}

}  // namespace
}  // namespace x25519_nohw

const X25519Kernel kX25519Nohw = {x25519_nohw::scalarmult, x25519_nohw::base};

}  // namespace volley::kernels
