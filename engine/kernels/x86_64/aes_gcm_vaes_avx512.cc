// AES-GCM (AES-128 and AES-256, 96-bit nonce) on VAES + VPCLMULQDQ with 512-bit vectors.
//
// GHASH works on byte-reflected blocks (one VPSHUFB per vector) and on powers of H that were
// multiplied by x^-1 at key setup, so a carry-less product needs no 1-bit shift before the
// reduction (Gueron and Kounavis, "Intel Carry-Less Multiplication Instruction and its Usage for
// Computing the GCM Mode", 2014, §5). Every message is hashed as a dot product
// sum(X_i * H^(n-i+1)) over its AAD, ciphertext and length blocks: 32 blocks per reduction in
// the bulk loop (aggregated reduction, Karatsuba middle terms), up to 32 in one reduction for a
// whole short message. VPCLMULQDQ (0.5/cycle on Zen 5) rather than VAESENC (2/cycle) is the
// bottleneck, so the code spends shuffles and XORs to save multiplies.
//
// Paths: one message of up to 256 bytes (and AAD that fits the 32 powers) is one AES pass and
// one reduction (piece_sum); longer ones run the stitched bulk loop, then a short piece for the
// tail. A batch sends record-layer sized messages (<= 128 bytes, AAD <= 16) four at a time
// through two stages (small_stage_aes, small_stage_ghash) that share the AAD and length
// products, the reduction and the E(K, J0) pass among the four, with the counter blocks of a
// message in one vector, one vector and a lane of a shared one, or two vectors (small_mode);
// other short messages go four at a time through quad. A batch that starts with messages of one
// length (at most 80 bytes), one AAD, one frame and one key size (the record layer's steady state,
// under one key or a key per record) takes uniform_run instead: per-run constants, and each quad's
// GHASH steps placed between the AES rounds of the next quad; when they are one connection's
// records (one key, one IV, consecutive sequence numbers) their nonces are computed four to a
// vector. Framed jobs (aead_kernel.h) are read in place of a copy by the uniform runs, quad and
// the long paths; the SmallQuad stages take plain jobs only.
//
// Content type (aead_kernel.h, Job::inner): an open job that asks gets the type of its
// TLSInnerPlaintext found from the plaintext vectors as they are written, by the standalone scan's
// method (content_type_avx512.h): a tracker vector by vector through the bulk loop and the closing
// piece (one_shot, quad), and straight from the one or two final vectors of a small message
// (SmallQuad stages, uniform runs). The VPTESTMB, masked move and CMOVs run on ports the AES and
// carry-less multiplies leave idle. Plain opens take instantiations without it.
//
// Layout of KeyState (private to this file):
//   [0, 240)     round keys, 16 bytes each (11 or 15 of them)
//   [240, 244)   number of rounds (10 or 14), native-endian uint32
//   [256, 768)   H^32, H^31, ..., H^1 (reflected, times x^-1): a vector loaded at the entry of H^k
//                holds H^k, H^(k-1), H^(k-2), H^(k-3), the powers of four consecutive blocks
//   [768, 1280)  for each power, hi64 ^ lo64 in both halves (the Karatsuba middle operand)
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about its own intrinsics headers: the self-initialised __Y of _mm512_undefined_*.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"
#include "engine/kernels/aead_kernels.h"
#include "engine/kernels/x86_64/content_type_avx512.h"

