// AES-GCM (NIST SP 800-38D) with AES-NI and PCLMULQDQ on xmm registers.
//
// CTR and GHASH are stitched: each iteration of the bulk loop runs eight AES counter blocks and
// the GHASH of eight ciphertext blocks side by side, so the AES and carry-less multiply units
// work at the same time. GHASH is aggregated over eight blocks (Horner's rule unrolled:
// X' = (X + C0)H^8 + C1 H^7 + ... + C7 H), with one Karatsuba multiply per block and a single
// reduction per eight blocks.
//
// Field elements are kept byte-reversed, so the 128-bit integer holds x^k at bit 127 - k. The
// powers of H are stored premultiplied by x^-1 (a one-bit shift): the carry-less product of two
// such values then comes out already aligned, x^k at bit 255 - k, with no shift before reducing.
//
// Messages with at most eight GHASH blocks in all (a TLS record of up to 96 bytes) run in
// registers as one AES pass and one reduction (short_*); a batch runs two of them with their AES
// rounds interleaved.
//
// Built with X86_AESNI flags only; reached through dispatch after the CPU reports SSE4.1, AES and
// PCLMULQDQ (kNeedsAesni).
#include <immintrin.h>

#include <cstring>
#include <new>

#include "engine/aead/aead_kernel.h"
#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"
#include "engine/kernels/aead_kernels.h"

