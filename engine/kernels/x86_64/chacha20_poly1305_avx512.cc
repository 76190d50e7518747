// One-pass ChaCha20-Poly1305 (RFC 8439 §2.8) on AVX-512 with IFMA.
//
// Long messages go through 2 KiB chunks. Each step of the loop runs two independent 16-block
// ChaCha20 batches (one block per 32-bit lane, one state word per zmm register; two batches so
// that one batch's dependency chains fill the other's latency gaps) and, in the same function,
// sixteen 8-lane IFMA Poly1305 steps over a 2 KiB chunk that is still in L1: sealing hashes the
// ciphertext the previous step wrote, opening hashes the chunk it is about to decrypt. The two
// are independent, so the out-of-order core overlaps the multiplier work with the ChaCha20 chains.
// A lone block (the key block of a long open, a last piece of one block) runs on the integer
// units, whose one-cycle latency halves its dependent chain; a short last piece hashes the
// pending ciphertext beside its latency-bound pass instead of after it.
//
// Messages up to 7 blocks compute the Poly1305 key block and the keystream in 256-bit registers
// holding two blocks each (no 16-lane batch for 2-8 blocks), up to 31 blocks in one 512-bit pass
// that also yields the key block, and hash with the scalar or the 8-lane Poly1305 by length.
//
// Batches of short records (seal_batch/open_batch, n > 1): 16 records side by side, lane j of each
// 16-block batch computing a block of record j, then Poly1305 per record.
//
// Content type (aead_kernel.h, Job::inner): an open job that asks has each plaintext block added,
// as it is written (xor_block), to a tracker of the standalone scan's method
// (content_type_avx512.h) in message order, and the type reported at the end; the 16- and 32-block
// passes are read back from L1 right after they are written (scan_written).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own intrinsics headers (the self-initialised __Y of _mm512_undefined_*).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

// GCC 12's AddressSanitizer puts locals that live in memory into "fake stack" frames (for
// use-after-return detection) that are not 64-byte aligned, while zmm locals and spills use
// aligned moves, which then fault. Under GCC's ASan these IFMA kernels are therefore built
// without ASan instrumentation; everything around them stays instrumented.
#if defined(__SANITIZE_ADDRESS__) && !defined(__clang__)
#define VOLLEY_FN __attribute__((no_sanitize_address))
#else
#define VOLLEY_FN
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"
#include "engine/kernels/aead_kernels.h"
// The content-type method's helpers must carry this file's attributes to inline into it.
#define VOLLEY_CT_FN VOLLEY_FN
#include "engine/kernels/x86_64/content_type_avx512.h"