namespace volley::kernels {
namespace aes_gcm_vaes_avx512 {
namespace {

using aead_internal::Job;
using content_type_avx512::Tracker;
using aead_internal::KeyState;
using aead_internal::kNonceBytes;
using aead_internal::MsgState;

#define VOLLEY_INLINE inline __attribute__((always_inline))
// Fixed-count loops over vectors and rounds must become straight-line code so that the vectors
// stay in registers; GCC does not fully unroll them at -O2 by itself.
#define VOLLEY_UNROLL _Pragma("GCC unroll 16")

constexpr size_t kRoundsOff = 240;
constexpr size_t kPowOff = 256;
constexpr size_t kKarOff = 768;
constexpr size_t kMaxPow = 32;

// MsgState layout: the next counter block (byte-reversed so that VPADDD increments it), the GHASH
// accumulator (reflected), E(K, J0), and the AAD and message lengths in bytes.
constexpr size_t kMsCtr = 0;
constexpr size_t kMsAcc = 16;
constexpr size_t kMsEkj0 = 32;
constexpr size_t kMsAadLen = 48;
constexpr size_t kMsLen = 56;

VOLLEY_INLINE __m128i load16(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}
VOLLEY_INLINE void store16(void* p, __m128i v) { _mm_storeu_si128(static_cast<__m128i*>(p), v); }

VOLLEY_INLINE __m128i bswap_mask128() {
  return _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
VOLLEY_INLINE __m512i bswap_mask() { return _mm512_broadcast_i32x4(bswap_mask128()); }

// The folding constant of the reduction: its high half (0xc2 << 56) multiplies a 64-bit chunk by
// x^7 + x^2 + x in reflected order; the x^0 term of x^128 mod P is the chunk itself, added by the
// 64-bit swap. The folds select the high half only.
VOLLEY_INLINE __m128i poly128() {
  return _mm_set_epi64x(static_cast<long long>(0xc200000000000000ULL), 1);
}
VOLLEY_INLINE __m512i poly512() { return _mm512_broadcast_i32x4(poly128()); }

VOLLEY_INLINE const uint8_t* pow_at(const uint8_t* ks, size_t k) {
  return ks + kPowOff + (kMaxPow - k) * 16;
}
VOLLEY_INLINE const uint8_t* kar_at(const uint8_t* ks, size_t k) {
  return ks + kKarOff + (kMaxPow - k) * 16;
}

VOLLEY_INLINE int rounds_of(const KeyState* ks) {
  uint32_t nr;
  std::memcpy(&nr, ks->bytes + kRoundsOff, sizeof(nr));
  return static_cast<int>(nr);
}

// ---------------------------------------------------------------------------------------------
// GHASH arithmetic.

// reduce128 folds the 256-bit product lo + mi*2^64 + hi*2^128 (mi the true middle term) modulo
// the GCM polynomial, in two 64-bit folds by x^128 mod P.
VOLLEY_INLINE __m128i reduce128(__m128i lo, __m128i mi, __m128i hi) {
  const __m128i p = poly128();
  __m128i t = _mm_clmulepi64_si128(lo, p, 0x10);
  mi = _mm_xor_si128(_mm_xor_si128(mi, _mm_shuffle_epi32(lo, 0x4e)), t);
  t = _mm_clmulepi64_si128(mi, p, 0x10);
  return _mm_xor_si128(_mm_xor_si128(hi, _mm_shuffle_epi32(mi, 0x4e)), t);
}

// gmul128 returns a * b * x (reflected operands): with b = H * x^-1 it is a * H.
VOLLEY_INLINE __m128i gmul128(__m128i a, __m128i b) {
  const __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  const __m128i mi =
      _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
  return reduce128(lo, mi, hi);
}

// Unreduced sums of products, four 128-bit lanes each. mi holds the raw Karatsuba products
// (a_hi ^ a_lo)(b_hi ^ b_lo); the lo and hi terms are removed from it once, at the reduction.
struct Sum {
  __m512i lo, mi, hi;
};

VOLLEY_INLINE Sum sum_zero() {
  return {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
}

VOLLEY_INLINE void mul_acc(Sum& s, __m512i y, __m512i h, __m512i k) {
  const __m512i ym = _mm512_xor_si512(y, _mm512_shuffle_epi32(y, _MM_PERM_BADC));
  s.lo = _mm512_xor_si512(s.lo, _mm512_clmulepi64_epi128(y, h, 0x00));
  s.hi = _mm512_xor_si512(s.hi, _mm512_clmulepi64_epi128(y, h, 0x11));
  s.mi = _mm512_xor_si512(s.mi, _mm512_clmulepi64_epi128(ym, k, 0x00));
}

// reduce_lanes reduces each lane of |s| on its own (lane r of the result is lane r's sum mod P).
VOLLEY_INLINE __m512i reduce_lanes(const Sum& s) {
  const __m512i p = poly512();
  __m512i mi = _mm512_ternarylogic_epi64(s.mi, s.lo, s.hi, 0x96);
  __m512i t = _mm512_clmulepi64_epi128(s.lo, p, 0x10);
  mi = _mm512_ternarylogic_epi64(mi, _mm512_shuffle_epi32(s.lo, _MM_PERM_BADC), t, 0x96);
  t = _mm512_clmulepi64_epi128(mi, p, 0x10);
  return _mm512_ternarylogic_epi64(s.hi, _mm512_shuffle_epi32(mi, _MM_PERM_BADC), t, 0x96);
}

// reduce folds all four lanes of |s| into one reduced value. Reduction is linear, so the lanes
// are reduced side by side and added afterwards.
VOLLEY_INLINE __m128i reduce(const Sum& s) {
  const __m512i r = reduce_lanes(s);
  const __m256i r2 = _mm256_xor_si256(_mm512_castsi512_si256(r), _mm512_extracti64x4_epi64(r, 1));
  return _mm_xor_si128(_mm256_castsi256_si128(r2), _mm256_extracti128_si256(r2, 1));
}

// lane_mask8 selects the qwords of the first |lanes| (0..4) 128-bit lanes.
VOLLEY_INLINE __mmask8 lane_mask8(size_t lanes) {
  return static_cast<__mmask8>(_bzhi_u32(0xffu, static_cast<unsigned>(2 * lanes)));
}

VOLLEY_INLINE __mmask64 byte_mask(size_t bytes) {
  return _bzhi_u64(~uint64_t{0}, static_cast<unsigned>(bytes < 64 ? bytes : 64));
}

// mul_pow accumulates y * (H^k, H^(k-1), ...) for the first |lanes| lanes of y; the other lanes
// of y must be zero or |lanes| must cover them.
VOLLEY_INLINE void mul_pow(Sum& s, const uint8_t* ks, __m512i y, size_t k, size_t lanes) {
  const __mmask8 m = lane_mask8(lanes);
  const __m512i h = _mm512_maskz_loadu_epi64(m, pow_at(ks, k));
  const __m512i kk = _mm512_maskz_loadu_epi64(m, kar_at(ks, k));
  mul_acc(s, y, h, kk);
}

// ghash_bytes absorbs |len| bytes (zero-padded to whole blocks) into |acc|.
__m128i ghash_bytes(const uint8_t* ks, __m128i acc, const uint8_t* p, size_t len) {
  const __m512i bs = bswap_mask();
  while (len > 0) {
    const size_t chunk = len < 256 ? len : 256;
    const size_t m = (chunk + 15) / 16;
    Sum s = sum_zero();
    for (size_t q = 0; q * 4 < m; ++q) {
      const size_t off = 64 * q;
      const size_t rem = chunk - off;
      // A last block on its own is loaded 16 bytes wide: a 16-byte value just written by the
      // caller in one store (the record layer's header) forwards to that load, not to a 64-byte
      // one, which would wait for the store to reach the cache.
      const __m512i raw =
          rem <= 16 ? _mm512_zextsi128_si512(_mm_maskz_loadu_epi8(
                          static_cast<__mmask16>(byte_mask(rem)), p + off))
                    : _mm512_maskz_loadu_epi8(byte_mask(rem), p + off);
      __m512i y = _mm512_shuffle_epi8(raw, bs);
      if (q == 0) y = _mm512_xor_si512(y, _mm512_zextsi128_si512(acc));
      const size_t lanes = m - 4 * q < 4 ? m - 4 * q : 4;
      mul_pow(s, ks, y, m - 4 * q, lanes);
    }
    acc = reduce(s);
    p += chunk;
    len -= chunk;
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// AES.

template <int Nr>
VOLLEY_INLINE void load_round_keys(const uint8_t* ks, __m512i* rk) {
  VOLLEY_UNROLL
  for (int r = 0; r <= Nr; ++r) rk[r] = _mm512_broadcast_i32x4(load16(ks + 16 * r));
}

VOLLEY_INLINE __m128i aes_block(const uint8_t* ks, int nr, __m128i x) {
  x = _mm_xor_si128(x, load16(ks));
  VOLLEY_UNROLL
  for (int r = 1; r < nr; ++r) x = _mm_aesenc_si128(x, load16(ks + 16 * r));
  return _mm_aesenclast_si128(x, load16(ks + 16 * nr));
}

template <int Nr, int Q>
VOLLEY_INLINE void aes_vecs(const __m512i* rk, __m512i* x) {
  VOLLEY_UNROLL
  for (int q = 0; q < Q; ++q) x[q] = _mm512_xor_si512(x[q], rk[0]);
  VOLLEY_UNROLL
  for (int r = 1; r < Nr; ++r) {
    VOLLEY_UNROLL
    for (int q = 0; q < Q; ++q) x[q] = _mm512_aesenc_epi128(x[q], rk[r]);
  }
  VOLLEY_UNROLL
  for (int q = 0; q < Q; ++q) x[q] = _mm512_aesenclast_epi128(x[q], rk[Nr]);
}

// Counter blocks are kept byte-reversed: the 32-bit block counter of GCM (inc32, NIST SP 800-38D
// §6.2) is then dword 0 of each lane and VPADDD steps it with the right wraparound.
VOLLEY_INLINE __m512i ctr_inc(int base) {
  return _mm512_set_epi32(0, 0, 0, base + 3, 0, 0, 0, base + 2, 0, 0, 0, base + 1, 0, 0, 0, base);
}

// j0_block is nonce || 0^31 || 1 (SP 800-38D §7.1, 96-bit IV). One masked load: assembling it in
// memory from narrower stores would defeat store-to-load forwarding on the critical path.
VOLLEY_INLINE __m128i j0_block(const uint8_t* nonce) {
  return _mm_or_si128(_mm_maskz_loadu_epi8(0x0fff, nonce), _mm_set_epi32(0x01000000, 0, 0, 0));
}

// job_nonce is a job's nonce, iv XOR seq (aead_kernel.h); bytes 12..15 are zero. The IV comes in
// with one masked load, as a plain nonce did before jobs carried sequence numbers, and the
// sequence number joins it from a general register through one move and one shift that run beside
// the load: assembling the nonce in general registers (tls_nonce_words, then four inserts) put
// about ten cycles on the critical path of a short message (J0 -> E(K, J0) -> tag).
VOLLEY_INLINE __m128i job_nonce(const Job& j) {
  const __m128i seq = _mm_slli_si128(
      _mm_cvtsi64_si128(static_cast<long long>(__builtin_bswap64(j.seq))), 4);
  return _mm_xor_si128(_mm_maskz_loadu_epi8(0x0fff, j.iv), seq);
}
VOLLEY_INLINE __m128i job_j0(const Job& j) {
  return _mm_or_si128(job_nonce(j), _mm_set_epi32(0x01000000, 0, 0, 0));
}

// framing returns |j| itself when it is a framed job (aead_kernel.h), for the paths below that
// take the frame of a message as a pointer, else null.
VOLLEY_INLINE const Job* framing(const Job& j) { return j.type != 0 ? &j : nullptr; }

// report writes the content type found in an open job's plaintext (aead_kernel.h, Job::inner).
VOLLEY_INLINE void report(const Job& j, content_type_avx512::Answer a) {
  j.inner->type = a.type;
  j.inner->content_len = static_cast<uint32_t>(a.content_len);
}

VOLLEY_INLINE __m128i len_block(uint64_t aad_len, uint64_t len) {
  return _mm_set_epi64x(static_cast<long long>(aad_len * 8), static_cast<long long>(len * 8));
}

// ---------------------------------------------------------------------------------------------
// Bulk: CTR stitched with GHASH, 32 blocks (8 vectors) per step. The GHASH dependency chain
// (accumulator -> multiply -> reduce -> accumulator) is about 30 cycles; 32 blocks take 26
// VPCLMULQDQ (52 cycles), so the chain stays hidden, which it does not with 16 blocks (28).

struct CtrAcc {
  __m128i ctr;  // next counter block, byte-reversed
  __m128i acc;  // GHASH accumulator, reflected
};

VOLLEY_INLINE __m512i with_acc(__m512i y, __m128i acc) {
  return _mm512_mask_xor_epi64(y, 0x03, y, _mm512_castsi128_si512(acc));
}

// mul_acc2 adds y_a * H^ka + y_b * H^kb (four-lane powers) to |s|, with three-input XORs: the
// bulk loop is short of vector ALU slots as well as of multipliers.
VOLLEY_INLINE void mul_acc2(Sum& s, const uint8_t* ks, __m512i ya, size_t ka, __m512i yb,
                            size_t kb) {
  const __m512i ha = _mm512_loadu_si512(pow_at(ks, ka));
  const __m512i hb = _mm512_loadu_si512(pow_at(ks, kb));
  const __m512i yma = _mm512_xor_si512(ya, _mm512_shuffle_epi32(ya, _MM_PERM_BADC));
  const __m512i ymb = _mm512_xor_si512(yb, _mm512_shuffle_epi32(yb, _MM_PERM_BADC));
  s.lo = _mm512_ternarylogic_epi64(s.lo, _mm512_clmulepi64_epi128(ya, ha, 0x00),
                                   _mm512_clmulepi64_epi128(yb, hb, 0x00), 0x96);
  s.hi = _mm512_ternarylogic_epi64(s.hi, _mm512_clmulepi64_epi128(ya, ha, 0x11),
                                   _mm512_clmulepi64_epi128(yb, hb, 0x11), 0x96);
  s.mi = _mm512_ternarylogic_epi64(
      s.mi, _mm512_clmulepi64_epi128(yma, _mm512_loadu_si512(kar_at(ks, ka)), 0x00),
      _mm512_clmulepi64_epi128(ymb, _mm512_loadu_si512(kar_at(ks, kb)), 0x00), 0x96);
}

// stitched runs AES over x[0, VA) while it absorbs the reflected blocks y[0, VG) (y[0] lane 0
// already holding the accumulator) with H^(4VG)..H^1, and returns the reduced accumulator.
template <int Nr, int VA, int VG>
VOLLEY_INLINE __m128i stitched(const uint8_t* ks, const __m512i* rk, __m512i* x, const __m512i* y) {
  Sum s = sum_zero();
  VOLLEY_UNROLL
  for (int q = 0; q < VA; ++q) x[q] = _mm512_xor_si512(x[q], rk[0]);
  VOLLEY_UNROLL
  for (int r = 1; r < Nr; ++r) {
    VOLLEY_UNROLL
    for (int q = 0; q < VA; ++q) x[q] = _mm512_aesenc_epi128(x[q], rk[r]);
    // Products go in pairs, (y[1], y[2]), (y[3], y[4]), ..., y[0] in the last: it waits for the
    // previous accumulator. The VG / 2 <= 4 pairs are spread over the Nr - 1 >= 9 middle rounds.
    constexpr int kStep = (Nr - 1) / (VG / 2);
    const int t = (r - 1) / kStep;
    if ((r - 1) % kStep == 0 && 2 * t < VG) {
      const int qa = (2 * t + 1) % VG, qb = (2 * t + 2) % VG;
      mul_acc2(s, ks, y[qa], static_cast<size_t>(4 * (VG - qa)), y[qb],
               static_cast<size_t>(4 * (VG - qb)));
    }
  }
  const __m128i acc = reduce(s);
  VOLLEY_UNROLL
  for (int q = 0; q < VA; ++q) x[q] = _mm512_aesenclast_epi128(x[q], rk[Nr]);
  return acc;
}

template <int V>
VOLLEY_INLINE __m128i ghash_vecs(const uint8_t* ks, const __m512i* y) {
  Sum s = sum_zero();
  VOLLEY_UNROLL
  for (int t = 0; 2 * t < V; ++t) {
    const int qa = (2 * t + 1) % V;  // y[0] (holding the accumulator) in the last pair
    const int qb = (2 * t + 2) % V;
    mul_acc2(s, ks, y[qa], static_cast<size_t>(4 * (V - qa)), y[qb],
             static_cast<size_t>(4 * (V - qb)));
  }
  return reduce(s);
}

template <int V>
VOLLEY_INLINE void counters(__m512i& base, __m512i bs, __m512i* x) {
  VOLLEY_UNROLL
  for (int q = 0; q < V; ++q)
    x[q] = _mm512_shuffle_epi8(_mm512_add_epi32(base, ctr_inc(4 * q)), bs);
  base = _mm512_add_epi32(base, _mm512_broadcast_i32x4(_mm_cvtsi32_si128(4 * V)));
}

// xor_store writes keystream ^ input and keeps the reflected ciphertext for GHASH.
template <int V>
VOLLEY_INLINE void xor_store(const uint8_t* in, uint8_t* out, __m512i bs, const __m512i* x,
                             __m512i* y) {
  VOLLEY_UNROLL
  for (int q = 0; q < V; ++q) {
    const __m512i c = _mm512_xor_si512(x[q], _mm512_loadu_si512(in + 64 * q));
    _mm512_storeu_si512(out + 64 * q, c);
    y[q] = _mm512_shuffle_epi8(c, bs);
  }
}

// load_ct reads the reflected ciphertext blocks for GHASH. The ciphertext itself is not kept:
// xor_out reads it again from L1, which costs a load where eight more live vectors (beside the
// round keys, counters and GHASH operands) cost spills of other state.
template <int V>
VOLLEY_INLINE void load_ct(const uint8_t* in, __m512i bs, __m512i* y) {
  VOLLEY_UNROLL
  for (int q = 0; q < V; ++q) y[q] = _mm512_shuffle_epi8(_mm512_loadu_si512(in + 64 * q), bs);
}

// xor_out writes keystream ^ ciphertext (read from |in|, which may be |out|: each vector is read
// before it is overwritten); with Scan it adds each plaintext vector, at message offset |at| + 64q,
// to the content-type tracker |t| (aead_kernel.h, Job::inner).
template <int V, bool Scan>
VOLLEY_INLINE void xor_out(const uint8_t* in, uint8_t* out, const __m512i* x, Tracker* t,
                           size_t at) {
  VOLLEY_UNROLL
  for (int q = 0; q < V; ++q) {
    const __m512i o = _mm512_xor_si512(x[q], _mm512_loadu_si512(in + 64 * q));
    _mm512_storeu_si512(out + 64 * q, o);
    if constexpr (Scan) content_type_avx512::absorb(*t, o, at + 64 * static_cast<size_t>(q));
  }
}

// bulk processes |nchunks| 256-byte chunks. Inlined into its callers: as a call, passing vector
// state through memory and realigning the stack cost more than the work for mid-sized messages.
// With Scan (opening, from the start of a message) every plaintext vector goes to the tracker |t|:
// a test, a masked move and two CMOVs beside the AES and carry-less multiplies of the vector.
template <int Nr, bool Enc, bool Scan = false>
VOLLEY_INLINE CtrAcc bulk(const uint8_t* ks, CtrAcc st, const uint8_t* in, uint8_t* out,
                          size_t nchunks, Tracker* t = nullptr) {
  static_assert(!(Enc && Scan), "the content type is found when opening");
  if (nchunks == 0) return st;
  __m512i rk[Nr + 1];
  load_round_keys<Nr>(ks, rk);
  const __m512i bs = bswap_mask();
  __m512i base = _mm512_broadcast_i32x4(st.ctr);
  __m128i acc = st.acc;
  const size_t pairs = nchunks / 2;
  const bool odd = (nchunks & 1) != 0;
  __m512i x[8], y[8];
  if (Enc) {
    // Encryption hashes each ciphertext group while the next group's keystream is computed.
    if (pairs > 0) {
      counters<8>(base, bs, x);
      aes_vecs<Nr, 8>(rk, x);
      xor_store<8>(in, out, bs, x, y);
      in += 512;
      out += 512;
      for (size_t i = 1; i < pairs; ++i) {
        counters<8>(base, bs, x);
        y[0] = with_acc(y[0], acc);
        acc = stitched<Nr, 8, 8>(ks, rk, x, y);
        xor_store<8>(in, out, bs, x, y);
        in += 512;
        out += 512;
      }
      y[0] = with_acc(y[0], acc);
      if (odd) {
        counters<4>(base, bs, x);
        acc = stitched<Nr, 4, 8>(ks, rk, x, y);
        xor_store<4>(in, out, bs, x, y);
        y[0] = with_acc(y[0], acc);
        acc = ghash_vecs<4>(ks, y);
      } else {
        acc = ghash_vecs<8>(ks, y);
      }
    } else {
      counters<4>(base, bs, x);
      aes_vecs<Nr, 4>(rk, x);
      xor_store<4>(in, out, bs, x, y);
      y[0] = with_acc(y[0], acc);
      acc = ghash_vecs<4>(ks, y);
    }
  } else {
    size_t at = 0;  // message offset of |out|
    for (size_t i = 0; i < pairs; ++i) {
      load_ct<8>(in, bs, y);
      y[0] = with_acc(y[0], acc);
      counters<8>(base, bs, x);
      acc = stitched<Nr, 8, 8>(ks, rk, x, y);
      xor_out<8, Scan>(in, out, x, t, at);
      in += 512;
      out += 512;
      at += 512;
    }
    if (odd) {
      load_ct<4>(in, bs, y);
      y[0] = with_acc(y[0], acc);
      counters<4>(base, bs, x);
      acc = stitched<Nr, 4, 4>(ks, rk, x, y);
      xor_out<4, Scan>(in, out, x, t, at);
    }
  }
  return {_mm_add_epi32(st.ctr, _mm_cvtsi32_si128(static_cast<int>(16 * nchunks))), acc};
}

// ---------------------------------------------------------------------------------------------
// Short pieces: up to 16 blocks of data (Q vectors), optionally preceded by whole AAD and
// followed by the length block, hashed as one dot product into an unreduced Sum.

struct Piece {
  const uint8_t* aad;  // hashed first; only when the incoming accumulator is zero
  size_t aad_len;
  const uint8_t* in;
  uint8_t* out;
  size_t len;     // <= 64 * Q
  bool with_len;  // append the length block |lenb|
  __m128i lenb;
  // A framed piece (a framed job) reads only in[0, in_len) and has the byte |type| at type_at and
  // zeros elsewhere after it; any other piece reads all |len| bytes (type_at out of range).
  size_t in_len = SIZE_MAX;
  size_t type_at = SIZE_MAX;
  uint8_t type = 0;
  size_t at = 0;  // where the piece starts in its message (the content-type scan's offsets)
};

// frame_piece makes |pc|, which starts |start| bytes into a message, read its input as framed job
// |f| describes (nothing when f is null).
VOLLEY_INLINE void frame_piece(Piece& pc, const Job* f, size_t start) {
  if (f == nullptr) return;
  pc.in_len = f->content_len - start;
  pc.type_at = pc.in_len;
  pc.type = f->type;
}

// piece_sum computes the piece's Q vectors; with Scan (opening) it adds each plaintext vector,
// zero past the end of the piece, to the content-type tracker |t|.
template <int Nr, bool Enc, int Q, bool Scan = false>
VOLLEY_INLINE void piece_sum(const uint8_t* ks, __m128i ctr, __m128i acc, const Piece& pc, Sum& s,
                             Tracker* t = nullptr) {
  static_assert(!(Enc && Scan), "the content type is found when opening");
  const __m512i bs = bswap_mask();
  const size_t m = (pc.len + 15) / 16;
  const size_t a = (pc.aad_len + 15) / 16;
  const size_t n = a + m + (pc.with_len ? 1 : 0);
  // Where the length block goes: after the data in its last vector when that has room (its power
  // H^1 then follows on), else after the AAD with H^1 blended in, else in a vector of its own.
  const bool len_after_data = pc.with_len && m % 4 != 0;
  const bool len_after_aad = pc.with_len && !len_after_data && a % 4 != 0;

  if constexpr (Q > 0) {
    __m512i x[Q];
    __m512i rk[Nr + 1];
    load_round_keys<Nr>(ks, rk);
    const __m512i base = _mm512_broadcast_i32x4(ctr);
    VOLLEY_UNROLL
    for (int q = 0; q < Q; ++q)
      x[q] = _mm512_shuffle_epi8(_mm512_add_epi32(base, ctr_inc(4 * q)), bs);
    aes_vecs<Nr, Q>(rk, x);
    VOLLEY_UNROLL
    for (int q = 0; q < Q; ++q) {
      const size_t qq = static_cast<size_t>(q);
      const size_t off = 64 * qq;
      const __mmask64 bm = byte_mask(pc.len - off);
      __m512i v = _mm512_maskz_loadu_epi8(
          byte_mask(pc.in_len < pc.len ? (pc.in_len > off ? pc.in_len - off : 0) : pc.len - off),
          pc.in + off);
      // The type byte's position is public (lengths are).
      if (pc.type_at - off < 64) {
        v = _mm512_mask_set1_epi8(v, __mmask64{1} << (pc.type_at - off),
                                  static_cast<char>(pc.type));
      }
      const __m512i o = _mm512_xor_si512(v, x[q]);
      _mm512_mask_storeu_epi8(pc.out + off, bm, o);
      if constexpr (Scan) content_type_avx512::absorb(*t, _mm512_maskz_mov_epi8(bm, o), pc.at + off);
      __m512i y = _mm512_shuffle_epi8(Enc ? _mm512_maskz_mov_epi8(bm, o) : v, bs);
      if (q == 0 && a == 0) y = with_acc(y, acc);
      size_t lanes = m - 4 * qq < 4 ? m - 4 * qq : 4;
      if (len_after_data && lanes < 4) {
        y = _mm512_mask_broadcast_i32x4(y, static_cast<__mmask16>(0xfu << (4 * lanes)), pc.lenb);
        ++lanes;
      }
      mul_pow(s, ks, y, n - a - 4 * qq, lanes);
    }
  }
  for (size_t q = 0; q * 4 < a; ++q) {
    const size_t off = 64 * q;
    __m512i v =
        _mm512_shuffle_epi8(_mm512_maskz_loadu_epi8(byte_mask(pc.aad_len - off), pc.aad + off), bs);
    const size_t lanes = a - 4 * q < 4 ? a - 4 * q : 4;
    const __mmask8 lm = lane_mask8(lanes);
    __m512i h = _mm512_maskz_loadu_epi64(lm, pow_at(ks, n - 4 * q));
    __m512i kk = _mm512_maskz_loadu_epi64(lm, kar_at(ks, n - 4 * q));
    if (len_after_aad && lanes < 4) {
      const __mmask16 l = static_cast<__mmask16>(0xfu << (4 * lanes));
      v = _mm512_mask_broadcast_i32x4(v, l, pc.lenb);
      h = _mm512_mask_broadcast_i32x4(h, l, load16(pow_at(ks, 1)));
      kk = _mm512_mask_broadcast_i32x4(kk, l, load16(kar_at(ks, 1)));
    }
    mul_acc(s, v, h, kk);
  }
  if (pc.with_len && !len_after_data && !len_after_aad) {
    __m128i l = pc.lenb;
    if (a == 0 && m == 0) l = _mm_xor_si128(l, acc);
    const __m512i v = _mm512_zextsi128_si512(l);
    mul_pow(s, ks, v, 1, 1);
  }
}

template <int Nr, bool Enc, bool Scan = false>
VOLLEY_INLINE void piece_dispatch(const uint8_t* ks, __m128i ctr, __m128i acc, const Piece& pc,
                                  Sum& s, Tracker* t = nullptr) {
  switch ((pc.len + 63) / 64) {
    case 0:
      return piece_sum<Nr, Enc, 0, Scan>(ks, ctr, acc, pc, s, t);
    case 1:
      return piece_sum<Nr, Enc, 1, Scan>(ks, ctr, acc, pc, s, t);
    case 2:
      return piece_sum<Nr, Enc, 2, Scan>(ks, ctr, acc, pc, s, t);
    case 3:
      return piece_sum<Nr, Enc, 3, Scan>(ks, ctr, acc, pc, s, t);
    default:
      return piece_sum<Nr, Enc, 4, Scan>(ks, ctr, acc, pc, s, t);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole messages.

VOLLEY_INLINE bool is_short(const Job& j) {
  const size_t m = (j.len + 15) / 16;
  const size_t a = (j.aad_len + 15) / 16;
  return m <= 16 && a + m + 1 <= kMaxPow;
}

VOLLEY_INLINE __m128i ctr_start(__m128i j0) {
  return _mm_add_epi32(_mm_shuffle_epi8(j0, bswap_mask128()), _mm_cvtsi32_si128(1));
}

VOLLEY_INLINE __m128i make_tag(__m128i acc, __m128i ekj0) {
  return _mm_xor_si128(_mm_shuffle_epi8(acc, bswap_mask128()), ekj0);
}

// closing_piece is what follows the first |chunks| bulk chunks of |j| (framed by |f| when given):
// the bytes left and the length block.
VOLLEY_INLINE Piece closing_piece(const Job& j, size_t chunks, const Job* f) {
  Piece pc{nullptr,           0, j.in + 256 * chunks, j.out + 256 * chunks, j.len - 256 * chunks,
           true,              len_block(j.aad_len, j.len)};
  frame_piece(pc, f, 256 * chunks);
  pc.at = 256 * chunks;
  return pc;
}

// close_message runs the closing piece of |j| after |chunks| bulk chunks — the bytes left, framed
// by |f| when given, then the length block — and writes the tag.
template <int Nr, bool Enc, bool Scan = false>
VOLLEY_INLINE void close_message(const Job& j, CtrAcc st, size_t chunks, const Job* f,
                                 __m128i ekj0, Tracker* t = nullptr) {
  const Piece pc = closing_piece(j, chunks, f);
  Sum s = sum_zero();
  piece_dispatch<Nr, Enc, Scan>(j.key->bytes, st.ctr, st.acc, pc, s, t);
  store16(j.tag, make_tag(reduce(s), ekj0));
}

// one_shot seals or opens one message. With |f| (a framed job), the input is j.in's content framed
// as |f| says: the bulk loop takes whole 256-byte chunks of content from j.in (the frame's
// contract), and the closing piece reads the rest of the content and inserts the type byte. With
// Scan (an open job that asks, Job::inner) the bulk loop and the piece after it track the
// content type vector by vector, in message order.
template <int Nr, bool Enc, bool Scan = false>
void one_shot(const Job& j, const Job* f = nullptr) {
  const uint8_t* ks = j.key->bytes;
  const __m128i j0 = job_j0(j);
  const __m128i ekj0 = aes_block(ks, Nr, j0);
  Tracker t = content_type_avx512::tracker_zero();
  if (is_short(j)) {
    Piece pc{j.aad, j.aad_len, j.in, j.out, j.len, true, len_block(j.aad_len, j.len)};
    frame_piece(pc, f, 0);
    Sum s = sum_zero();
    piece_dispatch<Nr, Enc, Scan>(ks, ctr_start(j0), _mm_setzero_si128(), pc, s, &t);
    store16(j.tag, make_tag(reduce(s), ekj0));
  } else {
    const size_t chunks = j.len / 256;
    const CtrAcc st = bulk<Nr, Enc, Scan>(
        ks, {ctr_start(j0), ghash_bytes(ks, _mm_setzero_si128(), j.aad, j.aad_len)}, j.in, j.out,
        chunks, &t);
    close_message<Nr, Enc, Scan>(j, st, chunks, f, ekj0, &t);
  }
  if constexpr (Scan) report(j, content_type_avx512::answer(t));
}

// open_one opens one message, finding its content type when it asks (Job::inner).
template <int Nr>
VOLLEY_INLINE void open_one(const Job& j) {
  if (j.inner != nullptr) {
    one_shot<Nr, false, true>(j);
  } else {
    one_shot<Nr, false>(j);
  }
}

// ---------------------------------------------------------------------------------------------
// Pairs of long messages (seal). Alone, a message's bulk loop idles a unit at each end: its first
// chunks go through AES with nothing to hash yet, its last through GHASH with nothing left to
// encrypt, and then the closing piece runs on its own latency. For a 1350-byte record that is a
// quarter of its time. Two messages sealed together take turns: a turn runs the stitched step of
// the bulk loop (AES of 32 blocks beside the GHASH of 32) over the next chunk of one message and
// the chunk the other message encrypted in the turn before. The units idle at the ends of the pair
// only, and each message's GHASH chain has a whole turn of the other's to complete in.
//
// (Lockstep steps, AES of both messages' next chunks beside the GHASH of both previous ones, were
// slower: two reductions per step, and each message's chain has only one step to complete.)

// PairMsg is one message of a pair between turns.
struct PairMsg {
  const uint8_t* ks;
  const uint8_t* in;
  uint8_t* out;
  __m128i ctr;  // next counter block, byte-reversed
  __m128i acc;  // GHASH accumulator, reflected
  __m128i ekj0;
};

template <int Nr>
VOLLEY_INLINE PairMsg pair_msg(const Job& j) {
  PairMsg m;
  m.ks = j.key->bytes;
  m.in = j.in;
  m.out = j.out;
  const __m128i j0 = job_j0(j);
  m.ekj0 = aes_block(m.ks, Nr, j0);
  m.ctr = ctr_start(j0);
  return m;
}

// pair_aad starts both accumulators at AAD * H (AAD of at most one block), in one multiplication
// and one reduction for the two messages: lane 0 holds a's product, lane 1 b's.
VOLLEY_INLINE void pair_aad(PairMsg& a, const Job& ja, PairMsg& b, const Job& jb) {
  const __m128i bs = bswap_mask128();
  const __m128i xa = _mm_shuffle_epi8(
      _mm_maskz_loadu_epi8(static_cast<__mmask16>(byte_mask(ja.aad_len)), ja.aad), bs);
  const __m128i xb = _mm_shuffle_epi8(
      _mm_maskz_loadu_epi8(static_cast<__mmask16>(byte_mask(jb.aad_len)), jb.aad), bs);
  const __m512i y = _mm512_inserti32x4(_mm512_zextsi128_si512(xa), xb, 1);
  const __m512i h = _mm512_inserti32x4(_mm512_zextsi128_si512(load16(pow_at(a.ks, 1))),
                                       load16(pow_at(b.ks, 1)), 1);
  const __m512i k = _mm512_inserti32x4(_mm512_zextsi128_si512(load16(kar_at(a.ks, 1))),
                                       load16(kar_at(b.ks, 1)), 1);
  Sum s = sum_zero();
  mul_acc(s, y, h, k);
  const __m512i r = reduce_lanes(s);
  a.acc = _mm512_castsi512_si128(r);
  b.acc = _mm512_extracti32x4_epi32(r, 1);
}

// pair_turn encrypts the next VA vectors of |e| and, when VG > 0, hashes the VG vectors of |h|'s
// ciphertext waiting in |y|; e's ciphertext then waits in y.
template <int Nr, int VA, int VG>
VOLLEY_INLINE void pair_turn(PairMsg& e, PairMsg& h, __m512i* y, __m512i bs) {
  __m512i rk[Nr + 1];
  load_round_keys<Nr>(e.ks, rk);
  __m512i base = _mm512_broadcast_i32x4(e.ctr);
  __m512i x[VA];
  counters<VA>(base, bs, x);
  if constexpr (VG > 0) {
    y[0] = with_acc(y[0], h.acc);
    h.acc = stitched<Nr, VA, VG>(h.ks, rk, x, y);
  } else {
    aes_vecs<Nr, VA>(rk, x);
  }
  xor_store<VA>(e.in, e.out, bs, x, y);
  e.in += 64 * VA;
  e.out += 64 * VA;
  e.ctr = _mm_add_epi32(e.ctr, _mm_cvtsi32_si128(4 * VA));
}

// pair_close hashes the four vectors of |m|'s last chunk, waiting in |y|, together with the
// closing piece of |j| (the bytes after its |chunks| chunks, framed by |f| when given, and the
// length block) in one reduction, and writes the tag.
template <int Nr>
VOLLEY_INLINE void pair_close(PairMsg& m, __m512i* y, const Job& j, size_t chunks,
                              const Job* f) {
  const Piece pc = closing_piece(j, chunks, f);
  Sum s = sum_zero();
  piece_dispatch<Nr, true>(m.ks, m.ctr, _mm_setzero_si128(), pc, s);
  const size_t after = (pc.len + 15) / 16 + 1;  // blocks hashed after the chunk
  y[0] = with_acc(y[0], m.acc);
  mul_acc2(s, m.ks, y[1], after + 12, y[2], after + 8);
  mul_acc2(s, m.ks, y[3], after + 4, y[0], after + 16);
  store16(j.tag, make_tag(reduce(s), m.ekj0));
}

// Messages of more chunks go one at a time: the bulk loop runs them as fast once the idle ends
// are a small part of the whole, and keeps its round keys in registers.
constexpr size_t kPairMaxChunks = 8;

// pairable: two messages seal_pair takes (is_short false for both): the same number of whole
// chunks, AAD of at most one block, and closing pieces that fit the powers of H beside a chunk and
// the length block.
VOLLEY_INLINE bool pairable(const Job& ja, const Job& jb) {
  return ja.len / 256 == jb.len / 256 && ja.len / 256 <= kPairMaxChunks && ja.aad_len <= 16 &&
         jb.aad_len <= 16 && ja.len % 256 <= 224 && jb.len % 256 <= 224;
}

// seal_pair seals two pairable messages, framed by |fa| / |fb| as in one_shot. The turns go
// a, b, a, b, ... by 512-byte chunks, then by 256 bytes for an odd chunk.
template <int Nr>
void seal_pair(const Job& ja, const Job* fa, const Job& jb, const Job* fb) {
  const size_t n = ja.len / 256;  // >= 1: not short, AAD of one block
  const size_t full = n / 2;
  const __m512i bs = bswap_mask();
  PairMsg a = pair_msg<Nr>(ja);
  PairMsg b = pair_msg<Nr>(jb);
  pair_aad(a, ja, b, jb);
  __m512i y[8];
  if (full > 0) {
    pair_turn<Nr, 8, 0>(a, b, y, bs);
    for (size_t i = 0; i < full; ++i) {
      pair_turn<Nr, 8, 8>(b, a, y, bs);
      if (i + 1 < full) pair_turn<Nr, 8, 8>(a, b, y, bs);
    }
    if (n % 2 == 0) {  // b's last chunk waits in y
      y[0] = with_acc(y[0], b.acc);
      b.acc = ghash_vecs<8>(b.ks, y);
      close_message<Nr, true>(ja, {a.ctr, a.acc}, n, fa, a.ekj0);
      close_message<Nr, true>(jb, {b.ctr, b.acc}, n, fb, b.ekj0);
      return;
    }
    pair_turn<Nr, 4, 8>(a, b, y, bs);
  } else {
    pair_turn<Nr, 4, 0>(a, b, y, bs);
  }
  pair_turn<Nr, 4, 4>(b, a, y, bs);
  close_message<Nr, true>(ja, {a.ctr, a.acc}, n, fa, a.ekj0);
  pair_close<Nr>(b, y, jb, n, fb);
}

// LongPairs holds back one long message to be sealed, per key size, until a second one it can pair
// with arrives; |frame| as in one_shot.
struct LongPairs {
  struct Held {
    const Job* job = nullptr;
    const Job* frame = nullptr;
  };
  Held aes128, aes256;

  template <int Nr>
  VOLLEY_INLINE void add_nr(Held& h, const Job& j, const Job* f) {
    if (h.job != nullptr && pairable(*h.job, j)) {
      seal_pair<Nr>(*h.job, h.frame, j, f);
      h.job = nullptr;
      return;
    }
    if (h.job != nullptr) one_shot<Nr, true>(*h.job, h.frame);
    h = {&j, f};
  }

  VOLLEY_INLINE void add(const Job& j, const Job* f) {
    if (rounds_of(j.key) == 10) {
      add_nr<10>(aes128, j, f);
    } else {
      add_nr<14>(aes256, j, f);
    }
  }

  VOLLEY_INLINE void drain() {
    if (aes128.job != nullptr) one_shot<10, true>(*aes128.job, aes128.frame);
    if (aes256.job != nullptr) one_shot<14, true>(*aes256.job, aes256.frame);
    aes128 = aes256 = {};
  }
};

// fold_pairs and fold_final add lanes across messages: fold_final(fold_pairs(v0, v1),
// fold_pairs(v2, v3)) has in lane r the sum of the four lanes of v_r.
VOLLEY_INLINE __m512i fold_pairs(__m512i v0, __m512i v1) {
  return _mm512_xor_si512(_mm512_shuffle_i64x2(v0, v1, 0x44), _mm512_shuffle_i64x2(v0, v1, 0xee));
}

VOLLEY_INLINE __m512i fold_final(__m512i a, __m512i b) {
  return _mm512_xor_si512(_mm512_shuffle_i64x2(a, b, 0x88), _mm512_shuffle_i64x2(a, b, 0xdd));
}

VOLLEY_INLINE __m512i transpose_sum(__m512i v0, __m512i v1, __m512i v2, __m512i v3) {
  return fold_final(fold_pairs(v0, v1), fold_pairs(v2, v3));
}

// aes_lanes encrypts lane r of |e| under the key of js[r] (lanes from |cnt| on: any key).
template <int Nr>
VOLLEY_INLINE void aes_lanes(const Job* const* js, int cnt, __m512i* e) {
  const uint8_t* k0 = js[0]->key->bytes;
  bool same_key = true;
  for (int r = 1; r < cnt; ++r) same_key = same_key && js[r]->key == js[0]->key;
  __m512i rk[Nr + 1];
  if (same_key) {
    load_round_keys<Nr>(k0, rk);
  } else {
    // Lanes of absent messages reuse the first key; their results are dropped.
    const uint8_t* kr[4];
    for (int r = 0; r < 4; ++r) kr[r] = r < cnt ? js[r]->key->bytes : k0;
    VOLLEY_UNROLL
    for (int i = 0; i <= Nr; ++i) {
      __m512i v = _mm512_castsi128_si512(load16(kr[0] + 16 * i));
      v = _mm512_inserti32x4(v, load16(kr[1] + 16 * i), 1);
      v = _mm512_inserti32x4(v, load16(kr[2] + 16 * i), 2);
      rk[i] = _mm512_inserti32x4(v, load16(kr[3] + 16 * i), 3);
    }
  }
  aes_vecs<Nr, 1>(rk, e);
}

// quad seals or opens up to four short messages of the same key size together: each message's
// data and GHASH products are computed on its own vectors, then the four unreduced sums are
// gathered one message per lane, so one reduction and one AES pass over the four J0 blocks
// serve all four tags.
template <int Nr, bool Enc>
void quad(const Job* const* js, int cnt) {
  Sum sr[4];
  __m128i j0[4];
  for (int r = 0; r < 4; ++r) {
    sr[r] = sum_zero();
    j0[r] = _mm_setzero_si128();
  }
  for (int r = 0; r < cnt; ++r) {
    const Job& j = *js[r];
    j0[r] = job_j0(j);
    Piece pc{j.aad, j.aad_len, j.in, j.out, j.len, true, len_block(j.aad_len, j.len)};
    frame_piece(pc, framing(j), 0);
    if (!Enc && j.inner != nullptr) {
      Tracker t = content_type_avx512::tracker_zero();
      piece_dispatch<Nr, false, true>(j.key->bytes, ctr_start(j0[r]), _mm_setzero_si128(), pc,
                                      sr[r], &t);
      report(j, content_type_avx512::answer(t));
    } else {
      piece_dispatch<Nr, Enc>(j.key->bytes, ctr_start(j0[r]), _mm_setzero_si128(), pc, sr[r]);
    }
  }
  const Sum s{transpose_sum(sr[0].lo, sr[1].lo, sr[2].lo, sr[3].lo),
              transpose_sum(sr[0].mi, sr[1].mi, sr[2].mi, sr[3].mi),
              transpose_sum(sr[0].hi, sr[1].hi, sr[2].hi, sr[3].hi)};
  const __m512i ghash = _mm512_shuffle_epi8(reduce_lanes(s), bswap_mask());

  __m512i e = _mm512_inserti32x4(_mm512_castsi128_si512(j0[0]), j0[1], 1);
  e = _mm512_inserti32x4(e, j0[2], 2);
  e = _mm512_inserti32x4(e, j0[3], 3);
  aes_lanes<Nr>(js, cnt, &e);
  const __m512i tags = _mm512_xor_si512(ghash, e);
  store16(js[0]->tag, _mm512_castsi512_si128(tags));
  if (cnt > 1) store16(js[1]->tag, _mm512_extracti32x4_epi32(tags, 1));
  if (cnt > 2) store16(js[2]->tag, _mm512_extracti32x4_epi32(tags, 2));
  if (cnt > 3) store16(js[3]->tag, _mm512_extracti32x4_epi32(tags, 3));
}

// is_small selects the record-layer shape (at most 128 bytes of data and 16 of AAD) that
// the SmallQuad stages handle four at a time. TLS 1.3 records carry one content-type byte after
// the content, so a 64-byte payload is a 65-byte message: the limit must reach past 64.
constexpr size_t kSmallMax = 128;
VOLLEY_INLINE bool is_small(const Job& j) { return j.len <= kSmallMax && j.aad_len <= 16; }

// SmallQuad carries up to four small messages (is_small) of one key size between the two stages
// of their processing. The batch runs the AES stage of one quad before the GHASH stage of the
// quad before it, so that AES latency overlaps with hashing in the out-of-order window.
struct SmallQuad {
  const Job* js[4];
  int cnt;
  bool same_key;  // every message uses js[0]'s key
  bool uniform;   // every message has js[0]'s data and AAD lengths
  int mode;       // small_mode of the longest message
  // x[V * r + v]: keystream vector v of message r's data (V = 2 in mode 2, else 1);
  // x[4 * V] lane r: E(K_r, J0_r); in mode 1, x[5] lane r: keystream of message r's block 4.
  __m512i x[9];
};

// small_mode picks how a message's counter blocks are laid out: mode 0 (<= 64 bytes) one vector
// per message; mode 1 (<= 80 bytes, a 64-byte TLS payload plus its content-type byte and some
// padding) one vector plus one lane of a vector shared by the four messages for block 4, which
// spares three AES vectors and three carry-less multiply groups per quad against mode 2; mode 2
// (<= 128 bytes) two vectors per message.
VOLLEY_INLINE int small_mode(size_t len) { return len <= 64 ? 0 : len <= 80 ? 1 : 2; }

// Counter blocks 2..5 (v = 0) or 6..9 (v = 1) in the last (big-endian) dword of the four lanes. A
// message of at most eight blocks uses its nonce followed by these: inc32 cannot wrap when it
// starts from 1.
VOLLEY_INLINE __m512i small_counters(int v) {
  const int b = 2 + 4 * v;
  return _mm512_set_epi32((b + 3) << 24, 0, 0, 0, (b + 2) << 24, 0, 0, 0, (b + 1) << 24, 0, 0, 0,
                          b << 24, 0, 0, 0);
}

template <int Nr, bool SameKey, int Mode>
VOLLEY_INLINE void small_stage_aes(SmallQuad& q) {
  constexpr int V = Mode == 2 ? 2 : 1;
  constexpr bool kTail = Mode == 1;
  constexpr int kJ = 4 * V;                  // index of the E(K, J0) vector
  constexpr int kLast = kTail ? kJ + 1 : kJ;  // the block-4 vector follows it in mode 1
  const uint8_t* kr[4];
  __m128i nonce[4];
  VOLLEY_UNROLL
  for (int r = 0; r < 4; ++r) {
    kr[r] = r < q.cnt ? q.js[r]->key->bytes : kr[0];
    nonce[r] = r < q.cnt ? job_nonce(*q.js[r]) : _mm_setzero_si128();
  }
  const __m128i one = _mm_set_epi32(0x01000000, 0, 0, 0);
  __m512i j0 = _mm512_zextsi128_si512(_mm_or_si128(nonce[0], one));
  j0 = _mm512_inserti32x4(j0, _mm_or_si128(nonce[1], one), 1);
  j0 = _mm512_inserti32x4(j0, _mm_or_si128(nonce[2], one), 2);
  j0 = _mm512_inserti32x4(j0, _mm_or_si128(nonce[3], one), 3);
  // Counter 6 (block 4) from J0's counter 1: 1 ^ 7 = 6.
  const __m128i seven = _mm_set_epi32(0x07000000, 0, 0, 0);
  __m512i ctrs[V];
  VOLLEY_UNROLL
  for (int v = 0; v < V; ++v) ctrs[v] = small_counters(v);
  __m512i* x = q.x;
  if (SameKey) {
    __m512i rk[Nr + 1];
    load_round_keys<Nr>(kr[0], rk);
    VOLLEY_UNROLL
    for (int r = 0; r < 4; ++r) {
      const __m512i nr = _mm512_broadcast_i32x4(nonce[r]);
      VOLLEY_UNROLL
      for (int v = 0; v < V; ++v) x[V * r + v] = _mm512_ternarylogic_epi64(nr, ctrs[v], rk[0], 0x96);
    }
    x[kJ] = _mm512_xor_si512(j0, rk[0]);
    if (kTail) {
      x[kJ + 1] = _mm512_ternarylogic_epi64(j0, _mm512_broadcast_i32x4(seven), rk[0], 0x96);
    }
    VOLLEY_UNROLL
    for (int i = 1; i < Nr; ++i) {
      VOLLEY_UNROLL
      for (int v = 0; v <= kLast; ++v) x[v] = _mm512_aesenc_epi128(x[v], rk[i]);
    }
    VOLLEY_UNROLL
    for (int v = 0; v <= kLast; ++v) x[v] = _mm512_aesenclast_epi128(x[v], rk[Nr]);
  } else {
    // Each message's vector under its own round keys, and each J0 block on its own (128-bit
    // AES with the round keys as memory operands): cheaper than gathering the four keys into
    // the lanes of one vector for every round.
    __m128i e[4];
    __m128i t[4];  // block 4 in mode 1
    VOLLEY_UNROLL
    for (int r = 0; r < 4; ++r) {
      const __m512i k0 = _mm512_broadcast_i32x4(load16(kr[r]));
      const __m512i nr = _mm512_broadcast_i32x4(nonce[r]);
      VOLLEY_UNROLL
      for (int v = 0; v < V; ++v) x[V * r + v] = _mm512_ternarylogic_epi64(nr, ctrs[v], k0, 0x96);
      e[r] = _mm_xor_si128(_mm_or_si128(nonce[r], one), load16(kr[r]));
      if (kTail) t[r] = _mm_xor_si128(e[r], seven);
    }
    VOLLEY_UNROLL
    for (int i = 1; i < Nr; ++i) {
      VOLLEY_UNROLL
      for (int r = 0; r < 4; ++r) {
        const __m512i k = _mm512_broadcast_i32x4(load16(kr[r] + 16 * i));
        VOLLEY_UNROLL
        for (int v = 0; v < V; ++v) x[V * r + v] = _mm512_aesenc_epi128(x[V * r + v], k);
        e[r] = _mm_aesenc_si128(e[r], load16(kr[r] + 16 * i));
        if (kTail) t[r] = _mm_aesenc_si128(t[r], load16(kr[r] + 16 * i));
      }
    }
    VOLLEY_UNROLL
    for (int r = 0; r < 4; ++r) {
      const __m512i k = _mm512_broadcast_i32x4(load16(kr[r] + 16 * Nr));
      VOLLEY_UNROLL
      for (int v = 0; v < V; ++v) x[V * r + v] = _mm512_aesenclast_epi128(x[V * r + v], k);
      e[r] = _mm_aesenclast_si128(e[r], load16(kr[r] + 16 * Nr));
      if (kTail) t[r] = _mm_aesenclast_si128(t[r], load16(kr[r] + 16 * Nr));
    }
    __m512i ev = _mm512_inserti32x4(_mm512_zextsi128_si512(e[0]), e[1], 1);
    ev = _mm512_inserti32x4(ev, e[2], 2);
    x[kJ] = _mm512_inserti32x4(ev, e[3], 3);
    if (kTail) {
      __m512i tv = _mm512_inserti32x4(_mm512_zextsi128_si512(t[0]), t[1], 1);
      tv = _mm512_inserti32x4(tv, t[2], 2);
      x[kJ + 1] = _mm512_inserti32x4(tv, t[3], 3);
    }
  }
}

// insert_lane puts |x| into lane |r| of |v|; |r| is a constant once the caller's loop is unrolled.
VOLLEY_INLINE __m512i insert_lane(__m512i v, __m128i x, int r) {
  switch (r) {
    case 0:
      return _mm512_inserti32x4(v, x, 0);
    case 1:
      return _mm512_inserti32x4(v, x, 1);
    case 2:
      return _mm512_inserti32x4(v, x, 2);
    default:
      return _mm512_inserti32x4(v, x, 3);
  }
}

// small_vec absorbs the |len| (1..64) bytes at |in| of one message vector: it writes
// |in| ^ |x| to |out| and adds the products of the reflected ciphertext blocks with |h|, |k|
// (the powers of H for these blocks) to |s|. It returns what it wrote (bytes past |bm|: keystream).
template <bool Enc, bool First>
VOLLEY_INLINE __m512i small_vec(Sum& s, const uint8_t* in, uint8_t* out, __mmask64 bm, __m512i x,
                                __m512i bs, __m512i h, __m512i k) {
  const __m512i v = _mm512_maskz_loadu_epi8(bm, in);
  const __m512i o = _mm512_xor_si512(v, x);
  _mm512_mask_storeu_epi8(out, bm, o);
  const __m512i y = _mm512_shuffle_epi8(Enc ? _mm512_maskz_mov_epi8(bm, o) : v, bs);
  const __m512i ym = _mm512_xor_si512(y, _mm512_shuffle_epi32(y, _MM_PERM_BADC));
  const __m512i lo = _mm512_clmulepi64_epi128(y, h, 0x00);
  const __m512i hi = _mm512_clmulepi64_epi128(y, h, 0x11);
  const __m512i mi = _mm512_clmulepi64_epi128(ym, k, 0x00);
  if (First) {
    s = {lo, mi, hi};
  } else {
    s = {_mm512_xor_si512(s.lo, lo), _mm512_xor_si512(s.mi, mi), _mm512_xor_si512(s.hi, hi)};
  }
  return o;
}

// extract_lane returns lane |r| of |v|; |r| is a constant once the caller's loop is unrolled.
VOLLEY_INLINE __m128i extract_lane(__m512i v, int r) {
  switch (r) {
    case 0:
      return _mm512_castsi512_si128(v);
    case 1:
      return _mm512_extracti32x4_epi32(v, 1);
    case 2:
      return _mm512_extracti32x4_epi32(v, 2);
    default:
      return _mm512_extracti32x4_epi32(v, 3);
  }
}

template <int Nr, bool Enc, bool SameKey, bool Uniform, int Mode>
VOLLEY_INLINE void small_stage_ghash(const SmallQuad& q) {
  constexpr int V = Mode == 2 ? 2 : 1;
  constexpr bool kTail = Mode == 1;
  __m512i tailv = _mm512_setzero_si512();  // lane r: block 4 of message r (reflected), mode 1
  __m512i htv = _mm512_setzero_si512();    // lane r: its power of H, H^2 (block 4 of 5)
  __m512i ktv = _mm512_setzero_si512();
  const __m512i bs = bswap_mask();
  const __m128i bs128 = bswap_mask128();
  const int cnt = q.cnt;
  __m512i aadv = _mm512_setzero_si512();  // lane r: AAD block of message r (reflected)
  __m512i lenv = _mm512_setzero_si512();  // lane r: length block of message r
  __m512i hav = _mm512_setzero_si512();   // lane r: the power of H for that AAD block
  __m512i kav = _mm512_setzero_si512();
  __m512i h1v = _mm512_setzero_si512();
  __m512i k1v = _mm512_setzero_si512();
  // With a uniform quad, every length-derived value is the same for the four messages.
  const Job& first = *q.js[0];
  const size_t m0 = (first.len + 15) / 16;
  const __mmask64 bm0 = byte_mask(first.len);
  const __mmask8 lm0 = lane_mask8(m0);
  const __mmask16 am0 =
      static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(first.aad_len)));
  // The second vector (V == 2) holds data bytes 64.. and blocks 4..: their powers start at
  // H^(m - 3), four below those of the first vector.
  const size_t t0 = first.len > 64 ? first.len - 64 : 0;
  const size_t mt0 = (t0 + 15) / 16;
  const __mmask64 bmt0 = byte_mask(t0);
  __m512i h0 = _mm512_setzero_si512();
  __m512i k0 = _mm512_setzero_si512();
  __m512i ht0 = _mm512_setzero_si512();
  __m512i kt0 = _mm512_setzero_si512();
  if (SameKey && Uniform && m0 > 0) {
    h0 = _mm512_maskz_loadu_epi64(lm0, pow_at(first.key->bytes, m0 + 1));
    k0 = _mm512_maskz_loadu_epi64(lm0, kar_at(first.key->bytes, m0 + 1));
  }
  if (V == 2 && SameKey && Uniform && mt0 > 0) {
    ht0 = _mm512_maskz_loadu_epi64(lane_mask8(mt0), pow_at(first.key->bytes, mt0 + 1));
    kt0 = _mm512_maskz_loadu_epi64(lane_mask8(mt0), kar_at(first.key->bytes, mt0 + 1));
  }
  // The AAD is loaded before any data is stored: the record layer puts a record's header (its
  // AAD) right before its body, and a 16-byte load of it that overlaps the body bytes just
  // written by a masked store stalls until that store retires (no store-to-load forwarding).
  VOLLEY_UNROLL
  for (int r = 0; r < 4; ++r) {
    if (r < cnt) {
      const size_t aad_len = Uniform ? first.aad_len : q.js[r]->aad_len;
      const __mmask16 am =
          Uniform ? am0
                  : static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(aad_len)));
      aadv = insert_lane(aadv, _mm_shuffle_epi8(_mm_maskz_loadu_epi8(am, q.js[r]->aad), bs128), r);
    }
  }
  Sum pair[2];
  Sum cur[2];
  VOLLEY_UNROLL
  for (int r = 0; r < 4; ++r) {
    Sum& sr = cur[r & 1];
    if (r < cnt) {
      const Job& j = *q.js[r];
      const uint8_t* ks = j.key->bytes;
      const size_t len = Uniform ? first.len : j.len;
      const size_t aad_len = Uniform ? first.aad_len : j.aad_len;
      const size_t m = Uniform ? m0 : (len + 15) / 16;
      // The plaintext of bytes 0..63 and 64.. (zero past the end), for the content type.
      __m512i p0 = _mm512_setzero_si512();
      __m512i p1 = _mm512_setzero_si512();
      if (len > 0) {
        const __mmask64 bm = Uniform ? bm0 : byte_mask(len);
        const __mmask8 lm = lane_mask8(m);
        const __m512i h = SameKey && Uniform ? h0 : _mm512_maskz_loadu_epi64(lm, pow_at(ks, m + 1));
        const __m512i k = SameKey && Uniform ? k0 : _mm512_maskz_loadu_epi64(lm, kar_at(ks, m + 1));
        p0 = _mm512_maskz_mov_epi8(bm,
                                   small_vec<Enc, true>(sr, j.in, j.out, bm, q.x[V * r], bs, h, k));
      } else {
        sr = sum_zero();
      }
      if (V == 2 && len > 64) {
        const size_t t = len - 64;
        const size_t mt = Uniform ? mt0 : (t + 15) / 16;
        const __mmask64 bm = Uniform ? bmt0 : byte_mask(t);
        const __mmask8 lm = lane_mask8(mt);
        const __m512i h =
            SameKey && Uniform ? ht0 : _mm512_maskz_loadu_epi64(lm, pow_at(ks, mt + 1));
        const __m512i k =
            SameKey && Uniform ? kt0 : _mm512_maskz_loadu_epi64(lm, kar_at(ks, mt + 1));
        p1 = _mm512_maskz_mov_epi8(
            bm, small_vec<Enc, false>(sr, j.in + 64, j.out + 64, bm, q.x[V * r + V - 1], bs, h, k));
      }
      if (kTail && len > 64) {
        const __mmask16 tm =
            static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(len - 64)));
        const __m128i v = _mm_maskz_loadu_epi8(tm, j.in + 64);
        const __m128i o = _mm_xor_si128(v, extract_lane(q.x[5], r));
        _mm_mask_storeu_epi8(j.out + 64, tm, o);
        p1 = _mm512_zextsi128_si512(_mm_maskz_mov_epi8(tm, o));
        tailv = insert_lane(tailv, _mm_shuffle_epi8(Enc ? _mm_maskz_mov_epi8(tm, o) : v, bs128), r);
        if (!SameKey) {
          htv = insert_lane(htv, load16(pow_at(ks, 2)), r);
          ktv = insert_lane(ktv, load16(kar_at(ks, 2)), r);
        }
      }
      // One or two vectors: the answer straight from them (Job::inner).
      if (!Enc && j.inner != nullptr) {
        report(j, Mode == 0 ? content_type_avx512::one_vector(p0)
                            : content_type_avx512::two_vectors(p0, p1));
      }
      if (!Uniform) lenv = insert_lane(lenv, len_block(aad_len, len), r);
      if (!(SameKey && Uniform)) {
        // In the sequence AAD || data || length, the AAD block is m + 1 blocks before the end.
        hav = insert_lane(hav, load16(pow_at(ks, m + 2)), r);
        kav = insert_lane(kav, load16(kar_at(ks, m + 2)), r);
      }
      if (!SameKey) {
        h1v = insert_lane(h1v, load16(pow_at(ks, 1)), r);
        k1v = insert_lane(k1v, load16(kar_at(ks, 1)), r);
      }
    } else {
      sr = sum_zero();
    }
    if (r & 1) {
      pair[r >> 1] = {fold_pairs(cur[0].lo, cur[1].lo), fold_pairs(cur[0].mi, cur[1].mi),
                      fold_pairs(cur[0].hi, cur[1].hi)};
    }
  }
  if (SameKey) {
    h1v = _mm512_broadcast_i32x4(load16(pow_at(q.js[0]->key->bytes, 1)));
    k1v = _mm512_broadcast_i32x4(load16(kar_at(q.js[0]->key->bytes, 1)));
  }
  // Absent lanes may get a length block and powers too, but their AAD and data are zero and
  // their tags are not stored.
  if (Uniform) lenv = _mm512_broadcast_i32x4(len_block(first.aad_len, first.len));
  if (SameKey && Uniform) {
    hav = _mm512_broadcast_i32x4(load16(pow_at(first.key->bytes, m0 + 2)));
    kav = _mm512_broadcast_i32x4(load16(kar_at(first.key->bytes, m0 + 2)));
  }
  Sum s{fold_final(pair[0].lo, pair[1].lo), fold_final(pair[0].mi, pair[1].mi),
        fold_final(pair[0].hi, pair[1].hi)};
  mul_acc(s, aadv, hav, kav);
  mul_acc(s, lenv, h1v, k1v);
  if (kTail) {
    // Lanes without a block 4 are zero in tailv.
    if (SameKey) {
      htv = _mm512_broadcast_i32x4(load16(pow_at(first.key->bytes, 2)));
      ktv = _mm512_broadcast_i32x4(load16(kar_at(first.key->bytes, 2)));
    }
    mul_acc(s, tailv, htv, ktv);
  }
  const __m512i tags = _mm512_xor_si512(_mm512_shuffle_epi8(reduce_lanes(s), bs), q.x[4 * V]);
  store16(q.js[0]->tag, _mm512_castsi512_si128(tags));
  if (cnt > 1) store16(q.js[1]->tag, _mm512_extracti32x4_epi32(tags, 1));
  if (cnt > 2) store16(q.js[2]->tag, _mm512_extracti32x4_epi32(tags, 2));
  if (cnt > 3) store16(q.js[3]->tag, _mm512_extracti32x4_epi32(tags, 3));
}

template <int Nr, int Mode>
void small_aes_m(SmallQuad& q) {
  if (q.same_key) {
    small_stage_aes<Nr, true, Mode>(q);
  } else {
    small_stage_aes<Nr, false, Mode>(q);
  }
}

template <int Nr>
VOLLEY_INLINE void small_aes(SmallQuad& q) {
  if (q.mode == 0) {
    small_aes_m<Nr, 0>(q);
  } else if (q.mode == 1) {
    small_aes_m<Nr, 1>(q);
  } else {
    small_aes_m<Nr, 2>(q);
  }
}

template <int Nr, bool Enc, int Mode>
void small_ghash_m(const SmallQuad& q) {
  if (q.same_key) {
    if (q.uniform) {
      small_stage_ghash<Nr, Enc, true, true, Mode>(q);
    } else {
      small_stage_ghash<Nr, Enc, true, false, Mode>(q);
    }
  } else if (q.uniform) {
    small_stage_ghash<Nr, Enc, false, true, Mode>(q);
  } else {
    small_stage_ghash<Nr, Enc, false, false, Mode>(q);
  }
}

template <int Nr, bool Enc>
VOLLEY_INLINE void small_ghash(const SmallQuad& q) {
  if (q.mode == 0) {
    small_ghash_m<Nr, Enc, 0>(q);
  } else if (q.mode == 1) {
    small_ghash_m<Nr, Enc, 1>(q);
  } else {
    small_ghash_m<Nr, Enc, 2>(q);
  }
}

// SmallPipe feeds small messages of one key size through the two stages, one quad apart.
struct SmallPipe {
  SmallQuad slot[2];
  int fill = 0;        // slot being filled
  bool ready = false;  // slot[fill ^ 1] has been through the AES stage
};

template <int Nr, bool Enc>
VOLLEY_INLINE void small_launch(SmallPipe& p) {
  small_aes<Nr>(p.slot[p.fill]);
  if (p.ready) small_ghash<Nr, Enc>(p.slot[p.fill ^ 1]);
  p.fill ^= 1;
  p.ready = true;
  p.slot[p.fill].cnt = 0;
}

template <int Nr, bool Enc>
VOLLEY_INLINE void small_add(SmallPipe& p, const Job& j) {
  SmallQuad& q = p.slot[p.fill];
  if (q.cnt == 0) {
    q.same_key = q.uniform = true;
    q.mode = 0;
  } else {
    const Job& j0 = *q.js[0];
    q.same_key = q.same_key && j.key == j0.key;
    q.uniform = q.uniform && j.len == j0.len && j.aad_len == j0.aad_len;
  }
  const int mode = small_mode(j.len);
  if (mode > q.mode) q.mode = mode;
  q.js[q.cnt++] = &j;
  if (q.cnt == 4) small_launch<Nr, Enc>(p);
}

template <int Nr, bool Enc>
VOLLEY_INLINE void small_drain(SmallPipe& p) {
  if (p.slot[p.fill].cnt > 0) small_launch<Nr, Enc>(p);
  if (p.ready) small_ghash<Nr, Enc>(p.slot[p.fill ^ 1]);
}

// ---------------------------------------------------------------------------------------------
// Uniform runs: the steady state of a record-layer batch, records of one size, so with the same
// header as AAD (RFC 8446 §5.2) and the same length block, under one key or a key per record.
// What the lengths (and the one key) determine is computed once per run, AAD * H^(m+2) + L * H
// included, instead of once per quad, and nothing is checked per quad. Each quad's GHASH stage
// is cut into per-message steps placed between the AES rounds of the next quad, with both
// quads' vectors kept in registers rather than passed through a SmallQuad in memory.

// uniform_prefix counts the leading jobs of jobs[0, n) with jobs[0]'s lengths, AAD bytes, frame
// (content length and type), key size and content-type request (Job::inner, null or not). It tells in |same_key| whether they also share its key,
// and in |records| whether they are, besides, the records of one connection: one IV and
// consecutive sequence numbers, so that their nonces can be computed four to a vector. The AAD,
// the IV pointer and the sequence numbers are public, so comparing them may branch.
VOLLEY_INLINE size_t uniform_prefix(const Job* jobs, size_t n, bool& same_key, bool& records) {
  const Job& j0 = jobs[0];
  const int nr = rounds_of(j0.key);
  const __mmask16 am =
      static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(j0.aad_len)));
  const __m128i a0 = _mm_maskz_loadu_epi8(am, j0.aad);
  same_key = true;
  records = true;
  size_t i = 1;
  for (; i < n; ++i) {
    const Job& j = jobs[i];
    if (j.len != j0.len || j.aad_len != j0.aad_len) break;
    if (j.content_len != j0.content_len || j.type != j0.type) break;
    if ((j.inner == nullptr) != (j0.inner == nullptr)) break;
    if (j.key != j0.key && rounds_of(j.key) != nr) break;
    if (_mm_cmpneq_epi8_mask(a0, _mm_maskz_loadu_epi8(am, j.aad)) != 0) break;
    same_key = same_key && j.key == j0.key;
    records = records && j.iv == j0.iv && j.seq - j0.seq == i;
  }
  return i;
}

// A run's messages come from a source: JobSource (any Jobs) or RunSource (Jobs under one key and
// one IV with consecutive sequence numbers: the records of one connection). Quad q of a source is
// its messages 4q..4q+3; nonces(q) has message r's nonce in lane r (the last four bytes zero).
struct JobSource {
  const Job* jobs;