namespace volley::kernels {
namespace aes_gcm_aesni {
namespace {

using aead_internal::Job;
using aead_internal::KeyState;
using aead_internal::MsgState;

struct Key {
  __m128i rk[15];
  __m128i hp[8];  // hp[i] = H^(i+1) * x^-1, byte-reversed
  __m128i hk[8];  // Karatsuba halves: both qwords = lo(hp[i]) ^ hi(hp[i])
  uint32_t rounds;
};

struct Msg {
  __m128i acc;  // GHASH accumulator, byte-reversed
  __m128i ctr;  // next counter block, byte-reversed: the 32-bit counter is dword 0
  __m128i ek0;  // E(K, J0), or J0 itself while ek0_pending
  uint64_t aad_len, msg_len;
  // E(K, J0) is computed late, alongside the first keystream blocks of a short message, so that
  // its AES rounds overlap theirs instead of running alone.
  bool ek0_pending;
};

static_assert(sizeof(Key) <= sizeof(KeyState), "aesni key does not fit KeyState");
static_assert(sizeof(Msg) <= sizeof(MsgState), "aesni message state does not fit MsgState");

const Key* key_of(const KeyState* ks) {
  return std::launder(reinterpret_cast<const Key*>(ks->bytes));
}
Msg* msg_of(MsgState* ms) { return std::launder(reinterpret_cast<Msg*>(ms->bytes)); }

void wipe(void* p, size_t n) {
  std::memset(p, 0, n);
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

inline __m128i bswap(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
inline __m128i load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
inline __m128i xor3(__m128i a, __m128i b, __m128i c) {
  return _mm_xor_si128(_mm_xor_si128(a, b), c);
}

// ---------------------------------------------------------------------------------------------
// Key schedule (FIPS 197 §5.2).

#include "engine/kernels/x86_64/aes_key_schedule.inc"

// Partial blocks and J0 in general registers.
#include "engine/kernels/x86_64/partial_block.inc"

// expand_key sets the round keys; those past the last round stay zero.
void expand_key(Key* k, const uint8_t* key, size_t key_len) {
  for (__m128i& r : k->rk) r = _mm_setzero_si128();
  k->rounds = static_cast<uint32_t>(aes_expand_key(key, key_len, k->rk));
}

inline __m128i encrypt1(const Key& k, __m128i b) {
  b = _mm_xor_si128(b, k.rk[0]);
  for (uint32_t r = 1; r < k.rounds; ++r) b = _mm_aesenc_si128(b, k.rk[r]);
  return _mm_aesenclast_si128(b, k.rk[k.rounds]);
}

// ---------------------------------------------------------------------------------------------
// GHASH.

// Wide is an unreduced 256-bit sum of Karatsuba products: lo, hi and the middle term.
struct Wide {
  __m128i lo, hi, mid;
};

inline Wide wide_zero() { return {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()}; }

// mul_add adds x * h (h premultiplied by x^-1, hk its Karatsuba halves) to |w|.
inline void mul_add(Wide* w, __m128i x, __m128i h, __m128i hk) {
  w->lo = _mm_xor_si128(w->lo, _mm_clmulepi64_si128(x, h, 0x00));
  w->hi = _mm_xor_si128(w->hi, _mm_clmulepi64_si128(x, h, 0x11));
  const __m128i xs = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e));
  w->mid = _mm_xor_si128(w->mid, _mm_clmulepi64_si128(xs, hk, 0x00));
}

// reduce folds the 256-bit product [P1:P0] (x^k at bit 255 - k; P0 holds degrees 128..255)
// modulo g = x^128 + x^7 + x^2 + x + 1, using x^128 = 1 + x + x^2 + x^7, multiplication by x^j
// being a right shift by j in this bit order. Each of two steps folds P0's low qword L (its 64
// highest degrees): a carry-less multiply by 0xC2 << 56 (bits 63, 62, 57) gives L one qword up,
// shifted right by 1, 2 and 7 across the 128 bits (the x, x^2 and x^7 terms), and the qword swap
// moves L itself (the 1 term) up with it. The second step folds the next qword the same way, and
// its swap puts every term where it belongs for the final XOR into P1. (Checked against the
// shift-only fold of the portable kernel by the differential tests.)
inline __m128i reduce(const Wide& w) {
  const __m128i mid = xor3(w.mid, w.lo, w.hi);
  __m128i p0 = _mm_xor_si128(w.lo, _mm_slli_si128(mid, 8));
  const __m128i p1 = _mm_xor_si128(w.hi, _mm_srli_si128(mid, 8));
  const __m128i poly = _mm_set_epi64x(static_cast<long long>(0xC200000000000000ull), 0);
  p0 = _mm_xor_si128(_mm_shuffle_epi32(p0, 0x4e), _mm_clmulepi64_si128(p0, poly, 0x10));
  p0 = _mm_xor_si128(_mm_shuffle_epi32(p0, 0x4e), _mm_clmulepi64_si128(p0, poly, 0x10));
  return _mm_xor_si128(p1, p0);
}

// gf_mul returns a * b * x (so a * b when b was premultiplied by x^-1).
inline __m128i gf_mul(__m128i a, __m128i b) {
  Wide w = wide_zero();
  mul_add(&w, a, b, _mm_xor_si128(b, _mm_shuffle_epi32(b, 0x4e)));
  return reduce(w);
}

// ghash_upto8 absorbs len (1..128) bytes with one reduction: block i of the n blocks is
// multiplied by H^(n-i), the accumulator joining block 0, and a final partial block is
// zero-padded (SP 800-38D §6.4). Only public data (AAD, ciphertext) passes through here.
__m128i ghash_upto8(const Key& k, __m128i acc, const uint8_t* p, size_t len) {
  const size_t n = (len + 15) / 16;
  const size_t whole = len / 16;
  Wide w = wide_zero();
  for (size_t i = 0; i < n; ++i) {
    __m128i x;
    if (i < whole) {
      x = load(p + 16 * i);
    } else {
      alignas(16) uint8_t buf[16] = {};
      std::memcpy(buf, p + 16 * i, len - 16 * i);
      x = load(buf);
    }
    x = bswap(x);
    if (i == 0) x = _mm_xor_si128(x, acc);
    mul_add(&w, x, k.hp[n - 1 - i], k.hk[n - 1 - i]);
  }
  return reduce(w);
}

// ghash_bytes absorbs |len| bytes, eight blocks per reduction.
__m128i ghash_bytes(const Key& k, __m128i acc, const uint8_t* p, size_t len) {
  while (len >= 128) {
    acc = ghash_upto8(k, acc, p, 128);
    p += 128;
    len -= 128;
  }
  return len > 0 ? ghash_upto8(k, acc, p, len) : acc;
}

void init(KeyState* ks, const uint8_t* key, size_t key_len) {
  Key* k = new (ks->bytes) Key;
  expand_key(k, key, key_len);
  // H * x^-1: shift left by one (down one degree); the x^0 term wraps to
  // x^-1 = x^127 + x^6 + x + 1, i.e. the constant 0xC2000000...01.
  const __m128i h = bswap(encrypt1(*k, _mm_setzero_si128()));
  const __m128i shifted =
      _mm_or_si128(_mm_slli_epi64(h, 1), _mm_slli_si128(_mm_srli_epi64(h, 63), 8));
  const __m128i top = _mm_shuffle_epi32(_mm_srai_epi32(h, 31), 0xff);  // all ones iff bit 127 set
  const __m128i poly = _mm_set_epi32(static_cast<int>(0xC2000000u), 0, 0, 1);
  k->hp[0] = _mm_xor_si128(shifted, _mm_and_si128(top, poly));
  for (int i = 1; i < 8; ++i) k->hp[i] = gf_mul(k->hp[i - 1], k->hp[0]);
  for (int i = 0; i < 8; ++i) {
    k->hk[i] = _mm_xor_si128(k->hp[i], _mm_shuffle_epi32(k->hp[i], 0x4e));
  }
}

// ---------------------------------------------------------------------------------------------
// CTR + GHASH.

// one() is a function, not a namespace-scope constant: a dynamic initialiser compiled with these
// flags would run at startup, before dispatch has checked the CPU.
inline __m128i one() { return _mm_set_epi32(0, 0, 0, 1); }

// The counter block lives byte-reversed so that a 32-bit add increments it modulo 2^32 exactly
// as inc_32 does (SP 800-38D §6.2); it is reversed back before encryption.
// The eight-block loops are unrolled by hand (GCC -O2 does not unroll them), so that the eight
// blocks stay in registers and their AES rounds issue back to back.
#define VOLLEY_FOR8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define VOLLEY_ENC(b) s[b] = _mm_aesenc_si128(s[b], rkey);
#define VOLLEY_ROUND(r)           \
  do {                            \
    const __m128i rkey = k.rk[r]; \
    VOLLEY_FOR8(VOLLEY_ENC)       \
  } while (0)

// crypt8 XORs eight blocks of keystream (counter blocks ctr..ctr+7) into in -> out and advances
// ctr. |hash|, when not null, points at eight ciphertext blocks that are GHASHed into |acc| in
// the same body, one Karatsuba multiply per AES round, so that the multiplies overlap the AES
// rounds. Inlined by force: the blocks must stay in registers. |hash| is read before |out| is
// written, so decrypting in place may pass hash == in.
__attribute__((always_inline)) inline void crypt8(const Key& k, __m128i* ctr, __m128i* acc,
                                                  const uint8_t* in, uint8_t* out,
                                                  const uint8_t* hash) {
  const __m128i rk0 = k.rk[0];
  const __m128i c = *ctr;
  __m128i s[8];
  // While the low counter byte does not wrap within the eight blocks, add to the big-endian
  // block directly (byte 15 is the top byte of dword 3) instead of reversing each block.
  if ((_mm_cvtsi128_si32(c) & 0xff) <= 0xff - 7) {
    const __m128i be = bswap(c);
#define VOLLEY_CTR(b) \
  s[b] = _mm_xor_si128(_mm_add_epi32(be, _mm_set_epi32((b) << 24, 0, 0, 0)), rk0);
    VOLLEY_FOR8(VOLLEY_CTR)
#undef VOLLEY_CTR
  } else {
#define VOLLEY_CTR(b) s[b] = _mm_xor_si128(bswap(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, b))), rk0);
    VOLLEY_FOR8(VOLLEY_CTR)
#undef VOLLEY_CTR
  }
  *ctr = _mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 8));
  if (hash != nullptr) {
    Wide w = wide_zero();
    const __m128i x0 = _mm_xor_si128(bswap(load(hash)), *acc);
    VOLLEY_ROUND(1);
    mul_add(&w, x0, k.hp[7], k.hk[7]);
    VOLLEY_ROUND(2);
    mul_add(&w, bswap(load(hash + 16)), k.hp[6], k.hk[6]);
    VOLLEY_ROUND(3);
    mul_add(&w, bswap(load(hash + 32)), k.hp[5], k.hk[5]);
    VOLLEY_ROUND(4);
    mul_add(&w, bswap(load(hash + 48)), k.hp[4], k.hk[4]);
    VOLLEY_ROUND(5);
    mul_add(&w, bswap(load(hash + 64)), k.hp[3], k.hk[3]);
    VOLLEY_ROUND(6);
    mul_add(&w, bswap(load(hash + 80)), k.hp[2], k.hk[2]);
    VOLLEY_ROUND(7);
    mul_add(&w, bswap(load(hash + 96)), k.hp[1], k.hk[1]);
    VOLLEY_ROUND(8);
    mul_add(&w, bswap(load(hash + 112)), k.hp[0], k.hk[0]);
    VOLLEY_ROUND(9);
    *acc = reduce(w);
  } else {
    for (int r = 1; r < 10; ++r) VOLLEY_ROUND(r);
  }
  for (uint32_t r = 10; r < k.rounds; ++r) VOLLEY_ROUND(r);
  const __m128i last = k.rk[k.rounds];
#define VOLLEY_LAST(b) \
  store(out + 16 * (b), _mm_aesenclast_si128(s[b], _mm_xor_si128(last, load(in + 16 * (b)))));
  VOLLEY_FOR8(VOLLEY_LAST)
#undef VOLLEY_LAST
}

#undef VOLLEY_ROUND

// aes4 / aes8 encrypt s[0..3] / s[0..7] in place. Unrolled and inlined so the blocks stay in
// registers: a loop over a variable block count keeps them on the stack, and the store/reload
// in every round then costs more than encrypting all eight lanes. Short messages simply run
// four or eight lanes and ignore the ones they do not need.
#define VOLLEY_FOR4(X) X(0) X(1) X(2) X(3)
#define VOLLEY_AES_LANES(name, FOR)                                            \
  __attribute__((always_inline)) inline void name(const Key& k, __m128i s[]) { \
    const __m128i rk0 = k.rk[0];                                               \
    FOR(VOLLEY_ARK)                                                            \
    for (uint32_t r = 1; r < k.rounds; ++r) {                                  \
      const __m128i rkey = k.rk[r];                                            \
      FOR(VOLLEY_ENC)                                                          \
    }                                                                          \
    const __m128i rkey = k.rk[k.rounds];                                       \
    FOR(VOLLEY_ENCLAST)                                                        \
  }
#define VOLLEY_ARK(b) s[b] = _mm_xor_si128(s[b], rk0);
#define VOLLEY_ENCLAST(b) s[b] = _mm_aesenclast_si128(s[b], rkey);
VOLLEY_AES_LANES(aes4, VOLLEY_FOR4)
VOLLEY_AES_LANES(aes8, VOLLEY_FOR8)
#undef VOLLEY_AES_LANES
#undef VOLLEY_ARK
#undef VOLLEY_ENCLAST
#undef VOLLEY_ENC
#undef VOLLEY_FOR4

// counter_lanes fills s[0..7] with the counter blocks ctr, ctr+1, ... (big-endian again).
inline void counter_lanes(__m128i s[8], __m128i ctr) {
  for (int b = 0; b < 8; ++b) s[b] = bswap(_mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, b)));
}

