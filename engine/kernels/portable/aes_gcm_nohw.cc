// Portable constant-time AES-GCM (NIST SP 800-38D): the fallback on every CPU and the reference
// the hardware kernels are tested against.
//
// AES is bitsliced over 64-bit words: eight words ("planes") hold bit i of each of 64 bytes, i.e.
// four blocks at once, so SubBytes is a boolean circuit (Boyar-Peralta, 113 gates) evaluated on
// all 64 bytes in parallel and nothing is ever indexed by a secret. Bit position 16*b + j of a
// plane holds byte j of block b; AES's column-major order makes byte j = 4*column + row, so
// ShiftRows rotates 16-bit lanes and MixColumns rotates 4-bit nibbles.
//
// GHASH multiplies with integer multipliers only: a carry-less product is recovered from ordinary
// products of operands whose set bits are spread five apart ("holes"), so carries never reach the
// next bit that matters.
#include <cstring>
#include <new>

#include "engine/aead/aead_kernel.h"
#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"
#include "engine/kernels/aead_kernels.h"

namespace volley::kernels {
namespace aes_gcm_nohw {
namespace {

using aead_internal::Job;
using aead_internal::KeyState;
using aead_internal::MsgState;

using u128 = unsigned __int128;

struct Key {
  uint64_t rk[15][8];   // round keys, bitsliced and repeated for the four blocks of a batch
  uint64_t h_hi, h_lo;  // H = E(K, 0^128), GHASH's bit-reflected order (see gf_mul)
  uint32_t rounds;
};

struct Msg {
  uint64_t x_hi, x_lo;  // GHASH accumulator
  uint8_t j0[16];       // nonce || counter; bytes 12..15 rewritten per block
  uint8_t ek0[16];      // E(K, J0), masks the tag
  uint32_t ctr;         // next counter value (starts at 2: J0 + 1)
  uint64_t aad_len, msg_len;
};

static_assert(sizeof(Key) <= sizeof(KeyState), "nohw key does not fit KeyState");
static_assert(sizeof(Msg) <= sizeof(MsgState), "nohw message state does not fit MsgState");

const Key* key_of(const KeyState* ks) {
  return std::launder(reinterpret_cast<const Key*>(ks->bytes));
}
Msg* msg_of(MsgState* ms) { return std::launder(reinterpret_cast<Msg*>(ms->bytes)); }

// wipe zeroes secrets on the stack; the empty asm keeps the compiler from dropping the stores.
void wipe(void* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
void store_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t load_be64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}
void store_be64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}

// ---------------------------------------------------------------------------------------------
// Bitsliced AES.

// transpose8 treats |x| as an 8x8 bit matrix (byte k = row k, bit i = column i) and transposes
// it with three delta swaps: afterwards byte i holds bit i of each input byte.
uint64_t transpose8(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x ^= t ^ (t << 28);
  return x;
}

// to_planes bitslices 64 bytes: bit j of q[i] is bit i of in[j].
void to_planes(uint64_t q[8], const uint8_t in[64]) {
  uint64_t w[8];
  for (int g = 0; g < 8; ++g) w[g] = transpose8(load_le64(in + 8 * g));
  for (int i = 0; i < 8; ++i) {
    uint64_t v = 0;
    for (int g = 0; g < 8; ++g) v |= ((w[g] >> (8 * i)) & 0xff) << (8 * g);
    q[i] = v;
  }
}

void from_planes(uint8_t out[64], const uint64_t q[8]) {
  for (int g = 0; g < 8; ++g) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= ((q[i] >> (8 * g)) & 0xff) << (8 * i);
    store_le64(out + 8 * g, transpose8(v));
  }
}

// sub_bytes is the AES S-box as the Boyar-Peralta circuit (J. Boyar, R. Peralta, "A new
// combinational logic minimization technique with applications to cryptology", 2010): a linear
// layer into GF(2^4) tower coordinates, a shared non-linear inversion, a linear layer out. U0 and
// S0 are the most significant bits; the final affine constant 0x63 appears as the XNORs.
void sub_bytes(uint64_t q[8]) {
  const uint64_t u0 = q[7], u1 = q[6], u2 = q[5], u3 = q[4];
  const uint64_t u4 = q[3], u5 = q[2], u6 = q[1], u7 = q[0];

  const uint64_t t1 = u0 ^ u3, t2 = u0 ^ u5, t3 = u0 ^ u6, t4 = u3 ^ u5, t5 = u4 ^ u6;
  const uint64_t t6 = t1 ^ t5, t7 = u1 ^ u2, t8 = u7 ^ t6, t9 = u7 ^ t7, t10 = t6 ^ t7;
  const uint64_t t11 = u1 ^ u5, t12 = u2 ^ u5, t13 = t3 ^ t4, t14 = t6 ^ t11, t15 = t5 ^ t11;
  const uint64_t t16 = t5 ^ t12, t17 = t9 ^ t16, t18 = u3 ^ u7, t19 = t7 ^ t18, t20 = t1 ^ t19;
  const uint64_t t21 = u6 ^ u7, t22 = t7 ^ t21, t23 = t2 ^ t22, t24 = t2 ^ t10, t25 = t20 ^ t17;
  const uint64_t t26 = t3 ^ t16, t27 = t1 ^ t12;

  const uint64_t m1 = t13 & t6, m2 = t23 & t8, m3 = t14 ^ m1, m4 = t19 & u7, m5 = m4 ^ m1;
  const uint64_t m6 = t3 & t16, m7 = t22 & t9, m8 = t26 ^ m6, m9 = t20 & t17, m10 = m9 ^ m6;
  const uint64_t m11 = t1 & t15, m12 = t4 & t27, m13 = m12 ^ m11, m14 = t2 & t10;
  const uint64_t m15 = m14 ^ m11, m16 = m3 ^ m2, m17 = m5 ^ t24, m18 = m8 ^ m7, m19 = m10 ^ m15;
  const uint64_t m20 = m16 ^ m13, m21 = m17 ^ m15, m22 = m18 ^ m13, m23 = m19 ^ t25;
  const uint64_t m24 = m22 ^ m23, m25 = m22 & m20, m26 = m21 ^ m25, m27 = m20 ^ m21;
  const uint64_t m28 = m23 ^ m25, m29 = m28 & m27, m30 = m26 & m24, m31 = m20 & m23;
  const uint64_t m32 = m27 & m31, m33 = m27 ^ m25, m34 = m21 & m22, m35 = m24 & m34;
  const uint64_t m36 = m24 ^ m25, m37 = m21 ^ m29, m38 = m32 ^ m33, m39 = m23 ^ m30;
  const uint64_t m40 = m35 ^ m36, m41 = m38 ^ m40, m42 = m37 ^ m39, m43 = m37 ^ m38;
  const uint64_t m44 = m39 ^ m40, m45 = m42 ^ m41;
  const uint64_t m46 = m44 & t6, m47 = m40 & t8, m48 = m39 & u7, m49 = m43 & t16;
  const uint64_t m50 = m38 & t9, m51 = m37 & t17, m52 = m42 & t15, m53 = m45 & t27;
  const uint64_t m54 = m41 & t10, m55 = m44 & t13, m56 = m40 & t23, m57 = m39 & t19;
  const uint64_t m58 = m43 & t3, m59 = m38 & t22, m60 = m37 & t20, m61 = m42 & t1;
  const uint64_t m62 = m45 & t4, m63 = m41 & t2;

  const uint64_t l0 = m61 ^ m62, l1 = m50 ^ m56, l2 = m46 ^ m48, l3 = m47 ^ m55;
  const uint64_t l4 = m54 ^ m58, l5 = m49 ^ m61, l6 = m62 ^ l5, l7 = m46 ^ l3, l8 = m51 ^ m59;
  const uint64_t l9 = m52 ^ m53, l10 = m53 ^ l4, l11 = m60 ^ l2, l12 = m48 ^ m51;
  const uint64_t l13 = m50 ^ l0, l14 = m52 ^ m61, l15 = m55 ^ l1, l16 = m56 ^ l0;
  const uint64_t l17 = m57 ^ l1, l18 = m58 ^ l8, l19 = m63 ^ l4, l20 = l0 ^ l1, l21 = l1 ^ l7;
  const uint64_t l22 = l3 ^ l12, l23 = l18 ^ l2, l24 = l15 ^ l9, l25 = l6 ^ l10, l26 = l7 ^ l9;
  const uint64_t l27 = l8 ^ l10, l28 = l11 ^ l14, l29 = l11 ^ l17;

  q[7] = l6 ^ l24;
  q[6] = ~(l16 ^ l26);
  q[5] = ~(l19 ^ l28);
  q[4] = l6 ^ l21;
  q[3] = l20 ^ l22;
  q[2] = l25 ^ l29;
  q[1] = ~(l13 ^ l27);
  q[0] = ~(l6 ^ l23);
}

// Row r of every column sits at bits r, r+4, r+8, r+12 of each 16-bit lane.
constexpr uint64_t kRow0 = 0x1111111111111111ull;

// shift_rows: row r moves r columns left, i.e. its bits rotate right by 4r within each 16-bit
// lane (the masks keep each lane's bits from crossing into its neighbour).
inline uint64_t shift_rows1(uint64_t x) {
  const uint64_t r1 = x & (kRow0 << 1), r2 = x & (kRow0 << 2), r3 = x & (kRow0 << 3);
  return (x & kRow0) | ((r1 >> 4) & 0x0FFF0FFF0FFF0FFFull) | ((r1 << 12) & 0xF000F000F000F000ull) |
         ((r2 >> 8) & 0x00FF00FF00FF00FFull) | ((r2 << 8) & 0xFF00FF00FF00FF00ull) |
         ((r3 >> 12) & 0x000F000F000F000Full) | ((r3 << 4) & 0xFFF0FFF0FFF0FFF0ull);
}

inline void shift_rows(uint64_t q[8]) {
  for (int i = 0; i < 8; ++i) q[i] = shift_rows1(q[i]);
}

// next_row / row_plus2 bring row r+1 (r+2) of each column into row r's bit.
uint64_t next_row(uint64_t x) {
  return ((x >> 1) & 0x7777777777777777ull) | ((x << 3) & 0x8888888888888888ull);
}
uint64_t row_plus2(uint64_t x) {
  return ((x >> 2) & 0x3333333333333333ull) | ((x << 2) & 0xCCCCCCCCCCCCCCCCull);
}

// mix_columns: out_r = 2*a_r + 3*a_{r+1} + a_{r+2} + a_{r+3}
//                    = 2*(a_r + a_{r+1}) + a_{r+1} + (a_{r+2} + a_{r+3}),
// where doubling in GF(2^8) mod x^8+x^4+x^3+x+1 moves planes up and folds plane 7 back.
void mix_columns(uint64_t q[8]) {
  uint64_t b[8], c[8];
  for (int i = 0; i < 8; ++i) {
    b[i] = next_row(q[i]);
    c[i] = q[i] ^ b[i];
  }
  const uint64_t d[8] = {c[7], c[0] ^ c[7], c[1], c[2] ^ c[7], c[3] ^ c[7], c[4], c[5], c[6]};
  for (int i = 0; i < 8; ++i) q[i] = d[i] ^ b[i] ^ row_plus2(c[i]);
}

void add_round_key(uint64_t q[8], const uint64_t rk[8]) {
  for (int i = 0; i < 8; ++i) q[i] ^= rk[i];
}

// encrypt4 encrypts four blocks (64 bytes) under |key|; in and out may be the same.
void encrypt4(const Key& key, const uint8_t in[64], uint8_t out[64]) {
  uint64_t q[8];
  to_planes(q, in);
  add_round_key(q, key.rk[0]);
  for (uint32_t r = 1; r < key.rounds; ++r) {
    sub_bytes(q);
    shift_rows(q);
    mix_columns(q);
    add_round_key(q, key.rk[r]);
  }
  sub_bytes(q);
  shift_rows(q);
  add_round_key(q, key.rk[key.rounds]);
  from_planes(out, q);
  wipe(q, sizeof(q));
}

// sub_word applies the S-box to the four bytes of |w| (key schedule), through the same circuit.
uint32_t sub_word(uint32_t w) {
  uint64_t q[8];
  for (int i = 0; i < 8; ++i) {
    uint64_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<uint64_t>((w >> (8 * k + i)) & 1) << k;
    q[i] = v;
  }
  sub_bytes(q);
  uint32_t r = 0;
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 4; ++k) r |= static_cast<uint32_t>((q[i] >> k) & 1) << (8 * k + i);
  }
  wipe(q, sizeof(q));
  return r;
}