namespace volley::kernels {
namespace chacha20_poly1305_avx512 {
namespace {

using content_type_avx512::Tracker;

#include "engine/kernels/portable/poly1305_scalar.inc"
#include "engine/kernels/x86_64/poly1305_ifma.inc"

using aead_internal::Job;
using aead_internal::KeyState;
using aead_internal::MsgState;

// ---------------------------------------------------------------------------------------------
// ChaCha20 (RFC 8439 §2.3)

// ChaChaState is the 16-word input block; word 12 (the counter) is set per batch. pre holds the
// state after part of the first column round: the counter is the only word that differs between
// the blocks of a message, so the quarter rounds on columns 1-3 and the first a += b of column 0
// give the same words for every block, and are computed once per message instead of in every
// lane of every batch (pre[12] unused; the feed-forward still adds w).
struct ChaChaState {
  uint32_t w[16];
  uint32_t pre[16];
};

VOLLEY_FN inline uint32_t rotl32(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

// make_words sets the 16 input words with counter 0.
VOLLEY_FN inline void make_words(uint32_t w[16], const uint8_t key[32], const uint8_t nonce[12]) {
  w[0] = 0x61707865;  // "expand 32-byte k"
  w[1] = 0x3320646e;
  w[2] = 0x79622d32;
  w[3] = 0x6b206574;
  std::memcpy(&w[4], key, 32);
  w[12] = 0;
  std::memcpy(&w[13], nonce, 12);
}

VOLLEY_FN void make_state(ChaChaState* s, const uint8_t key[32], const uint8_t nonce[12]) {
  make_words(s->w, key, nonce);
  std::memcpy(s->pre, s->w, sizeof(s->pre));
  uint32_t* x = s->pre;
  for (int i = 1; i < 4; ++i) {
    uint32_t &a = x[i], &b = x[4 + i], &c = x[8 + i], &d = x[12 + i];
    a += b;
    d = rotl32(d ^ a, 16);
    c += d;
    b = rotl32(b ^ c, 12);
    a += b;
    d = rotl32(d ^ a, 8);
    c += d;
    b = rotl32(b ^ c, 7);
  }
  x[0] += x[4];
  x[12] = 0;
}

// ChaCha20 rounds on a 16-block batch held in 16 named registers p0..p15 (word i of block j in
// lane j of p<i>), written as asm statements of two quarter rounds each (operands %0-%3 and %4-%7
// are words a, b, c, d of each; GCC allows 30 operands and an in-out operand counts twice). The
// rounds update in place and need no temporaries, so with two batches in flight (all 32 zmm
// registers) the compiler keeps the words in registers instead of spilling inside the dependency
// chains, which GCC did with the same code in intrinsics.
#define VOLLEY_A_ADD(a, b) "vpaddd %" #b ", %" #a ", %" #a "\n\t"
#define VOLLEY_A_XROT(d, a, n) \
  "vpxord %" #a ", %" #d ", %" #d "\n\tvprold $" #n ", %" #d ", %" #d "\n\t"
#define VOLLEY_A_STEP(a0, b0, d0, a1, b1, d1, n) \
  VOLLEY_A_ADD(a0, b0) VOLLEY_A_ADD(a1, b1) VOLLEY_A_XROT(d0, a0, n) VOLLEY_A_XROT(d1, a1, n)
#define VOLLEY_A_QR2                  \
  VOLLEY_A_STEP(0, 1, 3, 4, 5, 7, 16) \
  VOLLEY_A_STEP(2, 3, 1, 6, 7, 5, 12) \
  VOLLEY_A_STEP(0, 1, 3, 4, 5, 7, 8)  \
  VOLLEY_A_STEP(2, 3, 1, 6, 7, 5, 7)
#define VOLLEY_QR2_ASM(a0, b0, c0, d0, a1, b1, c1, d1) \
  __asm__(VOLLEY_A_QR2                                 \
          : "+v"(a0), "+v"(b0), "+v"(c0), "+v"(d0), "+v"(a1), "+v"(b1), "+v"(c1), "+v"(d1))
#define VOLLEY_COLUMN_ROUND_ASM(p)                                  \
  VOLLEY_QR2_ASM(p##0, p##4, p##8, p##12, p##1, p##5, p##9, p##13); \
  VOLLEY_QR2_ASM(p##2, p##6, p##10, p##14, p##3, p##7, p##11, p##15)
#define VOLLEY_DIAGONAL_ROUND_ASM(p)                                  \
  VOLLEY_QR2_ASM(p##0, p##5, p##10, p##15, p##1, p##6, p##11, p##12); \
  VOLLEY_QR2_ASM(p##2, p##7, p##8, p##13, p##3, p##4, p##9, p##14)

// The rest of column 0's quarter round after a += b (which the precomputed words hold), for
// one or two batches.
#define VOLLEY_A_QR2_REST                             \
  VOLLEY_A_XROT(3, 0, 16) VOLLEY_A_XROT(7, 4, 16)     \
  VOLLEY_A_STEP(2, 3, 1, 6, 7, 5, 12)                 \
  VOLLEY_A_STEP(0, 1, 3, 4, 5, 7, 8)                  \
  VOLLEY_A_STEP(2, 3, 1, 6, 7, 5, 7)
#define VOLLEY_A_QR1_REST                                                                    \
  VOLLEY_A_XROT(3, 0, 16)                                                                    \
  VOLLEY_A_ADD(2, 3) VOLLEY_A_XROT(1, 2, 12) VOLLEY_A_ADD(0, 1) VOLLEY_A_XROT(3, 0, 8) \
  VOLLEY_A_ADD(2, 3) VOLLEY_A_XROT(1, 2, 7)
#define VOLLEY_COLUMN0_REST_ASM(p, q)                                  \
  __asm__(VOLLEY_A_QR2_REST                                            \
          : "+v"(p##0), "+v"(p##4), "+v"(p##8), "+v"(p##12), "+v"(q##0), \
            "+v"(q##4), "+v"(q##8), "+v"(q##12))
#define VOLLEY_COLUMN0_REST1_ASM(p) \
  __asm__(VOLLEY_A_QR1_REST : "+v"(p##0), "+v"(p##4), "+v"(p##8), "+v"(p##12))

#define VOLLEY_BATCH_VARS(p)                                                                      \
  __m512i p##0, p##1, p##2, p##3, p##4, p##5, p##6, p##7, p##8, p##9, p##10, p##11, p##12, p##13, \
      p##14, p##15

#define VOLLEY_BATCH_FROM(p, arr)                                                               \
  p##0 = arr[0], p##1 = arr[1], p##2 = arr[2], p##3 = arr[3], p##4 = arr[4], p##5 = arr[5],     \
  p##6 = arr[6], p##7 = arr[7], p##8 = arr[8], p##9 = arr[9], p##10 = arr[10], p##11 = arr[11], \
  p##12 = arr[12], p##13 = arr[13], p##14 = arr[14], p##15 = arr[15]

#define VOLLEY_BATCH_TO(p, arr)                                                                 \
  arr[0] = p##0, arr[1] = p##1, arr[2] = p##2, arr[3] = p##3, arr[4] = p##4, arr[5] = p##5,     \
  arr[6] = p##6, arr[7] = p##7, arr[8] = p##8, arr[9] = p##9, arr[10] = p##10, arr[11] = p##11, \
  arr[12] = p##12, arr[13] = p##13, arr[14] = p##14, arr[15] = p##15

// VOLLEY_DOUBLE_ROUNDS_FROM runs double rounds |first|..9 of the batches in registers a*, b*.
#define VOLLEY_DOUBLE_ROUNDS_FROM(first) \
  for (int r = first; r < 10; ++r) {     \
    VOLLEY_COLUMN_ROUND_ASM(a);          \
    VOLLEY_COLUMN_ROUND_ASM(b);          \
    VOLLEY_DIAGONAL_ROUND_ASM(a);        \
    VOLLEY_DIAGONAL_ROUND_ASM(b);        \
  }

// VOLLEY_TWO_BATCH_ROUNDS runs the 20 rounds of the batches in arrays |x| and |y| side by side,
// in the 32 named registers.
#define VOLLEY_TWO_BATCH_ROUNDS(x, y) \
  VOLLEY_BATCH_VARS(a);               \
  VOLLEY_BATCH_VARS(b);               \
  VOLLEY_BATCH_FROM(a, x);            \
  VOLLEY_BATCH_FROM(b, y);            \
  VOLLEY_DOUBLE_ROUNDS_FROM(0)        \
  VOLLEY_BATCH_TO(a, x);              \
  VOLLEY_BATCH_TO(b, y)

// VOLLEY_TWO_BATCH_ROUNDS_PRE is VOLLEY_TWO_BATCH_ROUNDS for batches set up by load_batch_pre.
#define VOLLEY_TWO_BATCH_ROUNDS_PRE(x, y) \
  VOLLEY_BATCH_VARS(a);                   \
  VOLLEY_BATCH_VARS(b);                   \
  VOLLEY_BATCH_FROM(a, x);                \
  VOLLEY_BATCH_FROM(b, y);                \
  VOLLEY_COLUMN0_REST_ASM(a, b);          \
  VOLLEY_DIAGONAL_ROUND_ASM(a);           \
  VOLLEY_DIAGONAL_ROUND_ASM(b);           \
  VOLLEY_DOUBLE_ROUNDS_FROM(1)            \
  VOLLEY_BATCH_TO(a, x);                  \
  VOLLEY_BATCH_TO(b, y)

// load_batch_pre sets up 16 blocks from the precomputed words: lane j has counter ctr + j.
VOLLEY_FN inline void load_batch_pre(__m512i x[16], const ChaChaState* s, uint32_t ctr) {
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) x[i] = _mm512_set1_epi32(static_cast<int>(s->pre[i]));
  x[12] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr)),
                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

VOLLEY_FN inline void add_input(__m512i x[16], const ChaChaState* s, uint32_t ctr) {
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) {
    x[i] = _mm512_add_epi32(x[i], _mm512_set1_epi32(static_cast<int>(s->w[i])));
  }
  x[12] = _mm512_add_epi32(x[12], _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr)),
                                                   _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                                                     10, 11, 12, 13, 14, 15)));
}

VOLLEY_FN inline __mmask64 byte_mask(size_t avail) {
  return avail >= 64 ? ~__mmask64{0} : (__mmask64{1} << avail) - 1;
}

// xor_block writes out = in ^ ks for the first |avail| (1..64) bytes of one block. With a tracker
// |t| (an open job that asks for its content type, Job::inner) it adds the block, at message
// offset |at|, to it: blocks must come in message order.
VOLLEY_FN inline void xor_block(__m512i ks, const uint8_t* in, uint8_t* out, size_t avail,
                                Tracker* t = nullptr, size_t at = 0) {
  if (avail >= 64) {
    const __m512i o = _mm512_xor_si512(ks, _mm512_loadu_si512(in));
    _mm512_storeu_si512(out, o);
    if (t != nullptr) content_type_avx512::absorb(*t, o, at);
  } else {
    const __mmask64 m = byte_mask(avail);
    const __m512i o = _mm512_xor_si512(ks, _mm512_maskz_loadu_epi8(m, in));
    _mm512_mask_storeu_epi8(out, m, o);
    if (t != nullptr) content_type_avx512::absorb(*t, _mm512_maskz_mov_epi8(m, o), at);
  }
}

// store_batch transposes a finished batch (word i of block j in lane j of x[i]) into blocks and
// XORs them over in[0, len) (len <= 1024; blocks past len are not touched). With kRaw it stores
// the 16 keystream blocks to out instead (in and len unused).
template <bool kRaw = false>
VOLLEY_FN inline void store_batch(__m512i x[16], const uint8_t* in, uint8_t* out, size_t len) {
  // Per group of four words: 32- then 64-bit unpacks leave words 4g..4g+3 of block 4k+j in
  // 128-bit lane k of v[g][j].
  __m512i v[4][4];
#pragma GCC unroll 16
  for (int g = 0; g < 4; ++g) {
    const __m512i t0 = _mm512_unpacklo_epi32(x[4 * g], x[4 * g + 1]);
    const __m512i t1 = _mm512_unpackhi_epi32(x[4 * g], x[4 * g + 1]);
    const __m512i t2 = _mm512_unpacklo_epi32(x[4 * g + 2], x[4 * g + 3]);
    const __m512i t3 = _mm512_unpackhi_epi32(x[4 * g + 2], x[4 * g + 3]);
    v[g][0] = _mm512_unpacklo_epi64(t0, t2);
    v[g][1] = _mm512_unpackhi_epi64(t0, t2);
    v[g][2] = _mm512_unpacklo_epi64(t1, t3);
    v[g][3] = _mm512_unpackhi_epi64(t1, t3);
  }
// Then a 4x4 transpose of 128-bit lanes gathers block 4k+j from lane k of v[0..3][j].
#pragma GCC unroll 16
  for (int j = 0; j < 4; ++j) {
    const __m512i a = _mm512_shuffle_i32x4(v[0][j], v[1][j], 0x44);
    const __m512i b = _mm512_shuffle_i32x4(v[0][j], v[1][j], 0xee);
    const __m512i c = _mm512_shuffle_i32x4(v[2][j], v[3][j], 0x44);
    const __m512i d = _mm512_shuffle_i32x4(v[2][j], v[3][j], 0xee);
    const __m512i blk[4] = {_mm512_shuffle_i32x4(a, c, 0x88), _mm512_shuffle_i32x4(a, c, 0xdd),
                            _mm512_shuffle_i32x4(b, d, 0x88), _mm512_shuffle_i32x4(b, d, 0xdd)};
#pragma GCC unroll 16
    for (int k = 0; k < 4; ++k) {
      const size_t off = static_cast<size_t>(4 * k + j) * 64;
      if (kRaw) {
        _mm512_storeu_si512(out + off, blk[k]);
      } else if (off < len) {
        xor_block(blk[k], in + off, out + off, len - off);
      }
    }
  }
}

// scan_written adds the |len| plaintext bytes just written at |out| (message offset |at|) to the
// content-type tracker |t|, reading them back from L1. For the 16- and 32-block passes: ChaCha20
// keeps the vector ALUs busy there (the tracker's test and masked move are no cheaper beside it
// than after it), all 32 registers are taken, and the transposed blocks come out of order
// (0, 4, 8, 12, 1, ...), so tracking them in registers cost more (merges, spills) than this
// read-back on the load ports, which the pass leaves idle.
VOLLEY_FN inline void scan_written(Tracker* t, const uint8_t* out, size_t len, size_t at) {
  Tracker l = *t;
  size_t off = 0;
  for (; len - off >= 64; off += 64) {
    content_type_avx512::absorb(l, _mm512_loadu_si512(out + off), at + off);
  }
  if (off != len) {
    content_type_avx512::absorb(
        l, _mm512_maskz_loadu_epi8(content_type_avx512::lanes(len - off), out + off), at + off);
  }
  *t = l;
}

// chacha_x16 XORs up to 1024 bytes of keystream from block |ctr| over in (with kRaw: stores the
// 16 keystream blocks to out).
template <bool kRaw = false>
VOLLEY_FN void chacha_x16(const ChaChaState* s, uint32_t ctr, const uint8_t* in, uint8_t* out,
                          size_t len) {
  __m512i x[16];
  load_batch_pre(x, s, ctr);
  VOLLEY_BATCH_VARS(a);
  VOLLEY_BATCH_FROM(a, x);
  VOLLEY_COLUMN0_REST1_ASM(a);
  VOLLEY_DIAGONAL_ROUND_ASM(a);
  for (int r = 1; r < 10; ++r) {
    VOLLEY_COLUMN_ROUND_ASM(a);
    VOLLEY_DIAGONAL_ROUND_ASM(a);
  }
  VOLLEY_BATCH_TO(a, x);
  add_input(x, s, ctr);
  store_batch<kRaw>(x, in, out, len);
}

// PolyRun is the Poly1305 state of the message body while it is being hashed: one 8-lane
// accumulator and the powers r^8 .. r^128, so that up to 16 groups of 8 blocks enter with one
// carry (ifma_sums_*). A 2 KiB chunk then costs 288 IFMA instead of 352, the multiplier
// throughput that bounds the hashing, and its groups' products do not wait for each other.
struct PolyRun {
  IfmaAcc acc;
  IfmaTable t;
  size_t count;  // groups absorbed so far
};

// poly_absorb absorbs |n| (1..16) groups at |in|: acc = acc * r^(8n) + sum of group g times
// r^(8(n-1-g)). Before the first group the accumulator holds h in lane 0, which belongs with the
// first block (h + m_0) rather than a step ahead of it. Alternate groups go to two sets of sums so
// that each column's chain of multiply-adds is half as long.
[[gnu::always_inline]] VOLLEY_FN inline void poly_absorb(PolyRun* pr, const uint8_t* in,
                                                         size_t n) {
  IfmaSums a = ifma_sums_zero(), b = ifma_sums_zero();
  IfmaAcc x = ifma_msg(in);
  if (pr->count == 0) {
    x = ifma_add(x, pr->acc);
  } else {
    ifma_sums_mac(&b, pr->acc, &pr->t, n);
  }
  pr->count += n;
  for (size_t g = 0;;) {  // x is group g
    if (g + 1 == n) {
      ifma_sums_add(&a, x);
      break;
    }
    ifma_sums_mac(&a, x, &pr->t, n - 1 - g);
    x = ifma_msg(in + 128 * ++g);
    if (g + 1 == n) {
      ifma_sums_add(&b, x);
      break;
    }
    ifma_sums_mac(&b, x, &pr->t, n - 1 - g);
    x = ifma_msg(in + 128 * ++g);
  }
  pr->acc = ifma_sums_carry(a, b);
}

// run_groups absorbs |n| groups of 8 blocks, up to 16 per carry.
[[gnu::always_inline]] VOLLEY_FN inline void run_groups(PolyRun* pr, const uint8_t* in,
                                                        size_t n) {
  while (n > 0) {
    const size_t k = n < 16 ? n : 16;
    poly_absorb(pr, in, k);
    in += 128 * k;
    n -= k;
  }
}

// chacha_x32 XORs up to 2048 bytes of keystream from block |ctr| over in. With kHash it also
// absorbs |quads| (>= 1) rounds of four groups at |hp| into |pr|: before the rounds, so that |hp|
// may be |in| == |out| (opening in place), or with kHashAfter after the stores (sealing, where
// |hp| is ciphertext an earlier pass wrote). The multiplier work and the ChaCha20 rounds are
// independent, but they overlap only where the sections meet: the hash's ~500 operations, mostly
// waiting for the two IFMA pipes, fill the schedulers ahead of the rounds. Interleaving them in
// the source would need registers the 32 ChaCha20 words hold: GCC then spills the words, which
// measured slower with GCC and Clang in every split tried. After the stores, the hash of a
// message's first hashing pass does not wait at the head of the pass for the powers of r.
template <bool kHash, bool kRaw = false, bool kHashAfter = false>
VOLLEY_FN void chacha_x32(const ChaChaState* s, uint32_t ctr, const uint8_t* in, uint8_t* out,
                          size_t len, const uint8_t* hp, PolyRun* pr, size_t quads = 4) {
  if (kHash && !kHashAfter) run_groups(pr, hp, 4 * quads);
  __m512i x[16], y[16];
  load_batch_pre(x, s, ctr);
  load_batch_pre(y, s, ctr + 16);
  VOLLEY_TWO_BATCH_ROUNDS_PRE(x, y);
  add_input(x, s, ctr);
  add_input(y, s, ctr + 16);
  if (kRaw) {  // 32 keystream blocks to out
    store_batch<true>(x, nullptr, out, 0);
    store_batch<true>(y, nullptr, out + 1024, 0);
  } else {
    store_batch(x, in, out, len < 1024 ? len : 1024);
    if (len > 1024) store_batch(y, in + 1024, out + 1024, len - 1024);
  }
  if (kHash && kHashAfter) run_groups(pr, hp, 4 * quads);
}

// Short path: blocks in 256-bit registers, two per register (one per 128-bit lane), rows
// a = words 0-3, b = 4-7, c = 8-11, d = 12-15; the diagonal round rotates rows b, c, d.
#define VOLLEY_QR256(a, b, c, d)                    \
  a = _mm256_add_epi32(a, b);                       \
  d = _mm256_rol_epi32(_mm256_xor_si256(d, a), 16); \
  c = _mm256_add_epi32(c, d);                       \
  b = _mm256_rol_epi32(_mm256_xor_si256(b, c), 12); \
  a = _mm256_add_epi32(a, b);                       \
  d = _mm256_rol_epi32(_mm256_xor_si256(d, a), 8);  \
  c = _mm256_add_epi32(c, d);                       \
  b = _mm256_rol_epi32(_mm256_xor_si256(b, c), 7);

// HashFeed spreads |quads| rounds of four hash groups at |hp| over the ten double rounds of a
// short keystream pass (chacha_ymm, chacha_scalar), a few per round, absorbing them into |pr|.
struct HashFeed {
  VOLLEY_FN inline void start(PolyRun* run, const uint8_t* at, size_t n) {
    pr = run;
    hp = at;
    quads = n;
    per_round = (n + 9) / 10;
  }
  VOLLEY_FN inline void round() {
    if (done < quads) {
      const size_t k = quads - done < per_round ? quads - done : per_round;
      run_groups(pr, hp + 512 * done, 4 * k);
      done += k;
    }
  }
  PolyRun* pr = nullptr;
  const uint8_t* hp = nullptr;
  size_t quads = 0;
  size_t per_round = 0;
  size_t done = 0;
};

// chacha_ymm writes 2 * N keystream blocks from block |ctr| to ks (N register sets in parallel).
// With kHash it also absorbs |quads| rounds of four groups at |hp| into |pr| (count a multiple of
// four), a few per round: the short pass is latency-bound with few registers live, so the
// multiplier chains fill its idle issue slots instead of running as a burst after it (a message's
// last hashing runs beside its last short pass this way).
template <int N, bool kHash = false>
VOLLEY_FN void chacha_ymm(const ChaChaState* s, uint32_t ctr, uint8_t* ks, PolyRun* pr = nullptr,
                          const uint8_t* hp = nullptr, size_t quads = 0) {
  HashFeed feed;
  if (kHash) feed.start(pr, hp, quads);
  const __m256i a0 =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s->w[0])));
  const __m256i b0 =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s->w[4])));
  const __m256i c0 =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s->w[8])));
  __m256i d0 =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s->w[12])));
  d0 = _mm256_blend_epi32(d0, _mm256_setzero_si256(), 0x11);
  __m256i a[N], b[N], c[N], d[N], dd[N];
  for (int i = 0; i < N; ++i) {
    a[i] = a0;
    b[i] = b0;
    c[i] = c0;
    dd[i] = _mm256_add_epi32(d0, _mm256_setr_epi32(static_cast<int>(ctr + 2 * i), 0, 0, 0,
                                                   static_cast<int>(ctr + 2 * i + 1), 0, 0, 0));
    d[i] = dd[i];
  }
  for (int r = 0; r < 10; ++r) {
#pragma GCC unroll 4
    for (int i = 0; i < N; ++i) {
      VOLLEY_QR256(a[i], b[i], c[i], d[i])
      b[i] = _mm256_shuffle_epi32(b[i], 0x39);
      c[i] = _mm256_shuffle_epi32(c[i], 0x4e);
      d[i] = _mm256_shuffle_epi32(d[i], 0x93);
    }
#pragma GCC unroll 4
    for (int i = 0; i < N; ++i) {
      VOLLEY_QR256(a[i], b[i], c[i], d[i])
      b[i] = _mm256_shuffle_epi32(b[i], 0x93);
      c[i] = _mm256_shuffle_epi32(c[i], 0x4e);
      d[i] = _mm256_shuffle_epi32(d[i], 0x39);
    }
    if (kHash) feed.round();
  }
  for (int i = 0; i < N; ++i) {
    a[i] = _mm256_add_epi32(a[i], a0);
    b[i] = _mm256_add_epi32(b[i], b0);
    c[i] = _mm256_add_epi32(c[i], c0);
    d[i] = _mm256_add_epi32(d[i], dd[i]);
    uint8_t* o = ks + 128 * i;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), _mm256_permute2x128_si256(a[i], b[i], 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 32),
                        _mm256_permute2x128_si256(c[i], d[i], 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 64),
                        _mm256_permute2x128_si256(a[i], b[i], 0x31));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(o + 96),
                        _mm256_permute2x128_si256(c[i], d[i], 0x31));
  }
}

