// Poly1305 on NEON: 26-bit limbs, two lanes per accumulator (vmull/vmlal_u32, 32 x 32 -> 64 bits),
// two accumulators (blocks 4g, 4g+1 and 4g+2, 4g+3) so two multiply chains overlap.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/kernels/poly1305_kernels.h"

namespace volley::kernels {
namespace poly1305_neon {
namespace {

#include "engine/kernels/portable/poly1305_scalar.inc"

// NeonPowers: 26-bit limbs of r^4 (both lanes), and of the lane powers applied at the end:
// accumulator A (blocks 4g, 4g+1) needs r^4, r^3; accumulator B (blocks 4g+2, 4g+3) r^2, r^1.
// s = 5 * r (2^130 == 5 mod p).
struct alignas(16) NeonPowers {
  uint32_t r4[5][2], s4[5][2];
  uint32_t ra[5][2], sa[5][2];
  uint32_t rb[5][2], sb[5][2];
};

constexpr size_t kPowersOffset = 64;
static_assert(kPowersOffset + sizeof(NeonPowers) <= sizeof(Poly1305State), "state size");
constexpr uint64_t kHavePowers = 1;
constexpr size_t kMinVectorBlocks = 16;

void set_lane(uint32_t r[5][2], uint32_t s[5][2], int lane, const Poly26& x) {
  for (int i = 0; i < 5; ++i) {
    r[i][lane] = static_cast<uint32_t>(x.l[i]);
    s[i][lane] = static_cast<uint32_t>(x.l[i] * 5);
  }
}

void compute_powers(NeonPowers* pw, const ScalarPoly* p) {
  Poly26 pow[4];
  sp_powers26(p, pow, 4);
  const Poly26 &p1 = pow[0], &p2 = pow[1], &p3 = pow[2], &p4 = pow[3];
  set_lane(pw->r4, pw->s4, 0, p4);
  set_lane(pw->r4, pw->s4, 1, p4);
  set_lane(pw->ra, pw->sa, 0, p4);
  set_lane(pw->ra, pw->sa, 1, p3);
  set_lane(pw->rb, pw->sb, 0, p2);
  set_lane(pw->rb, pw->sb, 1, p1);
}

struct Mul5 {
  uint32x2_t r[5], s[5];
};

Mul5 load_mul(const uint32_t r[5][2], const uint32_t s[5][2]) {
  Mul5 m;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) {
    m.r[i] = vld1_u32(r[i]);
    m.s[i] = vld1_u32(s[i]);
  }
  return m;
}

struct V5 {
  uint64x2_t v[5];
};

// mul5: h * m, partially carried. Input limbs < 2^28 (only their low 32 bits are read).
[[gnu::always_inline]] inline V5 mul5(const V5& h, const Mul5& m) {
  uint32x2_t x[5];
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) x[i] = vmovn_u64(h.v[i]);
  const uint32x2_t* r = m.r;
  const uint32x2_t* s = m.s;
  // Products at 2^(26*(i+j)) with i + j >= 5 fold back times 5 (the s limbs).
  uint64x2_t d0 = vmull_u32(x[0], r[0]);
  uint64x2_t d1 = vmull_u32(x[0], r[1]);
  uint64x2_t d2 = vmull_u32(x[0], r[2]);
  uint64x2_t d3 = vmull_u32(x[0], r[3]);
  uint64x2_t d4 = vmull_u32(x[0], r[4]);
  d0 = vmlal_u32(d0, x[1], s[4]);
  d1 = vmlal_u32(d1, x[1], r[0]);
  d2 = vmlal_u32(d2, x[1], r[1]);
  d3 = vmlal_u32(d3, x[1], r[2]);
  d4 = vmlal_u32(d4, x[1], r[3]);
  d0 = vmlal_u32(d0, x[2], s[3]);
  d1 = vmlal_u32(d1, x[2], s[4]);
  d2 = vmlal_u32(d2, x[2], r[0]);
  d3 = vmlal_u32(d3, x[2], r[1]);
  d4 = vmlal_u32(d4, x[2], r[2]);
  d0 = vmlal_u32(d0, x[3], s[2]);
  d1 = vmlal_u32(d1, x[3], s[3]);
  d2 = vmlal_u32(d2, x[3], s[4]);
  d3 = vmlal_u32(d3, x[3], r[0]);
  d4 = vmlal_u32(d4, x[3], r[1]);
  d0 = vmlal_u32(d0, x[4], s[1]);
  d1 = vmlal_u32(d1, x[4], s[2]);
  d2 = vmlal_u32(d2, x[4], s[3]);
  d3 = vmlal_u32(d3, x[4], s[4]);
  d4 = vmlal_u32(d4, x[4], r[0]);
  // Two interleaved carry chains (0->1->2->3 and 3->4->0->1) keep the latency short.
  const uint64x2_t m26 = vdupq_n_u64((1 << 26) - 1);
  uint64x2_t c0 = vshrq_n_u64(d0, 26);
  uint64x2_t c3 = vshrq_n_u64(d3, 26);
  d0 = vandq_u64(d0, m26);
  d3 = vandq_u64(d3, m26);
  d1 = vaddq_u64(d1, c0);
  d4 = vaddq_u64(d4, c3);
  const uint64x2_t c1 = vshrq_n_u64(d1, 26);
  const uint64x2_t c4 = vshrq_n_u64(d4, 26);
  d1 = vandq_u64(d1, m26);
  d4 = vandq_u64(d4, m26);
  d2 = vaddq_u64(d2, c1);
  d0 = vaddq_u64(d0, vaddq_u64(c4, vshlq_n_u64(c4, 2)));
  const uint64x2_t c2 = vshrq_n_u64(d2, 26);
  c0 = vshrq_n_u64(d0, 26);
  d2 = vandq_u64(d2, m26);
  d0 = vandq_u64(d0, m26);
  d3 = vaddq_u64(d3, c2);
  d1 = vaddq_u64(d1, c0);
  c3 = vshrq_n_u64(d3, 26);
  d3 = vandq_u64(d3, m26);
  d4 = vaddq_u64(d4, c3);
  V5 o;
  o.v[0] = d0;
  o.v[1] = d1;
  o.v[2] = d2;
  o.v[3] = d3;
  o.v[4] = d4;
  return o;
}

// msg loads two blocks as 26-bit limbs with the 2^128 pad bit, block 0 in lane 0.
[[gnu::always_inline]] inline V5 msg(const uint8_t* in) {
  uint64_t w[4];
  std::memcpy(w, in, 32);
  const uint64x2_t x = vld1q_u64(w);
  const uint64x2_t y = vld1q_u64(w + 2);
  const uint64x2_t lo = vzip1q_u64(x, y);
  const uint64x2_t hi = vzip2q_u64(x, y);
  const uint64x2_t m26 = vdupq_n_u64((1 << 26) - 1);
  V5 m;
  m.v[0] = vandq_u64(lo, m26);
  m.v[1] = vandq_u64(vshrq_n_u64(lo, 26), m26);
  m.v[2] = vandq_u64(vorrq_u64(vshrq_n_u64(lo, 52), vshlq_n_u64(hi, 12)), m26);
  m.v[3] = vandq_u64(vshrq_n_u64(hi, 14), m26);
  m.v[4] = vorrq_u64(vshrq_n_u64(hi, 40), vdupq_n_u64(1 << 24));
  return m;
}

[[gnu::always_inline]] inline V5 add5(const V5& a, const V5& b) {
  V5 o;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) o.v[i] = vaddq_u64(a.v[i], b.v[i]);
  return o;
}