// expand_key is FIPS 197 §5.2 on little-endian words (byte 0 of a word in its low bits).
void expand_key(Key* key, const uint8_t* k, size_t key_len) {
  const int nk = static_cast<int>(key_len / 4);
  const int rounds = nk + 6;
  uint32_t w[60] = {};  // zeroed: GCC cannot see that nk words are always written first
  for (int i = 0; i < nk; ++i) {
    w[i] = static_cast<uint32_t>(k[4 * i]) | static_cast<uint32_t>(k[4 * i + 1]) << 8 |
           static_cast<uint32_t>(k[4 * i + 2]) << 16 | static_cast<uint32_t>(k[4 * i + 3]) << 24;
  }
  uint32_t rcon = 1;
  for (int i = nk; i < 4 * (rounds + 1); ++i) {
    uint32_t t = w[i - 1];
    if (i % nk == 0) {
      t = sub_word((t >> 8) | (t << 24)) ^ rcon;
      rcon = (rcon << 1) ^ (0x11b & (0u - (rcon >> 7)));
    } else if (nk > 6 && i % nk == 4) {
      t = sub_word(t);
    }
    w[i] = w[i - nk] ^ t;
  }
  uint8_t rep[64];
  for (int r = 0; r <= rounds; ++r) {
    for (int b = 0; b < 4; ++b) {
      for (int c = 0; c < 4; ++c) {
        for (int j = 0; j < 4; ++j)
          rep[16 * b + 4 * c + j] = static_cast<uint8_t>(w[4 * r + c] >> (8 * j));
      }
    }
    to_planes(key->rk[r], rep);
  }
  key->rounds = static_cast<uint32_t>(rounds);
  wipe(w, sizeof(w));
  wipe(rep, sizeof(rep));
}