// xor_bytes: out = in ^ ks over len bytes. Whole blocks use plain stores: a load of data just
// written by a masked store cannot be forwarded from the store buffer, and Poly1305 reads the
// ciphertext right after.
// With a tracker |t| the plaintext goes to it, |at| the message offset of |out| (Job::inner).
VOLLEY_FN void xor_bytes(const uint8_t* ks, const uint8_t* in, uint8_t* out, size_t len,
                         Tracker* t = nullptr, size_t at = 0) {
  if (t != nullptr) {
    Tracker l = *t;  // in registers: the stores to |out| may alias *t
    for (size_t off = 0; off < len; off += 64) {
      xor_block(_mm512_loadu_si512(ks + off), in + off, out + off, len - off, &l, at + off);
    }
    *t = l;
    return;
  }
  for (size_t off = 0; off < len; off += 64) {
    xor_block(_mm512_loadu_si512(ks + off), in + off, out + off, len - off);
  }
}

// report writes the content type found in an open job's plaintext (aead_kernel.h, Job::inner).
VOLLEY_FN inline void report(const Job& j, content_type_avx512::Answer a) {
  j.inner->type = a.type;
  j.inner->content_len = static_cast<uint32_t>(a.content_len);
}

// wipe clears a stack buffer that held keystream; the empty asm keeps the stores.
VOLLEY_FN void wipe(void* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

// keystream_short writes blocks ctr .. ctr + nblocks - 1 (nblocks <= 8) to ks.
VOLLEY_FN void keystream_short(const ChaChaState* s, uint32_t ctr, size_t nblocks, uint8_t* ks) {
  switch ((nblocks + 1) / 2) {
    case 0:
    case 1:
      chacha_ymm<1>(s, ctr, ks);
      break;
    case 2:
      chacha_ymm<2>(s, ctr, ks);
      break;
    case 3:
      chacha_ymm<3>(s, ctr, ks);
      break;
    default:
      chacha_ymm<4>(s, ctr, ks);
      break;
  }
}

// A lone block on the integer units: their add/xor/rotate latency is one cycle against two for
// the vector units, so the 80 dependent quarter-round steps of one block take about half as long
// as in a 256-bit pass, and the vector units stay free for hashing beside it.
#define VOLLEY_QR32(a, b, c, d)                 \
  a += b;                                       \
  d ^= a;                                       \
  d = (d << 16) | (d >> 16);                    \
  c += d;                                       \
  b ^= c;                                       \
  b = (b << 12) | (b >> 20);                    \
  a += b;                                       \
  d ^= a;                                       \
  d = (d << 8) | (d >> 24);                     \
  c += d;                                       \
  b ^= c;                                       \
  b = (b << 7) | (b >> 25);

// A column round and a diagonal round on the words x0..x15.
#define VOLLEY_DOUBLE_ROUND32       \
  VOLLEY_QR32(x0, x4, x8, x12)      \
  VOLLEY_QR32(x1, x5, x9, x13)      \
  VOLLEY_QR32(x2, x6, x10, x14)     \
  VOLLEY_QR32(x3, x7, x11, x15)     \
  VOLLEY_QR32(x0, x5, x10, x15)     \
  VOLLEY_QR32(x1, x6, x11, x12)     \
  VOLLEY_QR32(x2, x7, x8, x13)      \
  VOLLEY_QR32(x3, x4, x9, x14)

// chacha_scalar writes keystream block |ctr| to ks[0, 64). With kHash it also absorbs |quads|
// rounds of four groups at |hp| into |pr|, spread over the rounds.
template <bool kHash = false>
VOLLEY_FN void chacha_scalar(const ChaChaState* s, uint32_t ctr, uint8_t* ks,
                             PolyRun* pr = nullptr, const uint8_t* hp = nullptr,
                             size_t quads = 0) {
  HashFeed feed;
  if (kHash) feed.start(pr, hp, quads);
  uint32_t x0 = s->w[0], x1 = s->w[1], x2 = s->w[2], x3 = s->w[3];
  uint32_t x4 = s->w[4], x5 = s->w[5], x6 = s->w[6], x7 = s->w[7];
  uint32_t x8 = s->w[8], x9 = s->w[9], x10 = s->w[10], x11 = s->w[11];
  uint32_t x12 = ctr, x13 = s->w[13], x14 = s->w[14], x15 = s->w[15];
  for (int r = 0; r < 10; ++r) {
    VOLLEY_DOUBLE_ROUND32
    if (kHash) feed.round();
  }
  uint32_t w[16] = {x0 + s->w[0],   x1 + s->w[1],   x2 + s->w[2],   x3 + s->w[3],
                    x4 + s->w[4],   x5 + s->w[5],   x6 + s->w[6],   x7 + s->w[7],
                    x8 + s->w[8],   x9 + s->w[9],   x10 + s->w[10], x11 + s->w[11],
                    x12 + ctr,      x13 + s->w[13], x14 + s->w[14], x15 + s->w[15]};
  std::memcpy(ks, w, 64);
  wipe(w, sizeof(w));
}

// xor_short_hashing XORs keystream from block |ctr| over 1..7 * 64 bytes (one block on the
// integer units, more in 256-bit registers) and meanwhile absorbs |quads| rounds of four groups at
// |hp| (not overlapping out[0, len)) into |pr|.
VOLLEY_FN void xor_short_hashing(const ChaChaState* s, uint32_t ctr, const uint8_t* in,
                                 uint8_t* out, size_t len, PolyRun* pr, const uint8_t* hp,
                                 size_t quads) {
  uint8_t ks[512];
  const size_t nblocks = (len + 63) / 64;
  switch ((nblocks + 1) / 2) {
    case 1:
      if (nblocks == 1) {
        chacha_scalar<true>(s, ctr, ks, pr, hp, quads);
      } else {
        chacha_ymm<1, true>(s, ctr, ks, pr, hp, quads);
      }
      break;
    case 2:
      chacha_ymm<2, true>(s, ctr, ks, pr, hp, quads);
      break;
    case 3:
      chacha_ymm<3, true>(s, ctr, ks, pr, hp, quads);
      break;
    default:
      chacha_ymm<4, true>(s, ctr, ks, pr, hp, quads);
      break;
  }
  xor_bytes(ks, in, out, len);
  wipe(ks, nblocks * 64);
}

// xor_any XORs keystream from block |ctr| over up to 2048 bytes with the narrowest pass that
// covers them: short pieces (a record's last few blocks) do not pay for 32 blocks.
VOLLEY_FN void xor_any(const ChaChaState* s, uint32_t ctr, const uint8_t* in, uint8_t* out,
                       size_t len, Tracker* t = nullptr, size_t at = 0) {
  if (len > 1024) {
    chacha_x32<false>(s, ctr, in, out, len, nullptr, nullptr);
    if (t != nullptr) scan_written(t, out, len, at);
  } else if (len > 7 * 64) {
    chacha_x16(s, ctr, in, out, len);
    if (t != nullptr) scan_written(t, out, len, at);
  } else if (len > 0) {
    uint8_t ks[512];
    const size_t nblocks = (len + 63) / 64;
    keystream_short(s, ctr, nblocks, ks);
    xor_bytes(ks, in, out, len, t, at);
    wipe(ks, nblocks * 64);
  }
}

// ---------------------------------------------------------------------------------------------
// Poly1305 over the AEAD layout

// Below this many body blocks the scalar Poly1305 is faster than setting up the 8 lanes.
constexpr size_t kMinVectorBlocks = 32;

// hash_padded absorbs data and zero padding to a multiple of 16 (RFC 8439 §2.8).
VOLLEY_FN void hash_padded(ScalarPoly* p, const uint8_t* data, size_t len) {
  sp_blocks(p, data, len / 16);
  const size_t rem = len % 16;
  if (rem != 0) {
    uint8_t block[16] = {0};
    std::memcpy(block, data + len - rem, rem);
    sp_blocks(p, block, 1);
    wipe(block, sizeof(block));
  }
}

VOLLEY_FN void hash_lengths(ScalarPoly* p, uint64_t aad_len, uint64_t ct_len) {
  uint8_t block[16];
  std::memcpy(block, &aad_len, 8);
  std::memcpy(block + 8, &ct_len, 8);
  sp_blocks(p, block, 1);
}

VOLLEY_FN void ensure_powers(ScalarPoly* p, IfmaPowers* pw) {
  if ((p->flags & 1) == 0) {
    ifma_powers(pw, p->r0, p->r1);
    p->flags |= 1;
  }
}

// run_powers fills |pr|'s powers and |pw|'s lane table (and marks it present in |p|) from r. A
// lane table already present (a streamed message's earlier calls, a long AAD) holds the chain r,
// r^2, r^4, r^8 in lanes 7, 5, 1, 0, so the three scalar products are not made again.
VOLLEY_FN void run_powers(PolyRun* pr, ScalarPoly* p, IfmaPowers* pw) {
  Poly44 pow[9];
  if ((p->flags & 1) != 0) {
    for (int k = 1; k <= 8; k *= 2) {
      const int lane = k == 1 ? 7 : k == 2 ? 5 : k == 4 ? 1 : 0;  // see IfmaPowers
      pow[k] = Poly44{pw->l0[lane], pw->l1[lane], pw->l2[lane]};
    }
  } else {
    ifma_power_chain(pow, p->r0, p->r1);
  }
  ifma_table_fill(&pr->t, pw, pow);
  p->flags |= 1;
  wipe(pow, sizeof(pow));
}

// run_begin starts the body's hashing from h (after run_powers).
VOLLEY_FN void run_begin(PolyRun* pr, const ScalarPoly* p) {
  const Poly44 h = sp_to44(p->h0, p->h1, p->h2);
  pr->acc.a0 = _mm512_maskz_set1_epi64(1, static_cast<long long>(h.l0));
  pr->acc.a1 = _mm512_maskz_set1_epi64(1, static_cast<long long>(h.l1));
  pr->acc.a2 = _mm512_maskz_set1_epi64(1, static_cast<long long>(h.l2));
  pr->count = 0;
}

// run_finish folds the lanes into p's h. |pr| is wiped afterwards: it holds powers of r.
VOLLEY_FN void run_finish(PolyRun* pr, ScalarPoly* p, const IfmaPowers* pw) {
  if (pr->count != 0) ifma_fold(p, pr->acc, pw);
  wipe(pr, sizeof(*pr));
}

// ---------------------------------------------------------------------------------------------
// Message body: ChaCha20 from block |ctr| and Poly1305 over the ciphertext (zero-padded at the
// end), one pass.

// With a tracker |t| (opening a whole message from its start) the plaintext goes to it.
template <bool kSeal>
VOLLEY_FN void body(const ChaChaState* s, ScalarPoly* p, IfmaPowers* pw, uint32_t ctr,
                    const uint8_t* in, uint8_t* out, size_t len, Tracker* t = nullptr) {
  const uint8_t* ct = kSeal ? out : in;  // what Poly1305 reads
  if (len / 16 < kMinVectorBlocks) {
    if (!kSeal) hash_padded(p, ct, len);
    xor_any(s, ctr, in, out, len, t);
    if (kSeal) hash_padded(p, ct, len);
    return;
  }

  PolyRun pr;
  run_powers(&pr, p, pw);
  run_begin(&pr, p);
  const size_t chunks = len / 2048;
  const size_t tail = len % 2048;
  const size_t tail_groups = tail / 128;
  const size_t rest = tail % 128;  // bytes after the last whole group
  const uint32_t tail_ctr = ctr + static_cast<uint32_t>(32 * chunks);
  if (kSeal) {
    // Iteration j encrypts chunk j and hashes chunk j - 1, written by the previous iteration.
    if (chunks > 0) chacha_x32<false>(s, ctr, in, out, 2048, nullptr, nullptr);
    for (size_t j = 1; j < chunks; ++j) {
      chacha_x32<true>(s, ctr + static_cast<uint32_t>(32 * j), in + 2048 * j, out + 2048 * j, 2048,
                       out + 2048 * (j - 1), &pr);
    }
    if (chunks > 0 && tail > 7 * 64) {
      chacha_x32<true>(s, tail_ctr, in + 2048 * chunks, out + 2048 * chunks, tail,
                       out + 2048 * (chunks - 1), &pr);
    } else if (chunks > 0 && tail > 0) {
      // A short tail takes a short pass; the last whole chunk is hashed beside it.
      xor_short_hashing(s, tail_ctr, in + 2048 * chunks, out + 2048 * chunks, tail, &pr,
                        out + 2048 * (chunks - 1), 4);
    } else if (chunks > 0) {
      run_groups(&pr, out + 2048 * (chunks - 1), 16);
    } else {
      xor_any(s, tail_ctr, in, out, tail);
    }
    run_groups(&pr, out + 2048 * chunks, tail_groups);
    run_finish(&pr, p, pw);
    hash_padded(p, out + len - rest, rest);
  } else {
    // Each chunk is hashed and decrypted in the same loop body (hash loads before stores).
    for (size_t j = 0; j < chunks; ++j) {
      chacha_x32<true>(s, ctr + static_cast<uint32_t>(32 * j), in + 2048 * j, out + 2048 * j, 2048,
                       in + 2048 * j, &pr);
      if (t != nullptr) scan_written(t, out + 2048 * j, 2048, 2048 * j);
    }
    // The tail is hashed before it is decrypted (in and out may be the same buffer).
    run_groups(&pr, in + 2048 * chunks, tail_groups);
    run_finish(&pr, p, pw);
    hash_padded(p, in + len - rest, rest);
    xor_any(s, tail_ctr, in + 2048 * chunks, out + 2048 * chunks, tail, t, 2048 * chunks);
  }
}

// hash_aad absorbs the AAD, zero-padded; long AAD goes through the 8 lanes.
VOLLEY_FN void hash_aad(ScalarPoly* p, IfmaPowers* pw, const uint8_t* aad, size_t len) {
  const size_t groups = len / 128;
  if (len / 16 >= kMinVectorBlocks) {
    ensure_powers(p, pw);
    ifma_blocks(p, pw, aad, groups);
    aad += 128 * groups;
    len -= 128 * groups;
  }
  hash_padded(p, aad, len);
}

// long_start sets up Poly1305 for a long message from its key block: r, s, the powers, h over
// the AAD.
VOLLEY_FN void long_start(PolyRun* pr, ScalarPoly* p, IfmaPowers* pw, const uint8_t key[32],
                          const uint8_t* aad, size_t aad_len) {
  sp_init(p, key);
  run_powers(pr, p, pw);
  hash_aad(p, pw, aad, aad_len);
  run_begin(pr, p);
}

// chacha_x32_keyed XORs blocks 1-32 over in[0, len) (1024 < len <= 2048; with kRaw: stores them
// to out) and writes block 0 (the Poly1305 key block) to key. Block 0 runs on the integer units,
// a double round beside each vector double round, so the first pass of a message is 32 data
// blocks instead of the key block and 31 (the later passes then cover whole 2 KiB chunks and a
// 2 KiB-aligned message ends without a short pass), and the key block needs no pass of its own.
template <bool kRaw = false>
VOLLEY_FN void chacha_x32_keyed(const ChaChaState* s, const uint8_t* in, uint8_t* out, size_t len,
                                uint8_t key[64]) {
  uint32_t x0 = s->w[0], x1 = s->w[1], x2 = s->w[2], x3 = s->w[3];
  uint32_t x4 = s->w[4], x5 = s->w[5], x6 = s->w[6], x7 = s->w[7];
  uint32_t x8 = s->w[8], x9 = s->w[9], x10 = s->w[10], x11 = s->w[11];
  uint32_t x12 = 0, x13 = s->w[13], x14 = s->w[14], x15 = s->w[15];
  __m512i x[16], y[16];
  load_batch_pre(x, s, 1);
  load_batch_pre(y, s, 17);
  VOLLEY_BATCH_VARS(a);
  VOLLEY_BATCH_VARS(b);
  VOLLEY_BATCH_FROM(a, x);
  VOLLEY_BATCH_FROM(b, y);
  VOLLEY_COLUMN0_REST_ASM(a, b);
  VOLLEY_DIAGONAL_ROUND_ASM(a);
  VOLLEY_DIAGONAL_ROUND_ASM(b);
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      VOLLEY_COLUMN_ROUND_ASM(a);
      VOLLEY_COLUMN_ROUND_ASM(b);
      VOLLEY_DIAGONAL_ROUND_ASM(a);
      VOLLEY_DIAGONAL_ROUND_ASM(b);
    }
    VOLLEY_DOUBLE_ROUND32
  }
  VOLLEY_BATCH_TO(a, x);
  VOLLEY_BATCH_TO(b, y);
  uint32_t w[16] = {x0 + s->w[0],   x1 + s->w[1],   x2 + s->w[2],   x3 + s->w[3],
                    x4 + s->w[4],   x5 + s->w[5],   x6 + s->w[6],   x7 + s->w[7],
                    x8 + s->w[8],   x9 + s->w[9],   x10 + s->w[10], x11 + s->w[11],
                    x12,            x13 + s->w[13], x14 + s->w[14], x15 + s->w[15]};
  std::memcpy(key, w, 64);
  wipe(w, sizeof(w));
  add_input(x, s, 1);
  add_input(y, s, 17);
  if (kRaw) {
    store_batch<true>(x, nullptr, out, 0);
    store_batch<true>(y, nullptr, out + 1024, 0);
  } else {
    store_batch(x, in, out, 1024);
    store_batch(y, in + 1024, out + 1024, len - 1024);
  }
}