  VOLLEY_INLINE const Job& job(size_t q, int r) const {
    return jobs[4 * q + static_cast<size_t>(r)];
  }
  VOLLEY_INLINE const KeyState* key(size_t q, int r) const { return job(q, r).key; }
  VOLLEY_INLINE const uint8_t* in(size_t q, int r) const { return job(q, r).in; }
  VOLLEY_INLINE uint8_t* out(size_t q, int r) const { return job(q, r).out; }
  VOLLEY_INLINE uint8_t* tag(size_t q, int r) const { return job(q, r).tag; }
  VOLLEY_INLINE __m512i nonces(size_t q) const {
    __m512i v = _mm512_zextsi128_si512(job_nonce(job(q, 0)));
    v = _mm512_inserti32x4(v, job_nonce(job(q, 1)), 1);
    v = _mm512_inserti32x4(v, job_nonce(job(q, 2)), 2);
    return _mm512_inserti32x4(v, job_nonce(job(q, 3)), 3);
  }
};

// RunSource: message i's nonce is iv XOR the big-endian jobs[0].seq + i in the nonce's last eight
// bytes (RFC 8446 §5.3), computed four at a time in a vector instead of one by one. The IV is
// loaded for each quad rather than held, so that no copy of it is left in the run's locals.
struct RunSource {
  const Job* jobs;
  __m512i seqs;  // lane r, low qword: jobs[0].seq + r