// ---------------------------------------------------------------------------------------------
// GHASH.

// clmul64 returns the carry-less product of a and b. Each operand is split into five parts whose
// bits are five positions apart; an integer product of two parts has at most 13 terms per
// column, so its carries (at most 4 bits wide) stay inside the four-bit hole above the column,
// and the parity of every column survives in its own bit. Products landing on the same residue
// mod 5 are XORed and masked to that residue.
constexpr uint64_t residue_mask(int r) {
  uint64_t m = 0;
  for (int p = r; p < 64; p += 5) m |= uint64_t{1} << p;
  return m;
}
constexpr uint64_t kRes[5] = {residue_mask(0), residue_mask(1), residue_mask(2), residue_mask(3),
                              residue_mask(4)};

inline u128 clmul64(uint64_t a, uint64_t b) {
  const uint64_t a0 = a & kRes[0], a1 = a & kRes[1], a2 = a & kRes[2], a3 = a & kRes[3],
                 a4 = a & kRes[4];
  const uint64_t b0 = b & kRes[0], b1 = b & kRes[1], b2 = b & kRes[2], b3 = b & kRes[3],
                 b4 = b & kRes[4];
  auto mul = [](uint64_t x, uint64_t y) { return static_cast<u128>(x) * y; };
  // Column sums by residue r = i + j mod 5.
  const u128 z0 = mul(a0, b0) ^ mul(a1, b4) ^ mul(a2, b3) ^ mul(a3, b2) ^ mul(a4, b1);
  const u128 z1 = mul(a0, b1) ^ mul(a1, b0) ^ mul(a2, b4) ^ mul(a3, b3) ^ mul(a4, b2);
  const u128 z2 = mul(a0, b2) ^ mul(a1, b1) ^ mul(a2, b0) ^ mul(a3, b4) ^ mul(a4, b3);
  const u128 z3 = mul(a0, b3) ^ mul(a1, b2) ^ mul(a2, b1) ^ mul(a3, b0) ^ mul(a4, b4);
  const u128 z4 = mul(a0, b4) ^ mul(a1, b3) ^ mul(a2, b2) ^ mul(a3, b1) ^ mul(a4, b0);
  // Bit 64 + p has residue (4 + p) mod 5, so each high half uses the next residue's mask.
  auto mask = [](int r) { return static_cast<u128>(kRes[(r + 1) % 5]) << 64 | kRes[r]; };
  return (z0 & mask(0)) | (z1 & mask(1)) | (z2 & mask(2)) | (z3 & mask(3)) | (z4 & mask(4));
}