// seal_long seals a message longer than 31 blocks. The first pass encrypts the first 2 KiB with
// blocks 1-32 and computes the Poly1305 key block beside it on the integer units, so no separate
// key-block pass sits on the critical path. Later passes are 2 KiB from block 33 on, and each
// hashes, after its stores, the 16 groups of ciphertext the previous pass wrote. A short last
// piece hashes the quads still pending beside its latency-bound short pass, so only a few groups
// are left for the end.
VOLLEY_FN void seal_long(const ChaChaState* s, ScalarPoly* p, IfmaPowers* pw, const Job& job) {
  const uint8_t* in = job.in;
  uint8_t* out = job.out;
  const size_t len = job.len;
  const size_t first = len < 2048 ? len : 2048;
  uint8_t key[64];
  chacha_x32_keyed(s, in, out, first, key);
  PolyRun pr;
  long_start(&pr, p, pw, key, job.aad, job.aad_len);
  wipe(key, sizeof(key));
  size_t pos = first;  // bytes encrypted
  size_t hashed = 0;   // bytes hashed, a multiple of 512
  uint32_t ctr = 33;
  while (pos < len) {
    const size_t n = len - pos < 2048 ? len - pos : 2048;
    if (n <= 7 * 64) {  // a short last piece: short pass, the pending ciphertext hashed beside it
      const size_t quads = (pos - hashed) / 512;
      xor_short_hashing(s, ctr, in + pos, out + pos, n, &pr, out + hashed, quads);
      hashed += 512 * quads;
      pos += n;
      break;
    }
    chacha_x32<true, false, true>(s, ctr, in + pos, out + pos, n, out + hashed, &pr);
    hashed += 2048;
    pos += n;
    ctr += 32;
  }
  const size_t groups = (len - hashed) / 128;
  run_groups(&pr, out + hashed, groups);
  hashed += 128 * groups;
  run_finish(&pr, p, pw);
  hash_padded(p, out + hashed, len - hashed);
}