  VOLLEY_INLINE explicit RunSource(const Job* j) : jobs(j) {
    seqs = _mm512_add_epi64(_mm512_set1_epi64(static_cast<long long>(j[0].seq)),
                            _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
  }
  VOLLEY_INLINE const Job& job(size_t q, int r) const {
    return jobs[4 * q + static_cast<size_t>(r)];
  }
  VOLLEY_INLINE const KeyState* key(size_t, int) const { return jobs[0].key; }
  VOLLEY_INLINE const uint8_t* in(size_t q, int r) const { return job(q, r).in; }
  VOLLEY_INLINE uint8_t* out(size_t q, int r) const { return job(q, r).out; }
  VOLLEY_INLINE uint8_t* tag(size_t q, int r) const { return job(q, r).tag; }
  VOLLEY_INLINE __m512i nonces(size_t q) const {
    // Byte 4 + i of a nonce takes byte 7 - i of the (little-endian) sequence number.
    const __m512i to_be = _mm512_broadcast_i32x4(
        _mm_setr_epi8(-1, -1, -1, -1, 7, 6, 5, 4, 3, 2, 1, 0, -1, -1, -1, -1));
    const __m512i iv = _mm512_broadcast_i32x4(_mm_maskz_loadu_epi8(0x0fff, jobs[0].iv));
    const __m512i s = _mm512_add_epi64(seqs, _mm512_set1_epi64(static_cast<long long>(4 * q)));
    return _mm512_xor_si512(iv, _mm512_shuffle_epi8(s, to_be));
  }
};

// UniformRun holds what a run's messages share. Mode (small_mode) is 0 or 1: keystream vector r
// of a quad covers message r's blocks 0..3, vector 4 has the four E(K, J0) and vector 5 (mode 1)
// the four blocks 4. With MultiKey, each message has its own key (of one size): the powers of H
// and the AAD-and-length term are then per message.
template <int Nr, bool Enc, int Mode, bool MultiKey, typename Src>
struct UniformRun {
  __m512i rk[Nr + 1];  // one key only
  __m512i bs;
  __m512i h, k;    // powers of H for blocks 0..3 (one key only)
  __m512i h2, k2;  // H^2 in every lane, for block 4 of five (one key only)
  __m512i al;      // AAD * H^(m+2) + L * H, reduced, in every lane (one key only)
  __m512i aadv;    // the AAD block (reflected) in every lane (several keys)
  __m512i lenv;    // the length block in every lane (several keys)
  size_t m;        // data blocks
  __mmask8 lm;     // lanes of blocks 0..3
  __mmask64 bm;    // data bytes of blocks 0..3
  __mmask16 tm;    // data bytes of block 4
  // Framed runs (seal): the bytes of blocks 0..3 and of block 4 read from the input, and the
  // content type in its place in each (zeros elsewhere). Plain runs read every data byte.
  __mmask64 cm;
  __mmask16 ctm;
  __m512i typev;
  __m128i typet;
  // Opening runs whose messages ask for their content type (Job::inner: all or none of a run,
  // uniform_prefix).
  bool scan;