// gf_mul sets x = x * h in GF(2^128) as GCM defines it. Elements are 128-bit integers (hi, lo)
// read big-endian from the block, so x^k is bit 127 - k ("reflected"). The integer product of two
// reflected values is the reflected product shifted right by one; after shifting back, the top
// 128 bits are degrees 0..127 and the bottom 128 bits, L, are degrees 128..255, folded with
// x^128 = 1 + x + x^2 + x^7 (multiplying by x^j is a right shift by j). The few bits that fall
// below bit 0 in that fold (degrees 128..134) are folded once more.
void gf_mul(uint64_t* x_hi, uint64_t* x_lo, uint64_t h_hi, uint64_t h_lo) {
  const uint64_t a1 = *x_hi, a0 = *x_lo;
  const u128 lo = clmul64(a0, h_lo);
  const u128 hi = clmul64(a1, h_hi);
  const u128 mid = clmul64(a0 ^ a1, h_lo ^ h_hi) ^ lo ^ hi;  // Karatsuba
  uint64_t z3 = static_cast<uint64_t>(hi >> 64);
  uint64_t z2 = static_cast<uint64_t>(hi) ^ static_cast<uint64_t>(mid >> 64);
  uint64_t z1 = static_cast<uint64_t>(lo >> 64) ^ static_cast<uint64_t>(mid);
  uint64_t z0 = static_cast<uint64_t>(lo);
  z3 = (z3 << 1) | (z2 >> 63);
  z2 = (z2 << 1) | (z1 >> 63);
  z1 = (z1 << 1) | (z0 >> 63);
  z0 <<= 1;
  const uint64_t o = (z0 << 63) ^ (z0 << 62) ^ (z0 << 57);
  *x_hi = z3 ^ z1 ^ (z1 >> 1) ^ (z1 >> 2) ^ (z1 >> 7) ^ o ^ (o >> 1) ^ (o >> 2) ^ (o >> 7);
  *x_lo = z2 ^ z0 ^ ((z0 >> 1) | (z1 << 63)) ^ ((z0 >> 2) | (z1 << 62)) ^ ((z0 >> 7) | (z1 << 57));
}