// open_long opens a message of at least two 2 KiB chunks. Decryption may be in place, so every
// chunk is hashed before it is overwritten. The first pass computes the key block on the integer
// units beside the keystream of chunk 0 (kept on the stack), so neither the key block nor the
// powers of r wait for a pass of their own; the second pass then hashes chunks 0 and 1 beside the
// keystream of chunk 1, chunk 0 is decrypted from the stack, and later passes hash and decrypt
// their own chunk.
// With a tracker |t| the plaintext goes to it, chunk 0 (decrypted after chunk 1) first.
VOLLEY_FN void open_long(const ChaChaState* s, ScalarPoly* p, IfmaPowers* pw, const Job& job,
                         Tracker* t) {
  const uint8_t* in = job.in;
  uint8_t* out = job.out;
  const size_t len = job.len;
  alignas(64) uint8_t ks[2048];
  uint8_t key[64];
  chacha_x32_keyed<true>(s, nullptr, ks, 0, key);
  PolyRun pr;
  long_start(&pr, p, pw, key, job.aad, job.aad_len);
  wipe(key, sizeof(key));
  chacha_x32<true>(s, 33, in + 2048, out + 2048, 2048, in, &pr, 8);
  xor_bytes(ks, in, out, 2048, t, 0);
  if (t != nullptr) scan_written(t, out + 2048, 2048, 2048);
  wipe(ks, sizeof(ks));
  size_t pos = 4096;
  uint32_t ctr = 65;
  for (; len - pos >= 2048; pos += 2048, ctr += 32) {
    chacha_x32<true>(s, ctr, in + pos, out + pos, 2048, in + pos, &pr);
    if (t != nullptr) scan_written(t, out + pos, 2048, pos);
  }
  // The tail is hashed before it is decrypted.
  const size_t tail = len - pos;
  const size_t rest = tail % 128;
  run_groups(&pr, in + pos, tail / 128);
  run_finish(&pr, p, pw);
  hash_padded(p, in + len - rest, rest);
  xor_any(s, ctr, in + pos, out + pos, tail, t, pos);
}