void ensure_ek0(const Key& k, Msg* m) {
  if (m->ek0_pending) {
    m->ek0 = encrypt1(k, m->ek0);
    m->ek0_pending = false;
  }
}

// tail handles the last len < 128 bytes: keystream for ceil(len/16) blocks (plus E(K, J0) if
// still pending, in the same pass), XOR, and the GHASH of the ciphertext (input when decrypting,
// output when encrypting).
void tail(const Key& k, Msg* m, const uint8_t* in, uint8_t* out, size_t len, bool decrypt) {
  const size_t nb = (len + 15) / 16;
  __m128i s[8];
  counter_lanes(s, m->ctr);
  m->ctr = _mm_add_epi32(m->ctr, _mm_set_epi32(0, 0, 0, static_cast<int>(nb)));
  const bool pending = m->ek0_pending;
  if (pending && nb < 8) s[nb] = m->ek0;  // J0 rides in a spare lane when there is one
  if (nb < 4) {
    aes4(k, s);
  } else {
    aes8(k, s);
  }
  if (pending) {
    m->ek0 = nb < 8 ? s[nb] : encrypt1(k, m->ek0);
    m->ek0_pending = false;
  }
  if (decrypt) m->acc = ghash_bytes(k, m->acc, in, len);
  const size_t whole = len / 16;
  for (size_t b = 0; b < whole; ++b) store(out + 16 * b, _mm_xor_si128(load(in + 16 * b), s[b]));
  if (len % 16 != 0) {
    alignas(16) uint8_t buf[16];
    store(buf, s[whole]);
    for (size_t i = 0; i < len % 16; ++i) out[16 * whole + i] = in[16 * whole + i] ^ buf[i];
    wipe(buf, sizeof(buf));
  }
  if (!decrypt) m->acc = ghash_bytes(k, m->acc, out, len);
  wipe(s, sizeof(s));
}