  // The run's key (one key only), message length, AAD and frame, all those of |j0|.
  VOLLEY_INLINE explicit UniformRun(const Job& j0) {
    const size_t len = j0.len;
    const size_t aad_len = j0.aad_len;
    const uint8_t* aad = j0.aad;
    const uint8_t* ks = j0.key->bytes;
    bs = bswap_mask();
    m = (len + 15) / 16;
    // With no data the masks are zero, and so are the powers and products.
    lm = lane_mask8(m < 4 ? m : 4);
    bm = byte_mask(len);
    tm = static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(len > 64 ? len - 64 : 0)));
    cm = bm;
    ctm = tm;
    typev = _mm512_setzero_si512();
    typet = _mm_setzero_si128();
    scan = !Enc && j0.inner != nullptr;
    if (Enc && j0.type != 0) {
      // The frame is public: content_len < len <= 80.
      const size_t c = j0.content_len;
      const char t = static_cast<char>(j0.type);
      cm = byte_mask(c);
      ctm = static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(c > 64 ? c - 64 : 0)));
      if (c < 64) {
        typev = _mm512_maskz_set1_epi8(__mmask64{1} << c, t);
      } else {
        typet = _mm_maskz_set1_epi8(static_cast<__mmask16>(1u << (c - 64)), t);
      }
    }
    const __mmask16 am = static_cast<__mmask16>(_bzhi_u32(0xffffu, static_cast<unsigned>(aad_len)));
    const __m128i a = _mm_shuffle_epi8(_mm_maskz_loadu_epi8(am, aad), bswap_mask128());
    if (MultiKey) {
      aadv = _mm512_broadcast_i32x4(a);
      lenv = _mm512_broadcast_i32x4(len_block(aad_len, len));
    } else {
      load_round_keys<Nr>(ks, rk);
      h = _mm512_maskz_loadu_epi64(lm, pow_at(ks, m + 1));
      k = _mm512_maskz_loadu_epi64(lm, kar_at(ks, m + 1));
      h2 = _mm512_broadcast_i32x4(load16(pow_at(ks, 2)));
      k2 = _mm512_broadcast_i32x4(load16(kar_at(ks, 2)));
      al = _mm512_broadcast_i32x4(_mm_xor_si128(gmul128(a, load16(pow_at(ks, m + 2))),
                                                gmul128(len_block(aad_len, len),
                                                        load16(pow_at(ks, 1)))));
    }
  }

  // Keys are the key schedules of a quad's four messages (several keys).
  struct Keys {
    const uint8_t* p[4];
  };

  // round_key returns round key i for vector v (v < 4: message v; else lane r of message r).
  VOLLEY_INLINE __m512i round_key(const Keys& kq, int v, int i) const {
    if (!MultiKey) return rk[i];
    if (v < 4) return _mm512_broadcast_i32x4(load16(kq.p[v] + 16 * i));
    __m512i r = _mm512_castsi128_si512(load16(kq.p[0] + 16 * i));
    r = _mm512_inserti32x4(r, load16(kq.p[1] + 16 * i), 1);
    r = _mm512_inserti32x4(r, load16(kq.p[2] + 16 * i), 2);
    return _mm512_inserti32x4(r, load16(kq.p[3] + 16 * i), 3);
  }

  // aes_start takes the nonces (and keys) of quad q of |src| and sets up the counter blocks after
  // round 0.
  VOLLEY_INLINE void aes_start(const Src& src, size_t q, Keys& kq, __m512i* x) const {
    VOLLEY_UNROLL
    for (int r = 0; r < 4; ++r) kq.p[r] = MultiKey ? src.key(q, r)->bytes : nullptr;
    const __m512i nonces = src.nonces(q);
    const __m512i j0 =
        _mm512_or_si512(nonces, _mm512_broadcast_i32x4(_mm_set_epi32(0x01000000, 0, 0, 0)));
    const __m512i ctrs = small_counters(0);
    x[0] = _mm512_ternarylogic_epi64(_mm512_shuffle_i64x2(nonces, nonces, 0x00), ctrs,
                                     round_key(kq, 0, 0), 0x96);
    x[1] = _mm512_ternarylogic_epi64(_mm512_shuffle_i64x2(nonces, nonces, 0x55), ctrs,
                                     round_key(kq, 1, 0), 0x96);
    x[2] = _mm512_ternarylogic_epi64(_mm512_shuffle_i64x2(nonces, nonces, 0xaa), ctrs,
                                     round_key(kq, 2, 0), 0x96);
    x[3] = _mm512_ternarylogic_epi64(_mm512_shuffle_i64x2(nonces, nonces, 0xff), ctrs,
                                     round_key(kq, 3, 0), 0x96);
    const __m512i k0 = round_key(kq, 4, 0);
    x[4] = _mm512_xor_si512(j0, k0);
    if (Mode == 1) {
      // Counter 6 (block 4) from J0's counter 1: 1 ^ 7 = 6.
      const __m512i seven = _mm512_broadcast_i32x4(_mm_set_epi32(0x07000000, 0, 0, 0));
      x[5] = _mm512_ternarylogic_epi64(j0, seven, k0, 0x96);
    }
  }

  VOLLEY_INLINE void aes_round(const Keys& kq, __m512i* x, int i) const {
    VOLLEY_UNROLL
    for (int v = 0; v < 4; ++v) x[v] = _mm512_aesenc_epi128(x[v], round_key(kq, v, i));
    const __m512i kl = round_key(kq, 4, i);
    VOLLEY_UNROLL
    for (int v = 4; v < 5 + Mode; ++v) x[v] = _mm512_aesenc_epi128(x[v], kl);
  }

  VOLLEY_INLINE void aes_last(const Keys& kq, __m512i* x) const {
    VOLLEY_UNROLL
    for (int v = 0; v < 4; ++v) x[v] = _mm512_aesenclast_epi128(x[v], round_key(kq, v, Nr));
    const __m512i kl = round_key(kq, 4, Nr);
    VOLLEY_UNROLL
    for (int v = 4; v < 5 + Mode; ++v) x[v] = _mm512_aesenclast_epi128(x[v], kl);
  }

  // Data is a quad's input in mode 0, loaded a quad ahead of its use. Records of less than 43
  // bytes laid out back to back (the record layer's output buffer: header, body, tag) fall
  // within each other's 64-byte load and masked-store windows, and a load that overlaps an
  // older store in flight, even in masked-off bytes only, waits for it to retire: twice the time
  // per batch. Loading a quad's input before the stores of the quad before it keeps every load
  // ahead of the stores it could overlap. Mode 1 records are too long to overlap that way, and
  // there holding the loads in registers costs more than it saves.
  struct Data {
    __m512i v[4];  // blocks 0..3 of message r
  };

  VOLLEY_INLINE void load(Data& d, const Src& src, size_t q) const {
    if (Mode == 1) return;
    VOLLEY_UNROLL
    for (int r = 0; r < 4; ++r) {
      d.v[r] = _mm512_or_si512(_mm512_maskz_loadu_epi8(cm, src.in(q, r)), typev);
    }
  }

  // Hash is the GHASH stage of one quad in progress.
  struct Hash {
    Sum cur[2];
    Sum pair[2];
    __m512i tailv;     // lane r: block 4 of message r (reflected), mode 1
    __m512i hav, kav;  // lane r: message r's power of H for the AAD block (several keys)
    __m512i h1v, k1v;  // ... for the length block
    __m512i htv, ktv;  // ... for block 4
  };

  // step encrypts or decrypts message r of quad q (input d, keystream x) and multiplies its
  // blocks.
  VOLLEY_INLINE void step(Hash& g, const Src& src, size_t q, const Data& d, const __m512i* x,
                          int r) const {
    const uint8_t* const in = src.in(q, r);
    uint8_t* const out = src.out(q, r);
    const __m512i v =
        Mode == 0 ? d.v[r] : _mm512_or_si512(_mm512_maskz_loadu_epi8(cm, in), typev);
    const __m512i o = _mm512_xor_si512(v, x[r]);
    _mm512_mask_storeu_epi8(out, bm, o);
    const __m512i y = _mm512_shuffle_epi8(Enc ? _mm512_maskz_mov_epi8(bm, o) : v, bs);
    const __m512i ym = _mm512_xor_si512(y, _mm512_shuffle_epi32(y, _MM_PERM_BADC));
    if (Mode == 0 && !Enc && scan) {
      report(src.job(q, r), content_type_avx512::one_vector(_mm512_maskz_mov_epi8(bm, o)));
    }
    Sum& sr = g.cur[r & 1];
    if (MultiKey) {
      const uint8_t* ks = src.key(q, r)->bytes;
      const __m512i hr = _mm512_maskz_loadu_epi64(lm, pow_at(ks, m + 1));
      const __m512i kr = _mm512_maskz_loadu_epi64(lm, kar_at(ks, m + 1));
      sr = {_mm512_clmulepi64_epi128(y, hr, 0x00), _mm512_clmulepi64_epi128(ym, kr, 0x00),
            _mm512_clmulepi64_epi128(y, hr, 0x11)};
      // In the sequence AAD || data || length, the AAD block is m + 1 blocks before the end.
      g.hav = lane_set(g.hav, load16(pow_at(ks, m + 2)), r);
      g.kav = lane_set(g.kav, load16(kar_at(ks, m + 2)), r);
      g.h1v = lane_set(g.h1v, load16(pow_at(ks, 1)), r);
      g.k1v = lane_set(g.k1v, load16(kar_at(ks, 1)), r);
      if (Mode == 1) {
        g.htv = lane_set(g.htv, load16(pow_at(ks, 2)), r);
        g.ktv = lane_set(g.ktv, load16(kar_at(ks, 2)), r);
      }
    } else {
      sr = {_mm512_clmulepi64_epi128(y, h, 0x00), _mm512_clmulepi64_epi128(ym, k, 0x00),
            _mm512_clmulepi64_epi128(y, h, 0x11)};
    }
    if (Mode == 1) {
      const __m128i vt = _mm_or_si128(_mm_maskz_loadu_epi8(ctm, in + 64), typet);
      const __m128i ot = _mm_xor_si128(vt, extract_lane(x[5], r));
      _mm_mask_storeu_epi8(out + 64, tm, ot);
      if (!Enc && scan) {
        report(src.job(q, r),
               content_type_avx512::two_vectors(_mm512_maskz_mov_epi8(bm, o),
                                                _mm512_zextsi128_si512(_mm_maskz_mov_epi8(tm, ot))));
      }
      const __m128i yt =
          _mm_shuffle_epi8(Enc ? _mm_maskz_mov_epi8(tm, ot) : vt, _mm512_castsi512_si128(bs));
      g.tailv = lane_set(g.tailv, yt, r);
    }
    if (r & 1) {
      g.pair[r >> 1] = {fold_pairs(g.cur[0].lo, g.cur[1].lo), fold_pairs(g.cur[0].mi, g.cur[1].mi),
                        fold_pairs(g.cur[0].hi, g.cur[1].hi)};
    }
  }

  // lane_set puts |x| into lane r of |v|, starting a fresh vector at lane 0.
  static VOLLEY_INLINE __m512i lane_set(__m512i v, __m128i x, int r) {
    return r == 0 ? _mm512_zextsi128_si512(x) : insert_lane(v, x, r);
  }

  // finish adds the four messages' sums, lane r for message r, and writes the tags.
  VOLLEY_INLINE void finish(Hash& g, const Src& src, size_t q, const __m512i* x) const {
    Sum s{fold_final(g.pair[0].lo, g.pair[1].lo), fold_final(g.pair[0].mi, g.pair[1].mi),
          fold_final(g.pair[0].hi, g.pair[1].hi)};
    __m512i red;
    if (MultiKey) {
      mul_acc(s, aadv, g.hav, g.kav);
      mul_acc(s, lenv, g.h1v, g.k1v);
      if (Mode == 1) mul_acc(s, g.tailv, g.htv, g.ktv);
      red = reduce_lanes(s);
    } else {
      if (Mode == 1) mul_acc(s, g.tailv, h2, k2);
      red = _mm512_xor_si512(reduce_lanes(s), al);
    }
    const __m512i tags = _mm512_xor_si512(_mm512_shuffle_epi8(red, bs), x[4]);
    store16(src.tag(q, 0), _mm512_castsi512_si128(tags));
    store16(src.tag(q, 1), _mm512_extracti32x4_epi32(tags, 1));
    store16(src.tag(q, 2), _mm512_extracti32x4_epi32(tags, 2));
    store16(src.tag(q, 3), _mm512_extracti32x4_epi32(tags, 3));
  }
};