// Keystream block 0 keys Poly1305 (RFC 8439 §2.6); the message starts at block 1.
// An open job that asks for its content type (Job::inner) has its plaintext blocks tracked in
// message order as they are written, and the answer reported at the end.
template <bool kSeal>
VOLLEY_FN void one_shot(const Job& job) {
  Tracker tracker = content_type_avx512::tracker_zero();
  Tracker* const t = !kSeal && job.inner != nullptr ? &tracker : nullptr;
  ChaChaState s;
  {
    const aead_internal::TlsNonce nonce(job.iv, job.seq);
    make_state(&s, job.key->bytes, nonce.bytes);
  }
  ScalarPoly p;
  IfmaPowers pw;
  const size_t len = job.len;
  if (len <= 7 * 64) {
    // Key block and keystream from one short pass.
    uint8_t ks[512];
    const size_t nblocks = 1 + (len + 63) / 64;
    keystream_short(&s, 0, nblocks, ks);
    sp_init(&p, ks);
    hash_aad(&p, &pw, job.aad, job.aad_len);
    if (!kSeal) hash_padded(&p, job.in, len);
    xor_bytes(ks + 64, job.in, job.out, len, t);
    if (kSeal) hash_padded(&p, job.out, len);
    wipe(ks, nblocks * 64);
  } else if (len <= 31 * 64) {
    // Key block and keystream from one 512-bit pass (one or two batches).
    alignas(64) uint8_t ks[2048];
    const size_t nblocks = 1 + (len + 63) / 64;
    if (nblocks <= 16) {
      chacha_x16<true>(&s, 0, nullptr, ks, 0);
    } else {
      chacha_x32<false, true>(&s, 0, nullptr, ks, 0, nullptr, nullptr);
    }
    sp_init(&p, ks);
    hash_aad(&p, &pw, job.aad, job.aad_len);
    if (!kSeal) hash_aad(&p, &pw, job.in, len);
    xor_bytes(ks + 64, job.in, job.out, len, t);
    if (kSeal) hash_aad(&p, &pw, job.out, len);
    wipe(ks, nblocks * 64);
  } else if (kSeal) {
    seal_long(&s, &p, &pw, job);
  } else if (len >= 4096) {
    open_long(&s, &p, &pw, job, t);
  } else {
    uint8_t ks[64];
    chacha_scalar(&s, 0, ks);
    sp_init(&p, ks);
    wipe(ks, sizeof(ks));
    hash_aad(&p, &pw, job.aad, job.aad_len);
    body<kSeal>(&s, &p, &pw, 1, job.in, job.out, len, t);
  }
  if (t != nullptr) report(job, content_type_avx512::answer(*t));
  hash_lengths(&p, job.aad_len, len);
  sp_finish(&p, job.tag);
  // The key words, r, s and the powers of r stay behind on the stack otherwise.
  wipe(&s, sizeof(s));
  wipe(&p, sizeof(p));
  wipe(&pw, sizeof(pw));
}