void encrypt_msg(const Key& k, Msg* m, const uint8_t* in, uint8_t* out, size_t len) {
  m->msg_len += len;
  if (len >= 128) {
    ensure_ek0(k, m);
    // Encryption hashes its own output, so the GHASH of each chunk runs one iteration late.
    // Counter and accumulator live in locals: stores through |out| may alias *m.
    __m128i ctr = m->ctr, acc = m->acc;
    crypt8(k, &ctr, &acc, in, out, nullptr);
    in += 128;
    out += 128;
    len -= 128;
    while (len >= 128) {
      crypt8(k, &ctr, &acc, in, out, out - 128);
      in += 128;
      out += 128;
      len -= 128;
    }
    m->acc = ghash_upto8(k, acc, out - 128, 128);
    m->ctr = ctr;
  }
  if (len > 0) tail(k, m, in, out, len, false);
}

void decrypt_msg(const Key& k, Msg* m, const uint8_t* in, uint8_t* out, size_t len) {
  m->msg_len += len;
  if (len >= 128) {
    ensure_ek0(k, m);
    __m128i ctr = m->ctr, acc = m->acc;
    while (len >= 128) {
      crypt8(k, &ctr, &acc, in, out, in);
      in += 128;
      out += 128;
      len -= 128;
    }
    m->acc = acc;
    m->ctr = ctr;
  }
  if (len > 0) tail(k, m, in, out, len, true);
}