// ghash absorbs |len| bytes; a final partial block is zero-padded (SP 800-38D §6.4 after §7.1's
// padding of A and C).
void ghash(const Key& key, Msg* m, const uint8_t* p, size_t len) {
  while (len > 0) {
    uint8_t block[16] = {};
    const size_t n = len < 16 ? len : 16;
    std::memcpy(block, p, n);
    m->x_hi ^= load_be64(block);
    m->x_lo ^= load_be64(block + 8);
    gf_mul(&m->x_hi, &m->x_lo, key.h_hi, key.h_lo);
    p += n;
    len -= n;
  }
}

// ---------------------------------------------------------------------------------------------
// GCM.

void init(KeyState* ks, const uint8_t* key_bytes, size_t key_len) {
  Key* key = new (ks->bytes) Key;
  expand_key(key, key_bytes, key_len);
  uint8_t zero[64] = {};
  encrypt4(*key, zero, zero);
  key->h_hi = load_be64(zero);
  key->h_lo = load_be64(zero + 8);
  wipe(zero, sizeof(zero));
}

void begin_msg(const Key& key, Msg* m, const uint8_t* nonce, const uint8_t* aad, size_t aad_len) {
  m->x_hi = 0;
  m->x_lo = 0;
  std::memcpy(m->j0, nonce, 12);
  m->j0[12] = 0;
  m->j0[13] = 0;
  m->j0[14] = 0;
  m->j0[15] = 1;
  uint8_t blocks[64] = {};
  std::memcpy(blocks, m->j0, 16);
  encrypt4(key, blocks, blocks);
  std::memcpy(m->ek0, blocks, 16);
  wipe(blocks, sizeof(blocks));
  m->ctr = 2;
  m->aad_len = aad_len;
  m->msg_len = 0;
  ghash(key, m, aad, aad_len);
}