// vector_blocks absorbs |ngroups| >= 1 groups of four blocks.
void vector_blocks(ScalarPoly* p, const NeonPowers* pw, const uint8_t* in, size_t ngroups) {
  const Poly26 h = sp_to26(p->h0, p->h1, p->h2);
  V5 a, b;
#pragma GCC unroll 5
  for (int i = 0; i < 5; ++i) a.v[i] = vsetq_lane_u64(h.l[i], vdupq_n_u64(0), 0);
  a = add5(a, msg(in));
  b = msg(in + 32);
  const Mul5 r4 = load_mul(pw->r4, pw->s4);
  for (size_t g = 1; g < ngroups; ++g) {
    a = add5(mul5(a, r4), msg(in + 64 * g));
    b = add5(mul5(b, r4), msg(in + 64 * g + 32));
  }
  a = mul5(a, load_mul(pw->ra, pw->sa));
  b = mul5(b, load_mul(pw->rb, pw->sb));
  uint64_t l[5];
  for (int i = 0; i < 5; ++i) l[i] = vaddvq_u64(vaddq_u64(a.v[i], b.v[i]));
  sp_h_from26(p, l[0], l[1], l[2], l[3], l[4]);
}

void init(Poly1305State* st, const uint8_t key[32]) {
  ScalarPoly p;
  sp_init(&p, key);
  std::memcpy(st->bytes, &p, sizeof(p));
}

void blocks(Poly1305State* st, const uint8_t* in, size_t len) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  size_t nblocks = len / 16;
  const size_t tail = len % 16;
  if (nblocks >= kMinVectorBlocks) {
    // The powers live in the state as bytes; a local copy keeps the typed accesses well defined.
    NeonPowers pw;
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

void finish(Poly1305State* st, uint8_t tag[16]) {
  ScalarPoly p;
  std::memcpy(&p, st->bytes, sizeof(p));
  sp_finish(&p, tag);
}

}  // namespace
}  // namespace poly1305_neon

const Poly1305Kernel kPoly1305Neon = {poly1305_neon::init, poly1305_neon::blocks,
                                      poly1305_neon::finish};

}  // namespace volley::kernels