void begin_msg(const Key& k, Msg* m, const uint8_t* nonce, const uint8_t* aad, size_t aad_len) {
  const __m128i j = j0_block(nonce);
  m->ek0 = j;
  m->ek0_pending = true;
  m->ctr = _mm_add_epi32(bswap(j), one());
  m->aad_len = aad_len;
  m->msg_len = 0;
  m->acc = ghash_bytes(k, _mm_setzero_si128(), aad, aad_len);
}

void finish_msg(const Key& k, Msg* m, uint8_t* tag) {
  ensure_ek0(k, m);
  const __m128i lens = _mm_set_epi64x(static_cast<long long>(m->aad_len * 8),
                                      static_cast<long long>(m->msg_len * 8));
  const __m128i x = gf_mul(_mm_xor_si128(m->acc, lens), k.hp[0]);
  store(tag, _mm_xor_si128(bswap(x), m->ek0));
}

void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
           size_t aad_len) {
  begin_msg(*key_of(ks), new (ms->bytes) Msg, nonce, aad, aad_len);
}

void encrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  encrypt_msg(*key_of(ks), msg_of(ms), in, out, len);
}

void decrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  decrypt_msg(*key_of(ks), msg_of(ms), in, out, len);
}

void finish(const KeyState* ks, MsgState* ms, uint8_t* tag) {
  finish_msg(*key_of(ks), msg_of(ms), tag);
}