enum class Direction { kEncrypt, kDecrypt };

// ctr_ghash runs CTR mode over |len| bytes and hashes the ciphertext: the input when decrypting
// (before it may be overwritten in place), the output when encrypting. The counter is the low 32
// bits of the block, big-endian, wrapping mod 2^32 (SP 800-38D inc_32).
void ctr_ghash(const Key& key, Msg* m, const uint8_t* in, uint8_t* out, size_t len, Direction dir) {
  m->msg_len += len;
  uint8_t ks[64];
  while (len > 0) {
    for (int b = 0; b < 4; ++b) {
      std::memcpy(ks + 16 * b, m->j0, 12);
      const uint32_t c = m->ctr + static_cast<uint32_t>(b);
      ks[16 * b + 12] = static_cast<uint8_t>(c >> 24);
      ks[16 * b + 13] = static_cast<uint8_t>(c >> 16);
      ks[16 * b + 14] = static_cast<uint8_t>(c >> 8);
      ks[16 * b + 15] = static_cast<uint8_t>(c);
    }
    encrypt4(key, ks, ks);
    const size_t n = len < 64 ? len : 64;
    m->ctr += static_cast<uint32_t>((n + 15) / 16);
    if (dir == Direction::kDecrypt) ghash(key, m, in, n);
    for (size_t i = 0; i < n; ++i) out[i] = in[i] ^ ks[i];
    if (dir == Direction::kEncrypt) ghash(key, m, out, n);
    in += n;
    out += n;
    len -= n;
  }
  wipe(ks, sizeof(ks));
}

void finish_msg(const Key& key, Msg* m, uint8_t* tag) {
  m->x_hi ^= m->aad_len * 8;
  m->x_lo ^= m->msg_len * 8;
  gf_mul(&m->x_hi, &m->x_lo, key.h_hi, key.h_lo);
  uint8_t s[16];
  store_be64(s, m->x_hi);
  store_be64(s + 8, m->x_lo);
  for (int i = 0; i < 16; ++i) tag[i] = s[i] ^ m->ek0[i];
  wipe(s, sizeof(s));
}

void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
           size_t aad_len) {
  begin_msg(*key_of(ks), new (ms->bytes) Msg, nonce, aad, aad_len);
}

void encrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  ctr_ghash(*key_of(ks), msg_of(ms), in, out, len, Direction::kEncrypt);
}

void decrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  ctr_ghash(*key_of(ks), msg_of(ms), in, out, len, Direction::kDecrypt);
}

void finish(const KeyState* ks, MsgState* ms, uint8_t* tag) {
  finish_msg(*key_of(ks), msg_of(ms), tag);
}

void run_batch(const Job* jobs, size_t n, Direction dir) {
  for (size_t i = 0; i < n; ++i) {
    const Job& j = jobs[i];
    const Key& key = *key_of(j.key);
    Msg m;
    const aead_internal::TlsNonce nonce(j.iv, j.seq);
    begin_msg(key, &m, nonce.bytes, j.aad, j.aad_len);
    ctr_ghash(key, &m, j.in, j.out, j.len, dir);
    finish_msg(key, &m, j.tag);
    wipe(&m, sizeof(m));
  }
}

void seal_plain(const Job* jobs, size_t n) { run_batch(jobs, n, Direction::kEncrypt); }
void seal_batch(const Job* jobs, size_t n) {
  aead_internal::seal_framed_jobs(jobs, n, seal_plain);
}
void open_batch(const Job* jobs, size_t n) { run_batch(jobs, n, Direction::kDecrypt); }

}  // namespace
}  // namespace aes_gcm_nohw

const AeadKernel kAesGcmNohw = {
    .init = aes_gcm_nohw::init,
    .begin = aes_gcm_nohw::begin,
    .encrypt = aes_gcm_nohw::encrypt,
    .decrypt = aes_gcm_nohw::decrypt,
    .finish = aes_gcm_nohw::finish,
    .stream_block = 16,
    .seal_batch = aes_gcm_nohw::seal_batch,
    .open_batch = aes_gcm_nohw::open_batch,
    .finds_content_type = false,
};

}  // namespace volley::kernels