// uniform_run seals or opens the first |quads| quads of |src|, messages alike (uniform_prefix)
// with those of |j0| in mode Mode: the AES rounds of quad i run with the GHASH
// steps of quad i - 1 between them, four message steps spread over the first Nr - 2 rounds. The
// run constants and the source are locals whose address does not escape, so the stores to the
// messages do not force the compiler to reload them.
template <int Nr, bool Enc, int Mode, bool MultiKey, typename Src>
void uniform_run(const Src src, size_t quads, const Job& j0) {
  using Run = UniformRun<Nr, Enc, Mode, MultiKey, Src>;
  const Run u(j0);
  constexpr int kStep = (Nr - 1) / 4;
  typename Run::Keys kq;
  typename Run::Data dp;
  typename Run::Data dn;
  __m512i xp[6];
  __m512i xn[6];
  u.load(dp, src, 0);
  u.aes_start(src, 0, kq, xp);
  VOLLEY_UNROLL
  for (int i = 1; i < Nr; ++i) u.aes_round(kq, xp, i);
  u.aes_last(kq, xp);
  for (size_t qd = 1; qd < quads; ++qd) {
    const size_t prev = qd - 1;
    typename Run::Hash g;
    u.load(dn, src, qd);
    u.aes_start(src, qd, kq, xn);
    VOLLEY_UNROLL
    for (int i = 1; i < Nr; ++i) {
      u.aes_round(kq, xn, i);
      if ((i - 1) % kStep == 0 && (i - 1) / kStep < 4) {
        u.step(g, src, prev, dp, xp, (i - 1) / kStep);
      }
    }
    u.finish(g, src, prev, xp);
    u.aes_last(kq, xn);
    if (Mode == 0) dp = dn;
    VOLLEY_UNROLL
    for (int v = 0; v < 5 + Mode; ++v) xp[v] = xn[v];
  }
  const size_t last = quads - 1;
  typename Run::Hash g;
  VOLLEY_UNROLL
  for (int r = 0; r < 4; ++r) u.step(g, src, last, dp, xp, r);
  u.finish(g, src, last, xp);
}