// ---------------------------------------------------------------------------------------------
// Short messages in registers.
//
// A message whose AAD blocks, data blocks and length block number at most eight runs as one AES
// pass over exactly the blocks it needs (J0 first, so E(K, J0) comes out with the keystream) and
// one aggregated GHASH (block i times H^(n-i)) with a single reduction, with partial blocks read
// and written in registers (partial_block.inc).

// From offset 16 - n: n bytes of ones, then zeros.
alignas(64) constexpr uint8_t kByteMask[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                               0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// block_at returns block j of the |len| bytes at |p|, zero-padded (zero past the end).
[[gnu::always_inline]] inline __m128i block_at(const uint8_t* p, size_t len, size_t j) {
  if (16 * j >= len) return _mm_setzero_si128();
  // The 16 - n bytes before a partial block belong to the buffer when it is 16 bytes or more.
  return load_tail(p + 16 * j, len - 16 * j < 16 ? len - 16 * j : 16, len >= 16);
}

// store_block_at writes block j of |len| bytes at |p| from |v| (only the bytes below |len|).
[[gnu::always_inline]] inline void store_block_at(uint8_t* p, size_t len, size_t j, __m128i v) {
  if (16 * j + 16 <= len) {
    store(p + 16 * j, v);
  } else if (16 * j < len) {
    store_tail(p + 16 * j, v, len - 16 * j);
  }
}

// short_counters fills s[0 .. NB) with J0, J0 + 1, ... XORed with round key 0. J0 ends in
// 00 00 00 01 and NB <= 8, so only byte 15 (the top byte of dword 3) changes and nothing carries.
template <int NB>
[[gnu::always_inline]] inline void short_counters(const Key& k, const Job& j, __m128i s[NB]) {
  const __m128i j0 = job_j0(j);
#pragma GCC unroll 8
  for (int b = 0; b < NB; ++b) {
    s[b] = _mm_xor_si128(_mm_add_epi32(j0, _mm_set_epi32(b << 24, 0, 0, 0)), k.rk[0]);
  }
}

// PublicCache holds the AAD and length-block products of the last short message of a batch.
// They depend only on public values (key, lengths, AAD), and the records of a batch often share
// all of them (a TLS header holds the record length), so a message whose key, lengths and single
// AAD block equal the previous one's reuses them: six of its multiplies instead of recomputing.
struct PublicCache {
  const KeyState* key = nullptr;
  __m128i aad, lens;
  Wide sum;
};

// short_finish completes a short message from its AES blocks |s| (E(K, J0), then the keystream).
template <bool kDecrypt, int NB>
[[gnu::always_inline]] inline void short_finish(const Job& j, const __m128i s[NB],
                                                PublicCache* cache) {
  const Key& k = *key_of(j.key);
  const size_t len = j.len, m = (len + 15) / 16, a = (j.aad_len + 15) / 16, n = a + m + 1;
  // Every input block is loaded before the first store: in place, a load ending at a partial
  // block's end would otherwise read ciphertext.
  __m128i d[NB > 1 ? NB - 1 : 1];
#pragma GCC unroll 8
  for (int b = 0; b < NB - 1; ++b) d[b] = block_at(j.in, len, b);
  Wide w = wide_zero();
#pragma GCC unroll 8
  for (int b = 0; b < NB - 1; ++b) {
    if (static_cast<size_t>(b) >= m) break;
    __m128i c = _mm_xor_si128(d[b], s[b + 1]);
    store_block_at(j.out, len, b, c);
    if (kDecrypt) {
      c = d[b];
    } else if (16 * static_cast<size_t>(b) + 16 > len) {
      c = _mm_and_si128(c, load(kByteMask + 16 - (len - 16 * b)));  // hashed zero-padded
    }
    // Data block b is GHASH block a + b: multiplied by H^(m + 1 - b).
    mul_add(&w, bswap(c), k.hp[m - b], k.hk[m - b]);
  }
  const __m128i lens =
      _mm_set_epi64x(static_cast<long long>(j.aad_len * 8), static_cast<long long>(len * 8));
  const __m128i g0 = block_at(j.aad, j.aad_len, 0);
  const __m128i same = _mm_and_si128(_mm_cmpeq_epi8(g0, cache->aad), _mm_cmpeq_epi8(lens, cache->lens));
  if (a <= 1 && cache->key == j.key && _mm_movemask_epi8(same) == 0xffff) {
    w.lo = _mm_xor_si128(w.lo, cache->sum.lo);
    w.hi = _mm_xor_si128(w.hi, cache->sum.hi);
    w.mid = _mm_xor_si128(w.mid, cache->sum.mid);
  } else {
    Wide p = wide_zero();
    for (size_t i = 0; i < a; ++i) {
      mul_add(&p, bswap(block_at(j.aad, j.aad_len, i)), k.hp[n - 1 - i], k.hk[n - 1 - i]);
    }
    mul_add(&p, lens, k.hp[0], k.hk[0]);
    w.lo = _mm_xor_si128(w.lo, p.lo);
    w.hi = _mm_xor_si128(w.hi, p.hi);
    w.mid = _mm_xor_si128(w.mid, p.mid);
    if (a <= 1) {
      cache->key = j.key;
      cache->aad = g0;
      cache->lens = lens;
      cache->sum = p;
    }
  }
  store(j.tag, _mm_xor_si128(bswap(reduce(w)), s[0]));
}

// short_group seals or opens K short messages of at most NB - 1 data blocks each, whose keys have
// the same number of rounds, with their AES rounds interleaved: one message alone leaves the
// AES unit waiting on its latency.
template <bool kDecrypt, int K, int NB>
void short_group(const Job* jobs, PublicCache* cache) {
  const Key* key[K];
  __m128i s[K][NB];
#pragma GCC unroll 2
  for (int i = 0; i < K; ++i) {
    key[i] = key_of(jobs[i].key);
    short_counters<NB>(*key[i], jobs[i], s[i]);
  }
  const uint32_t rounds = key[0]->rounds;
  for (uint32_t r = 1; r < rounds; ++r) {
#pragma GCC unroll 2
    for (int i = 0; i < K; ++i) {
      const __m128i rk = key[i]->rk[r];
#pragma GCC unroll 8
      for (int b = 0; b < NB; ++b) s[i][b] = _mm_aesenc_si128(s[i][b], rk);
    }
  }
#pragma GCC unroll 2
  for (int i = 0; i < K; ++i) {
    const __m128i rk = key[i]->rk[rounds];
#pragma GCC unroll 8
    for (int b = 0; b < NB; ++b) s[i][b] = _mm_aesenclast_si128(s[i][b], rk);
  }
#pragma GCC unroll 2
  for (int i = 0; i < K; ++i) short_finish<kDecrypt, NB>(jobs[i], s[i], cache);
}

bool fits_one_shot(const Job& j) { return (j.aad_len + 15) / 16 + (j.len + 15) / 16 + 1 <= 8; }

// AES blocks a short message needs: J0 and its data blocks.
inline size_t short_blocks(const Job& j) { return (j.len + 15) / 16 + 1; }

template <bool kDecrypt>
void short_one(const Job& j, PublicCache* cache) {
  switch (short_blocks(j)) {
    case 1:
      short_group<kDecrypt, 1, 1>(&j, cache);
      break;
    case 2:
      short_group<kDecrypt, 1, 2>(&j, cache);
      break;
    case 3:
      short_group<kDecrypt, 1, 3>(&j, cache);
      break;
    case 4:
      short_group<kDecrypt, 1, 4>(&j, cache);
      break;
    case 5:
      short_group<kDecrypt, 1, 5>(&j, cache);
      break;
    case 6:
      short_group<kDecrypt, 1, 6>(&j, cache);
      break;
    case 7:
      short_group<kDecrypt, 1, 7>(&j, cache);
      break;
    default:
      short_group<kDecrypt, 1, 8>(&j, cache);
      break;
  }
}

// short_two runs two short messages of at most five data blocks (twelve registers of AES state).
template <bool kDecrypt>
void short_two(const Job* jobs, PublicCache* cache) {
  const size_t b0 = short_blocks(jobs[0]), b1 = short_blocks(jobs[1]);
  switch (b0 > b1 ? b0 : b1) {
    case 1:
    case 2:
    case 3:
      short_group<kDecrypt, 2, 3>(jobs, cache);
      break;
    case 4:
      short_group<kDecrypt, 2, 4>(jobs, cache);
      break;
    case 5:
      short_group<kDecrypt, 2, 5>(jobs, cache);
      break;
    default:
      short_group<kDecrypt, 2, 6>(jobs, cache);
      break;
  }
}

inline bool pairable(const Job& j) { return fits_one_shot(j) && short_blocks(j) <= 6; }

template <bool kDecrypt>
void run_batch(const Job* jobs, size_t n) {
  PublicCache cache;
  cache.aad = _mm_setzero_si128();
  cache.lens = _mm_setzero_si128();
  cache.sum = wide_zero();
  size_t i = 0;
  while (i < n) {
    const Job& j = jobs[i];
    if (i + 1 < n && pairable(j) && pairable(jobs[i + 1]) &&
        key_of(j.key)->rounds == key_of(jobs[i + 1].key)->rounds) {
      short_two<kDecrypt>(jobs + i, &cache);
      i += 2;
      continue;
    }
    i += 1;
    if (fits_one_shot(j)) {
      short_one<kDecrypt>(j, &cache);
      continue;
    }
    const Key& k = *key_of(j.key);
    Msg m;
    const aead_internal::TlsNonce nonce(j.iv, j.seq);
    begin_msg(k, &m, nonce.bytes, j.aad, j.aad_len);
    if (kDecrypt) {
      decrypt_msg(k, &m, j.in, j.out, j.len);
    } else {
      encrypt_msg(k, &m, j.in, j.out, j.len);
    }
    finish_msg(k, &m, j.tag);
    wipe(&m, sizeof(m));
  }
}

void seal_batch(const Job* jobs, size_t n) {
  aead_internal::seal_framed_jobs(jobs, n, run_batch<false>);
}
void open_batch(const Job* jobs, size_t n) { run_batch<true>(jobs, n); }

#undef VOLLEY_FOR8

}  // namespace
}  // namespace aes_gcm_aesni

const AeadKernel kAesGcmAesni = {
    .init = aes_gcm_aesni::init,
    .begin = aes_gcm_aesni::begin,
    .encrypt = aes_gcm_aesni::encrypt,
    .decrypt = aes_gcm_aesni::decrypt,
    .finish = aes_gcm_aesni::finish,
    .stream_block = 16,
    .seal_batch = aes_gcm_aesni::seal_batch,
    .open_batch = aes_gcm_aesni::open_batch,
    .finds_content_type = false,
};

}  // namespace volley::kernels