// ---------------------------------------------------------------------------------------------
// Kernel table

// Msg is the streaming state, kept in MsgState as bytes and copied in and out.
struct Msg {
  ScalarPoly p;
  IfmaPowers pw;
  ChaChaState s;
  uint32_t ctr;  // next block
  uint64_t aad_len;
  uint64_t ct_len;
};
static_assert(sizeof(Msg) <= sizeof(MsgState), "message state size");

VOLLEY_FN void init(KeyState* ks, const uint8_t* key, size_t) { std::memcpy(ks->bytes, key, 32); }

VOLLEY_FN void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
                     size_t aad_len) {
  Msg m;
  make_state(&m.s, ks->bytes, nonce);
  uint8_t block[64];
  chacha_scalar(&m.s, 0, block);
  sp_init(&m.p, block);
  wipe(block, sizeof(block));
  hash_aad(&m.p, &m.pw, aad, aad_len);
  m.ctr = 1;
  m.aad_len = aad_len;
  m.ct_len = 0;
  std::memcpy(ms->bytes, &m, sizeof(m));
  wipe(&m, sizeof(m));
}

template <bool kSeal>
VOLLEY_FN void stream(const KeyState*, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  Msg m;
  std::memcpy(&m, ms->bytes, sizeof(m));
  body<kSeal>(&m.s, &m.p, &m.pw, m.ctr, in, out, len);
  m.ctr += static_cast<uint32_t>((len + 63) / 64);
  m.ct_len += len;
  std::memcpy(ms->bytes, &m, sizeof(m));
  wipe(&m, sizeof(m));
}