// uniform_jobs runs |quads| quads of |jobs| (alike, by uniform_prefix) in mode Mode, from a
// RunSource when they are one connection's records under one key.
template <int Nr, bool Enc, int Mode, bool MultiKey>
void uniform_jobs(const Job* jobs, size_t quads, bool records) {
  if (!MultiKey && records) {
    uniform_run<Nr, Enc, Mode, false>(RunSource(jobs), quads, jobs[0]);
  } else {
    uniform_run<Nr, Enc, Mode, MultiKey>(JobSource{jobs}, quads, jobs[0]);
  }
}

template <int Nr, bool Enc, bool MultiKey>
VOLLEY_INLINE void uniform_mode(const Job* jobs, size_t quads, int mode, bool records) {
  if (mode == 0) {
    uniform_jobs<Nr, Enc, 0, MultiKey>(jobs, quads, records);
  } else {
    uniform_jobs<Nr, Enc, 1, MultiKey>(jobs, quads, records);
  }
}

// uniform_start takes the whole quads of a uniform prefix of jobs[0, n) of key size Nr and mode
// 0 or 1 through uniform_run, and returns how many jobs it processed.
template <int Nr, bool Enc>
VOLLEY_INLINE size_t uniform_start(const Job* jobs, size_t n) {
  const int mode = small_mode(jobs[0].len);
  if (mode > 1 || n < 4) return 0;
  bool same_key;
  bool records;
  const size_t quads = uniform_prefix(jobs, n, same_key, records) / 4;
  if (quads == 0) return 0;
  if (same_key) {
    uniform_mode<Nr, Enc, false>(jobs, quads, mode, records);
  } else {
    uniform_mode<Nr, Enc, true>(jobs, quads, mode, false);
  }
  return 4 * quads;
}