VOLLEY_FN void finish(const KeyState*, MsgState* ms, uint8_t* tag) {
  Msg m;
  std::memcpy(&m, ms->bytes, sizeof(m));
  hash_lengths(&m.p, m.aad_len, m.ct_len);
  sp_finish(&m.p, tag);
  wipe(&m, sizeof(m));
}

// ---------------------------------------------------------------------------------------------
// Batches of short records: lane j of a 16-block batch runs record j's ChaCha20 state, so one
// pass computes the same block index of 16 records (two passes in flight: blocks k and k + 1).
// Block 0 of each lane is that record's Poly1305 key; Poly1305 then runs per record.

constexpr size_t kLaneRecords = 16;
// Records up to this long go through the lanes; longer ones take the one-shot path, which keeps
// every lane busy on its own.
constexpr size_t kLaneMaxLen = 1024;

// LaneStates holds word i of record j's ChaCha20 state at w[i][j] (counter word unused).
struct alignas(64) LaneStates {
  uint32_t w[16][16];
};

// lanes_keystream writes block k of every lane to ks[64 j] and block k + 1 to ks[1024 + 64 j].
VOLLEY_FN void lanes_keystream(const LaneStates* ls, uint32_t k, uint8_t* ks) {
  __m512i x[16], y[16];
  for (int i = 0; i < 16; ++i) x[i] = _mm512_load_si512(ls->w[i]);
  x[12] = _mm512_set1_epi32(static_cast<int>(k));
  for (int i = 0; i < 16; ++i) y[i] = x[i];
  y[12] = _mm512_set1_epi32(static_cast<int>(k + 1));
  VOLLEY_TWO_BATCH_ROUNDS(x, y);
  for (int i = 0; i < 16; ++i) {
    const __m512i w = _mm512_load_si512(ls->w[i]);
    x[i] = _mm512_add_epi32(x[i], w);
    y[i] = _mm512_add_epi32(y[i], w);
  }
  x[12] = _mm512_add_epi32(x[12], _mm512_set1_epi32(static_cast<int>(k)));
  y[12] = _mm512_add_epi32(y[12], _mm512_set1_epi32(static_cast<int>(k + 1)));
  store_batch<true>(x, nullptr, ks, 0);
  store_batch<true>(y, nullptr, ks + 1024, 0);
}

// hash_record computes a record's tag from its Poly1305 key: AAD, ciphertext, lengths.
VOLLEY_FN void hash_record(const Job& job, const uint8_t* poly_key, const uint8_t* ct) {
  ScalarPoly p;
  IfmaPowers pw;
  sp_init(&p, poly_key);
  hash_aad(&p, &pw, job.aad, job.aad_len);
  hash_aad(&p, &pw, ct, job.len);
  hash_lengths(&p, job.aad_len, job.len);
  sp_finish(&p, job.tag);
}

// lanes_records seals or opens up to 16 records of at most kLaneMaxLen bytes each.
template <bool kSeal>
VOLLEY_FN void lanes_records(const Job* const* jobs, size_t m) {
  LaneStates ls;
  size_t max_blocks = 0;  // data blocks of the longest record
  uint32_t w[16];
  for (size_t j = 0; j < kLaneRecords; ++j) {
    // Idle lanes repeat record 0; their output is never used.
    const Job& job = *jobs[j < m ? j : 0];
    const aead_internal::TlsNonce nonce(job.iv, job.seq);
    make_words(w, job.key->bytes, nonce.bytes);
    for (int i = 0; i < 16; ++i) ls.w[i][j] = w[i];
    const size_t blocks = (job.len + 63) / 64;
    if (blocks > max_blocks) max_blocks = blocks;
  }
  alignas(64) uint8_t ks[2048];
  uint8_t poly_keys[kLaneRecords][32];
  // Content-type trackers of the records that ask (Job::inner), block by block in order.
  Tracker tr[kLaneRecords];
  Tracker* tp[kLaneRecords];
  for (size_t j = 0; j < m; ++j) {
    tr[j] = content_type_avx512::tracker_zero();
    tp[j] = !kSeal && jobs[j]->inner != nullptr ? &tr[j] : nullptr;
  }
  for (size_t k = 0; k <= max_blocks; k += 2) {
    lanes_keystream(&ls, static_cast<uint32_t>(k), ks);
    if (k == 0) {
      for (size_t j = 0; j < m; ++j) std::memcpy(poly_keys[j], ks + 64 * j, 32);
      // Opening hashes the ciphertext before any of it is decrypted (in may equal out).
      if (!kSeal) {
        for (size_t j = 0; j < m; ++j) hash_record(*jobs[j], poly_keys[j], jobs[j]->in);
      }
    }
    for (size_t half = 0; half < 2; ++half) {
      const size_t blk = k + half;  // block index; data block blk - 1
      if (blk == 0) continue;
      const size_t off = 64 * (blk - 1);
      for (size_t j = 0; j < m; ++j) {
        const Job& job = *jobs[j];
        if (off < job.len) {
          const __m512i kb = _mm512_loadu_si512(ks + 1024 * half + 64 * j);
          xor_block(kb, job.in + off, job.out + off, job.len - off, tp[j], off);
        }
      }
    }
  }
  if (kSeal) {
    for (size_t j = 0; j < m; ++j) hash_record(*jobs[j], poly_keys[j], jobs[j]->out);
  } else {
    for (size_t j = 0; j < m; ++j) {
      if (tp[j] != nullptr) report(*jobs[j], content_type_avx512::answer(tr[j]));
    }
  }
  wipe(ks, sizeof(ks));
  wipe(poly_keys, sizeof(poly_keys));
  wipe(&ls, sizeof(ls));  // the records' key words
  wipe(w, sizeof(w));
}

template <bool kSeal>
VOLLEY_FN void batch(const Job* jobs, size_t n) {
  if (n == 1) {
    one_shot<kSeal>(jobs[0]);
    return;
  }
  const Job* lane_jobs[kLaneRecords];
  size_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    if (jobs[i].len > kLaneMaxLen) {
      one_shot<kSeal>(jobs[i]);
      continue;
    }
    lane_jobs[m++] = &jobs[i];
    if (m == kLaneRecords) {
      lanes_records<kSeal>(lane_jobs, m);
      m = 0;
    }
  }
  // A lone short record is faster on its own than in a mostly idle lane batch.
  if (m == 1) {
    one_shot<kSeal>(*lane_jobs[0]);
  } else if (m > 1) {
    lanes_records<kSeal>(lane_jobs, m);
  }
}

// Framed jobs are framed in place first (inner_frame.h): the lanes read whole blocks.
VOLLEY_FN void seal_batch(const Job* jobs, size_t n) {
  aead_internal::seal_framed_jobs(jobs, n, batch<true>);
}

VOLLEY_FN void open_batch(const Job* jobs, size_t n) { batch<false>(jobs, n); }

}  // namespace
}  // namespace chacha20_poly1305_avx512

const aead_internal::AeadKernel kChaCha20Poly1305Avx512 = {
    .init = chacha20_poly1305_avx512::init,
    .begin = chacha20_poly1305_avx512::begin,
    .encrypt = chacha20_poly1305_avx512::stream<true>,
    .decrypt = chacha20_poly1305_avx512::stream<false>,
    .finish = chacha20_poly1305_avx512::finish,
    .stream_block = 64,
    .seal_batch = chacha20_poly1305_avx512::seal_batch,
    .open_batch = chacha20_poly1305_avx512::open_batch,
    .finds_content_type = true,
};

}  // namespace volley::kernels