// small_run processes a prefix of jobs[0, n) made of small messages of one key size, four at a
// time through the two stages: the common shape of a batch from the record layer. It returns
// how many jobs it processed; it stops before the first group of four that does not fit.
template <int Nr, bool Enc>
size_t small_run(const Job* jobs, size_t n) {
  SmallQuad q[2];
  int cur = 0;
  bool ready = false;
  size_t i = 0;
  while (i < n) {
    SmallQuad& f = q[cur];
    const int cnt = n - i < 4 ? static_cast<int>(n - i) : 4;
    const Job& j0 = jobs[i];
    bool ok = true;
    bool same = true;
    bool uniform = true;
    int mode = 0;
    for (int r = 0; r < cnt; ++r) {
      const Job& j = jobs[i + static_cast<size_t>(r)];
      f.js[r] = &j;
      ok = ok & is_small(j) & (j.type == 0);
      const int mj = small_mode(j.len);
      mode = mj > mode ? mj : mode;
      same = same & (j.key == j0.key);
      uniform = uniform & (j.len == j0.len) & (j.aad_len == j0.aad_len);
    }
    ok = ok && rounds_of(j0.key) == Nr;
    if (!same) {
      for (int r = 1; r < cnt; ++r) ok = ok && rounds_of(f.js[r]->key) == Nr;
    }
    if (!ok) break;
    f.cnt = cnt;
    f.same_key = same;
    f.uniform = uniform;
    f.mode = mode;
    small_aes<Nr>(f);
    if (ready) small_ghash<Nr, Enc>(q[cur ^ 1]);
    cur ^= 1;
    ready = true;
    i += static_cast<size_t>(cnt);
  }
  if (ready) small_ghash<Nr, Enc>(q[cur ^ 1]);
  return i;
}

// Group is up to four short messages waiting to be processed together.
struct Group {
  const Job* jobs[4];
  int n = 0;
};

template <int Nr, bool Enc>
VOLLEY_INLINE void group_add(Group& g, const Job& j) {
  g.jobs[g.n++] = &j;
  if (g.n == 4) {
    quad<Nr, Enc>(g.jobs, 4);
    g.n = 0;
  }
}

// frame_covered: a framed job whose content covers every whole 256-byte chunk, which the bulk
// loop reads from |in| as they are (one_shot, seal_pair). Only long padding leaves it uncovered.
VOLLEY_INLINE bool frame_covered(const Job& j) { return j.content_len >= j.len - j.len % 256; }

// seal_long seals one message that is not short (is_short), plain or framed.
template <int Nr>
VOLLEY_INLINE void seal_long(LongPairs& longs, const Job& j) {
  if (j.type == 0 || frame_covered(j)) {
    longs.add(j, framing(j));
  } else {
    one_shot<Nr, true>(aead_internal::frame_in_place(j));
  }
}

// batch runs long messages one by one (seal: in pairs), small (record-layer sized) ones four at a
// time through SmallPipe, and other short ones four at a time through quad, each by key size.
// Framed jobs (seal only) go through the uniform runs, quad and the long paths, which read their
// content and insert the type byte.
// single seals or opens a batch of one. A plain job takes one_shot with no frame, so the framing
// code folds away at compile time (a frame chosen at run time cost a 64-byte seal 5%); a framed
// job that its closing piece cannot cover is framed into |out| first and sealed in place.
template <int Nr, bool Enc>
VOLLEY_INLINE void single(const Job& j) {
  if constexpr (!Enc) {
    open_one<Nr>(j);
  } else if (j.type == 0) {
    one_shot<Nr, true>(j);
  } else if (is_short(j) || frame_covered(j)) {
    one_shot<Nr, true>(j, &j);
  } else {
    one_shot<Nr, true>(aead_internal::frame_in_place(j));
  }
}

// batch_many takes batches of two or more. It is kept out of line: its frame (the pipes and groups
// below, 64-byte aligned) costs a prologue that a batch of one, the plain AEAD call, must not pay.
template <bool Enc>
[[gnu::noinline]] void batch_many(const Job* jobs, size_t n) {
  // Record-layer batches are usually all small: take the longest such prefix the fast way.
  size_t start = 0;
  if (is_small(jobs[0])) {
    if (rounds_of(jobs[0].key) == 10) {
      start = uniform_start<10, Enc>(jobs, n);
      start += small_run<10, Enc>(jobs + start, n - start);
    } else {
      start = uniform_start<14, Enc>(jobs, n);
      start += small_run<14, Enc>(jobs + start, n - start);
    }
  }
  SmallPipe small128, small256;
  small128.slot[0].cnt = small256.slot[0].cnt = 0;
  Group short128, short256;
  LongPairs longs;
  for (size_t i = start; i < n; ++i) {
    const Job& j = jobs[i];
    const bool aes128 = rounds_of(j.key) == 10;
    if (is_small(j) && (!Enc || j.type == 0)) {
      if (aes128) {
        small_add<10, Enc>(small128, j);
      } else {
        small_add<14, Enc>(small256, j);
      }
    } else if (is_short(j)) {
      if (aes128) {
        group_add<10, Enc>(short128, j);
      } else {
        group_add<14, Enc>(short256, j);
      }
    } else if (!Enc) {
      // Opening hashes each chunk beside its own keystream: no idle ends to fill.
      if (aes128) {
        open_one<10>(j);
      } else {
        open_one<14>(j);
      }
    } else if (aes128) {
      seal_long<10>(longs, j);
    } else {
      seal_long<14>(longs, j);
    }
  }
  longs.drain();
  small_drain<10, Enc>(small128);
  small_drain<14, Enc>(small256);
  if (short128.n > 0) quad<10, Enc>(short128.jobs, short128.n);
  if (short256.n > 0) quad<14, Enc>(short256.jobs, short256.n);
}

template <bool Enc>
VOLLEY_INLINE void batch(const Job* jobs, size_t n) {
  if (n == 1) {
    if (rounds_of(jobs[0].key) == 10) {
      single<10, Enc>(jobs[0]);
    } else {
      single<14, Enc>(jobs[0]);
    }
  } else if (n > 1) {
    batch_many<Enc>(jobs, n);
  }
}

void seal_batch(const Job* jobs, size_t n) { batch<true>(jobs, n); }
void open_batch(const Job* jobs, size_t n) { batch<false>(jobs, n); }

// ---------------------------------------------------------------------------------------------
// Streaming.

void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
           size_t aad_len) {
  const __m128i j0 = j0_block(nonce);
  store16(ms->bytes + kMsCtr, ctr_start(j0));
  store16(ms->bytes + kMsEkj0, aes_block(ks->bytes, rounds_of(ks), j0));
  store16(ms->bytes + kMsAcc, ghash_bytes(ks->bytes, _mm_setzero_si128(), aad, aad_len));
  const uint64_t al = aad_len;
  const uint64_t zero = 0;
  std::memcpy(ms->bytes + kMsAadLen, &al, 8);
  std::memcpy(ms->bytes + kMsLen, &zero, 8);
}

template <int Nr, bool Enc>
void update_nr(const uint8_t* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  const size_t chunks = len / 256;
  CtrAcc st =
      bulk<Nr, Enc>(ks, {load16(ms->bytes + kMsCtr), load16(ms->bytes + kMsAcc)}, in, out, chunks);
  const size_t rest = len - 256 * chunks;
  if (rest > 0) {
    const Piece pc{nullptr, 0,     in + 256 * chunks,  out + 256 * chunks,
                   rest,    false, _mm_setzero_si128()};
    Sum s = sum_zero();
    piece_dispatch<Nr, Enc>(ks, st.ctr, st.acc, pc, s);
    st.acc = reduce(s);
    st.ctr = _mm_add_epi32(st.ctr, _mm_cvtsi32_si128(static_cast<int>((rest + 15) / 16)));
  }
  store16(ms->bytes + kMsCtr, st.ctr);
  store16(ms->bytes + kMsAcc, st.acc);
  uint64_t total;
  std::memcpy(&total, ms->bytes + kMsLen, 8);
  total += len;
  std::memcpy(ms->bytes + kMsLen, &total, 8);
}

template <bool Enc>
void update(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  if (rounds_of(ks) == 10) {
    update_nr<10, Enc>(ks->bytes, ms, in, out, len);
  } else {
    update_nr<14, Enc>(ks->bytes, ms, in, out, len);
  }
}

void encrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  update<true>(ks, ms, in, out, len);
}

void decrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  update<false>(ks, ms, in, out, len);
}

void finish(const KeyState* ks, MsgState* ms, uint8_t* tag) {
  uint64_t aad_len, len;
  std::memcpy(&aad_len, ms->bytes + kMsAadLen, 8);
  std::memcpy(&len, ms->bytes + kMsLen, 8);
  __m128i acc = _mm_xor_si128(load16(ms->bytes + kMsAcc), len_block(aad_len, len));
  acc = gmul128(acc, load16(pow_at(ks->bytes, 1)));
  store16(tag, _mm_xor_si128(_mm_shuffle_epi8(acc, bswap_mask128()), load16(ms->bytes + kMsEkj0)));
}

// ---------------------------------------------------------------------------------------------
// Key setup.

template <int Rcon>
VOLLEY_INLINE __m128i expand_even(__m128i prev, __m128i other) {
  const __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(other, Rcon), 0xff);
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
  return _mm_xor_si128(prev, t);
}

VOLLEY_INLINE __m128i expand_odd(__m128i prev, __m128i other) {
  const __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(other, 0), 0xaa);
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
  return _mm_xor_si128(prev, t);
}

void expand128(uint8_t* out, const uint8_t* key) {
  __m128i k[11];
  k[0] = load16(key);
  k[1] = expand_even<0x01>(k[0], k[0]);
  k[2] = expand_even<0x02>(k[1], k[1]);
  k[3] = expand_even<0x04>(k[2], k[2]);
  k[4] = expand_even<0x08>(k[3], k[3]);
  k[5] = expand_even<0x10>(k[4], k[4]);
  k[6] = expand_even<0x20>(k[5], k[5]);
  k[7] = expand_even<0x40>(k[6], k[6]);
  k[8] = expand_even<0x80>(k[7], k[7]);
  k[9] = expand_even<0x1b>(k[8], k[8]);
  k[10] = expand_even<0x36>(k[9], k[9]);
  for (int i = 0; i < 11; ++i) store16(out + 16 * i, k[i]);
}

void expand256(uint8_t* out, const uint8_t* key) {
  __m128i k[15];
  k[0] = load16(key);
  k[1] = load16(key + 16);
  k[2] = expand_even<0x01>(k[0], k[1]);
  k[3] = expand_odd(k[1], k[2]);
  k[4] = expand_even<0x02>(k[2], k[3]);
  k[5] = expand_odd(k[3], k[4]);
  k[6] = expand_even<0x04>(k[4], k[5]);
  k[7] = expand_odd(k[5], k[6]);
  k[8] = expand_even<0x08>(k[6], k[7]);
  k[9] = expand_odd(k[7], k[8]);
  k[10] = expand_even<0x10>(k[8], k[9]);
  k[11] = expand_odd(k[9], k[10]);
  k[12] = expand_even<0x20>(k[10], k[11]);
  k[13] = expand_odd(k[11], k[12]);
  k[14] = expand_even<0x40>(k[12], k[13]);
  for (int i = 0; i < 15; ++i) store16(out + 16 * i, k[i]);
}

void init(KeyState* ks, const uint8_t* key, size_t key_len) {
  uint8_t* b = ks->bytes;
  std::memset(b, 0, sizeof(ks->bytes));
  const uint32_t nr = key_len == 32 ? 14 : 10;
  if (nr == 14) {
    expand256(b, key);
  } else {
    expand128(b, key);
  }
  std::memcpy(b + kRoundsOff, &nr, sizeof(nr));

  // H * x^-1: shift the reflected H left by one and fold the carry with x^-1 = x^127 + x^6 + x + 1
  // (0xc2000000000000000000000000000001 reflected). Masks, not branches: H is secret.
  const __m128i h =
      _mm_shuffle_epi8(aes_block(b, static_cast<int>(nr), _mm_setzero_si128()), bswap_mask128());
  uint64_t hi = static_cast<uint64_t>(_mm_extract_epi64(h, 1));
  uint64_t lo = static_cast<uint64_t>(_mm_extract_epi64(h, 0));
  const uint64_t carry = 0 - (hi >> 63);
  hi = (hi << 1) | (lo >> 63);
  lo <<= 1;
  hi ^= carry & 0xc200000000000000ULL;
  lo ^= carry & 1;
  const __m128i h1 = _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));

  __m128i p = h1;
  for (size_t k = 1; k <= kMaxPow; ++k) {
    if (k > 1) p = gmul128(p, h1);
    store16(b + kPowOff + (kMaxPow - k) * 16, p);
    store16(b + kKarOff + (kMaxPow - k) * 16, _mm_xor_si128(p, _mm_shuffle_epi32(p, 0x4e)));
  }
}

#undef VOLLEY_INLINE
#undef VOLLEY_UNROLL

}  // namespace
}  // namespace aes_gcm_vaes_avx512

const AeadKernel kAesGcmVaesAvx512 = {
    .init = aes_gcm_vaes_avx512::init,
    .begin = aes_gcm_vaes_avx512::begin,
    .encrypt = aes_gcm_vaes_avx512::encrypt,
    .decrypt = aes_gcm_vaes_avx512::decrypt,
    .finish = aes_gcm_vaes_avx512::finish,
    .stream_block = 16,
    .seal_batch = aes_gcm_vaes_avx512::seal_batch,
    .open_batch = aes_gcm_vaes_avx512::open_batch,
    .finds_content_type = true,
};

}  // namespace volley::kernels
