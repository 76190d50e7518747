// AES-GCM (AES-128/256, 96-bit nonce) with VAES and VPCLMULQDQ on 256-bit registers: two blocks
// per register, 16 blocks per iteration with the counter-mode AES rounds of one 256-byte chunk
// interleaved with the GHASH of another (NIST SP 800-38D).
//
// GHASH works on byte-reversed blocks ("reflected" form: bit k of the 128-bit integer is the
// coefficient of x^(127-k)). A carry-less product of two reflected values is the reflected product
// times x, so H is stored pre-multiplied by x^-1 ("twisted") and every product comes out exact.
// The 16 products of a chunk are summed unreduced (each block multiplied by its own power of H,
// Karatsuba: three multiplications per block) and reduced once, by two folds with the constant
// x^63 + x^62 + x^57 that stand for x^128 = x^7 + x^2 + x + 1 in reflected form.
//
// Short messages (up to 128 bytes, AAD up to 64) take a path that never stages data through
// memory (tiny_*), and batches of records up to 80 bytes run two records per register, lane by
// lane, with the carry-less multiplies of one pair of records spread over the AES rounds of the
// next (lane_*): on this class of CPU VPCLMULQDQ issues at half the rate of VAESENC, so the number
// of multiplies per record, not the AES, sets the pace.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/aead/inner_frame.h"
#include "engine/aead/tls_nonce.h"
#include "engine/kernels/aead_kernels.h"

namespace volley::kernels {
namespace aes_gcm_vaes_avx2 {
namespace {

using aead_internal::Job;
using aead_internal::KeyState;
using aead_internal::MsgState;

// KeyState layout. Round keys are stored in both 128-bit lanes so that each is one memory operand
// of a 256-bit VAESENC. The power table holds H^16 .. H^1 (twisted) followed by one zero entry, so
// a run of m blocks uses the m last powers and an odd run may read one entry past H^1. The
// Karatsuba table holds, for each power, (high ^ low) in both halves.
constexpr size_t kRoundKeysOff = 0;                     // 15 x 32 bytes
constexpr size_t kPowersOff = kRoundKeysOff + 15 * 32;  // 17 x 16 bytes
constexpr size_t kKaratsubaOff = kPowersOff + 17 * 16;  // 17 x 16 bytes
constexpr size_t kRoundsOff = kKaratsubaOff + 17 * 16;  // int
static_assert(kRoundsOff + sizeof(int) <= sizeof(KeyState));
static_assert(kPowersOff % 32 == 0);

// MsgState layout: GHASH accumulator (reflected), next counter block (byte-reversed, so that the
// 32-bit block counter is dword 0), E(K, J0), and the AAD and message lengths in bytes.
constexpr size_t kXOff = 0;
constexpr size_t kCtrOff = 16;
constexpr size_t kEk0Off = 32;
constexpr size_t kAadLenOff = 48;
constexpr size_t kMsgLenOff = 56;

constexpr size_t kChunk = 256;  // 16 blocks

inline const __m256i* round_keys(const KeyState* ks) {
  return reinterpret_cast<const __m256i*>(ks->bytes + kRoundKeysOff);
}

inline int rounds_of(const KeyState* ks) {
  int r;
  std::memcpy(&r, ks->bytes + kRoundsOff, sizeof(r));
  return r;
}

inline __m128i bswap128(__m128i v) {
  return _mm_shuffle_epi8(v, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}

inline __m256i bswap256(__m256i v) {
  const __m256i m = _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2,
                                    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm256_shuffle_epi8(v, m);
}

inline __m128i load128(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store128(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
inline __m256i load256(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline void store256(uint8_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

// copy_partial copies n < 16 bytes with fixed-size moves, which compile inline (a variable-length
// memcpy is a library call on the short-message path).
inline void copy_partial(uint8_t* dst, const uint8_t* src, size_t n) {
  if (n & 8) {
    std::memcpy(dst, src, 8);
    dst += 8;
    src += 8;
  }
  if (n & 4) {
    std::memcpy(dst, src, 4);
    dst += 4;
    src += 4;
  }
  if (n & 2) {
    std::memcpy(dst, src, 2);
    dst += 2;
    src += 2;
  }
  if (n & 1) *dst = *src;
}

// load_partial returns the n < 16 bytes at |src| zero-padded to a block.
inline __m128i load_partial(const uint8_t* src, size_t n) {
  alignas(16) uint8_t b[16] = {};
  copy_partial(b, src, n);
  const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(b));
  _mm_store_si128(reinterpret_cast<__m128i*>(b), _mm_setzero_si128());  // b may hold plaintext
  __asm__ __volatile__("" : : "r"(b) : "memory");
  return v;
}

// store_partial writes the first n < 16 bytes of |v| to |dst|.
inline void store_partial(uint8_t* dst, __m128i v, size_t n) {
  alignas(16) uint8_t b[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(b), v);
  copy_partial(dst, b, n);
  _mm_store_si128(reinterpret_cast<__m128i*>(b), _mm_setzero_si128());  // b held plaintext
  __asm__ __volatile__("" : : "r"(b) : "memory");
}

// stage_blocks copies |len| bytes into |dst| as whole blocks, the last one zero-padded.
inline void stage_blocks(uint8_t* dst, const uint8_t* src, size_t len) {
  const size_t full = len / 16;
  for (size_t i = 0; i < full; ++i) store128(dst + 16 * i, load128(src + 16 * i));
  if (len % 16 != 0) store128(dst + 16 * full, load_partial(src + 16 * full, len % 16));
}

// ctr_xor XORs |len| bytes of |in| with |stream| into |out| and writes the ciphertext, zero-padded
// to whole blocks, to |c| for GHASH.
template <bool kEncrypt>
inline void ctr_xor(const uint8_t* in, uint8_t* out, size_t len, const uint8_t* stream,
                    uint8_t* c) {
  const size_t full = len / 16;
  for (size_t i = 0; i < full; ++i) {
    const __m128i d = load128(in + 16 * i);
    const __m128i r = _mm_xor_si128(d, load128(stream + 16 * i));
    store128(out + 16 * i, r);
    store128(c + 16 * i, kEncrypt ? r : d);
  }
  const size_t rest = len % 16;
  if (rest != 0) {
    const __m128i d = load_partial(in + 16 * full, rest);
    __m128i r = _mm_xor_si128(d, load128(stream + 16 * full));
    store_partial(out + 16 * full, r, rest);
    if (kEncrypt) {
      // Clear the keystream bytes past the message: GHASH sees the block zero-padded.
      static constexpr uint8_t kMask[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      r = _mm_and_si128(r, load128(kMask + 16 - rest));
    }
    store128(c + 16 * full, kEncrypt ? r : d);
  }
}

// ---- AES ----------------------------------------------------------------------------------------

__m128i aes_block(const KeyState* ks, __m128i b) {
  const __m256i* rk = round_keys(ks);
  const int rounds = rounds_of(ks);
  b = _mm_xor_si128(b, _mm256_castsi256_si128(_mm256_load_si256(rk)));
  for (int r = 1; r < rounds; ++r) b = _mm_aesenc_si128(b, _mm256_castsi256_si128(rk[r]));
  return _mm_aesenclast_si128(b, _mm256_castsi256_si128(rk[rounds]));
}

#include "engine/kernels/x86_64/aes_key_schedule.inc"

// Partial blocks and J0 in general registers.
#include "engine/kernels/x86_64/partial_block.inc"

// ---- GHASH --------------------------------------------------------------------------------------

// reduce folds the 256-bit reflected product hi:lo modulo x^128 + x^7 + x^2 + x + 1. Each fold
// moves the low 64 bits (the highest-degree terms) 64 bits up and adds their product with
// x^63 + x^62 + x^57, which is what x^128 = x^7 + x^2 + x + 1 becomes after reflection.
inline __m128i reduce(__m128i lo, __m128i hi) {
  const __m128i poly = _mm_set_epi64x(0, static_cast<int64_t>(0xc200000000000000ULL));
  __m128i t = _mm_clmulepi64_si128(lo, poly, 0x00);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  t = _mm_clmulepi64_si128(lo, poly, 0x00);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  return _mm_xor_si128(hi, lo);
}

// gf_mul returns a * b for reflected |a| and twisted |b| (schoolbook; used only for key setup and
// the length block).
__m128i gf_mul(__m128i a, __m128i b) {
  __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
  __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
  const __m128i mid =
      _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
  lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
  hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
  return reduce(lo, hi);
}

// Unreduced sum of Karatsuba products, two blocks per lane pair.
struct Acc {
  __m256i lo, hi, mid;
};

inline void acc_zero(Acc* a) {
  a->lo = _mm256_setzero_si256();
  a->hi = _mm256_setzero_si256();
  a->mid = _mm256_setzero_si256();
}

// acc_mul adds d0*h0 and d1*h1 for the reflected blocks |d| and the twisted powers |h| (with their
// Karatsuba halves |k|) lane by lane.
inline void acc_mul(Acc* a, __m256i d, __m256i h, __m256i k) {
  a->lo = _mm256_xor_si256(a->lo, _mm256_clmulepi64_epi128(d, h, 0x00));
  a->hi = _mm256_xor_si256(a->hi, _mm256_clmulepi64_epi128(d, h, 0x11));
  const __m256i dk = _mm256_xor_si256(d, _mm256_shuffle_epi32(d, 0x4e));
  a->mid = _mm256_xor_si256(a->mid, _mm256_clmulepi64_epi128(dk, k, 0x00));
  // Keep the sums running: left alone, GCC reassociates the XORs into a tree over all 24
  // products of a chunk, which keeps them all live and spills.
  __asm__("" : "+x"(a->lo), "+x"(a->hi), "+x"(a->mid));
}

inline __m128i acc_reduce(const Acc* a) {
  __m128i lo = _mm_xor_si128(_mm256_castsi256_si128(a->lo), _mm256_extracti128_si256(a->lo, 1));
  __m128i hi = _mm_xor_si128(_mm256_castsi256_si128(a->hi), _mm256_extracti128_si256(a->hi, 1));
  __m128i mid = _mm_xor_si128(_mm256_castsi256_si128(a->mid), _mm256_extracti128_si256(a->mid, 1));
  mid = _mm_xor_si128(mid, _mm_xor_si128(lo, hi));
  lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
  hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
  return reduce(lo, hi);
}

// ghash_pair adds the two raw blocks at |p| (pair |j| of a run of |m| blocks) to |a|. The
// accumulator |x| is folded into the first block of the run.
template <bool kStaged = false>
inline void ghash_pair(Acc* a, const KeyState* ks, const uint8_t* p, size_t m, size_t j,
                       __m128i x) {
  // Staged blocks were just written 16 bytes at a time; a 32-byte load spanning two such stores
  // cannot be forwarded from the store buffer and waits for them to retire, so load the halves.
  __m256i d = kStaged
                  ? _mm256_inserti128_si256(_mm256_castsi128_si256(load128(p)), load128(p + 16), 1)
                  : load256(p);
  d = bswap256(d);
  if (j == 0) d = _mm256_xor_si256(d, _mm256_zextsi128_si256(x));
  const size_t e = 16 - m + 2 * j;
  acc_mul(a, d, load256(ks->bytes + kPowersOff + 16 * e),
          load256(ks->bytes + kKaratsubaOff + 16 * e));
}

// ghash_chunk hashes 16 blocks at |p| into |x|.
inline __m128i ghash_chunk(const KeyState* ks, __m128i x, const uint8_t* p) {
  Acc a;
  acc_zero(&a);
#pragma GCC unroll 8
  for (size_t j = 0; j < 8; ++j) ghash_pair(&a, ks, p + 32 * j, 16, j, x);
  return acc_reduce(&a);
}

// ghash_short hashes |m| (1..16) blocks at |p| into |x|. |p| must hold 32 * ceil(m / 2) bytes, the
// bytes past block m being zero.
__m128i ghash_short(const KeyState* ks, __m128i x, const uint8_t* p, size_t m) {
  Acc a;
  acc_zero(&a);
  for (size_t j = 0; 2 * j < m; ++j) ghash_pair<true>(&a, ks, p + 32 * j, m, j, x);
  return acc_reduce(&a);
}

// ghash_bytes hashes |len| bytes, the last block zero-padded (the AAD, SP 800-38D §6.4).
__m128i ghash_bytes(const KeyState* ks, __m128i x, const uint8_t* p, size_t len) {
  for (; len >= kChunk; p += kChunk, len -= kChunk) x = ghash_chunk(ks, x, p);
  if (len == 0) return x;
  alignas(32) uint8_t buf[kChunk];
  std::memset(buf, 0, sizeof(buf));
  stage_blocks(buf, p, len);
  return ghash_short(ks, x, buf, (len + 15) / 16);
}

// ---- CTR + GHASH --------------------------------------------------------------------------------

// Counter pairs are kept byte-reversed (counter in dword 0 of each lane), added with VPADDD (which
// wraps modulo 2^32 like inc32) and byte-reversed back just before encryption.
inline __m256i ctr_pair(__m128i ctr) {
  return _mm256_add_epi32(_mm256_broadcastsi128_si256(ctr),
                          _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
}

inline __m128i ctr_add(__m128i ctr, int n) { return _mm_add_epi32(ctr, _mm_set_epi32(0, 0, 0, n)); }

// chunk_start starts the counter-mode encryption of the next 16 blocks.
inline void chunk_start(const __m256i* rk, __m256i* ctr, __m256i s[8]) {
  const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    s[j] = _mm256_xor_si256(bswap256(*ctr), rk[0]);
    *ctr = _mm256_add_epi32(*ctr, two);
  }
}

inline void chunk_round(__m256i s[8], __m256i k) {
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) s[j] = _mm256_aesenc_epi128(s[j], k);
}

inline void chunk_end(const __m256i* rk, int rounds, __m256i s[8], const uint8_t* in,
                      uint8_t* out) {
  // Straight-line rounds: a loop here makes GCC shuffle all eight states between registers.
  chunk_round(s, rk[9]);
  if (rounds == 14) {
    chunk_round(s, rk[10]);
    chunk_round(s, rk[11]);
    chunk_round(s, rk[12]);
    chunk_round(s, rk[13]);
  }
  const __m256i klast = rk[rounds];
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) {
    s[j] = _mm256_aesenclast_epi128(s[j], klast);
    store256(out + 32 * j, _mm256_xor_si256(s[j], load256(in + 32 * j)));
  }
}

// chunk_stitched runs the AES of one chunk with the GHASH of the 16 ciphertext blocks at |hashed|
// interleaved, one block pair per round, so that the AES and carry-less multiplier units work at
// the same time.
inline __m128i chunk_stitched(const KeyState* ks, const __m256i* rk, int rounds, __m256i* ctr,
                              __m128i x, const uint8_t* hashed, const uint8_t* in, uint8_t* out) {
  __m256i s[8];
  chunk_start(rk, ctr, s);
  Acc a;
  acc_zero(&a);
#pragma GCC unroll 8
  for (int r = 1; r <= 8; ++r) {
    chunk_round(s, rk[r]);
    ghash_pair(&a, ks, hashed + 32 * (r - 1), 16, r - 1, x);
  }
  chunk_end(rk, rounds, s, in, out);
  return acc_reduce(&a);
}

// crypt_chunks encrypts or decrypts |n| whole 256-byte chunks and hashes the ciphertext. The AES
// rounds of chunk i run next to the GHASH of chunk i-1 (encryption: its ciphertext was just
// written) or of chunk i itself (decryption: the input is the ciphertext).
template <bool kEncrypt>
void crypt_chunks(const KeyState* ks, __m128i* ctr_io, __m128i* x_io, const uint8_t* in,
                  uint8_t* out, size_t n) {
  const __m256i* rk = round_keys(ks);
  const int rounds = rounds_of(ks);
  __m256i ctr = ctr_pair(*ctr_io);
  __m128i x = *x_io;
  if (kEncrypt) {
    __m256i s[8];
    chunk_start(rk, &ctr, s);
#pragma GCC unroll 8
    for (int r = 1; r <= 8; ++r) chunk_round(s, rk[r]);
    chunk_end(rk, rounds, s, in, out);
    for (size_t c = 1; c < n; ++c) {
      x = chunk_stitched(ks, rk, rounds, &ctr, x, out + kChunk * (c - 1), in + kChunk * c,
                         out + kChunk * c);
    }
    x = ghash_chunk(ks, x, out + kChunk * (n - 1));
  } else {
    for (size_t c = 0; c < n; ++c) {
      x = chunk_stitched(ks, rk, rounds, &ctr, x, in + kChunk * c, in + kChunk * c,
                         out + kChunk * c);
    }
  }
  *ctr_io = ctr_add(*ctr_io, static_cast<int>(16 * n));
  *x_io = x;
}

// aes_middle_rounds runs rounds 1 .. rounds - 1 (9 or 13) over the Q vectors of each of K jobs,
// job i with round keys rk[i], every round unrolled over all vectors of all jobs so that
// independent blocks fill the AES units through VAESENC's latency. The keys must have the same
// number of rounds; the last round is the caller's, often fused with its store.
template <int K, int Q>
[[gnu::always_inline]] inline void aes_middle_rounds(__m256i (&s)[K][Q],
                                                     const __m256i* const (&rk)[K], int rounds) {
  const auto round = [&](int r) __attribute__((always_inline)) {
#pragma GCC unroll 4
    for (int i = 0; i < K; ++i) {
#pragma GCC unroll 8
      for (int k = 0; k < Q; ++k) s[i][k] = _mm256_aesenc_epi128(s[i][k], rk[i][r]);
    }
  };
  // Two fixed-count loops (rounds 1..9, then 10..13 for AES-256) so that both unroll fully.
#pragma GCC unroll 9
  for (int r = 1; r <= 9; ++r) round(r);
  if (rounds == 14) {
#pragma GCC unroll 4
    for (int r = 10; r <= 13; ++r) round(r);
  }
}

// aes_pairs encrypts, for each of |kJobs| keys, the counter blocks ctr + 0 .. 2 * kPairs - 1 into
// out (byte-reversed counter form in, keystream out). The keys must have the same number of
// rounds. Every round is unrolled over all registers of all jobs, so several short messages keep
// the AES units as busy as one long one.
template <int kJobs, int kPairs>
inline void aes_pairs(const KeyState* const* ks, const __m128i* ctr_rev, uint8_t* const* out) {
  const int rounds = rounds_of(ks[0]);
  const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
  const __m256i* rk[kJobs];
  __m256i s[kJobs][kPairs];
#pragma GCC unroll 2
  for (int i = 0; i < kJobs; ++i) {
    rk[i] = round_keys(ks[i]);
    __m256i ctr = ctr_pair(ctr_rev[i]);
#pragma GCC unroll 8
    for (int j = 0; j < kPairs; ++j) {
      s[i][j] = _mm256_xor_si256(bswap256(ctr), rk[i][0]);
      ctr = _mm256_add_epi32(ctr, two);
    }
  }
  aes_middle_rounds<kJobs, kPairs>(s, rk, rounds);
#pragma GCC unroll 2
  for (int i = 0; i < kJobs; ++i) {
#pragma GCC unroll 8
    for (int j = 0; j < kPairs; ++j) {
      store256(out[i] + 32 * j, _mm256_aesenclast_epi128(s[i][j], rk[i][rounds]));
    }
  }
}

// keystream writes 16 * n (n <= 16) bytes of keystream for each of |kJobs| keys, each |out| having
// room for n rounded up to 4, 8 or 16 blocks.
template <int kJobs>
inline void keystream(const KeyState* const* ks, const __m128i* ctr_rev, size_t n,
                      uint8_t* const* out) {
  if (n <= 4) {
    aes_pairs<kJobs, 2>(ks, ctr_rev, out);
  } else if (n <= 8) {
    aes_pairs<kJobs, 4>(ks, ctr_rev, out);
  } else {
    aes_pairs<kJobs, 8>(ks, ctr_rev, out);
  }
}

// crypt_tail handles the last 1..255 bytes with keystream |stream| (see crypt), staging the
// ciphertext through a zeroed buffer so that the partial block is hashed zero-padded and nothing
// is read or written past the caller's buffers.
template <bool kEncrypt>
void crypt_tail(const KeyState* ks, __m128i* x_io, const uint8_t* in, uint8_t* out, size_t len,
                const uint8_t* stream) {
  alignas(32) uint8_t c[kChunk];
  std::memset(c, 0, sizeof(c));
  ctr_xor<kEncrypt>(in, out, len, stream, c);
  *x_io = ghash_short(ks, *x_io, c, (len + 15) / 16);
}

// crypt encrypts or decrypts |len| bytes and hashes the ciphertext. The keystream of the last
// partial chunk is computed first: it depends only on the counter, so its AES latency hides under
// the bulk loop instead of sitting on the path to the tag.
template <bool kEncrypt>
void crypt(const KeyState* ks, __m128i* ctr, __m128i* x, const uint8_t* in, uint8_t* out,
           size_t len) {
  const size_t n = len / kChunk;
  const size_t rest = len - n * kChunk;
  const size_t m = (rest + 15) / 16;
  alignas(32) uint8_t stream[kChunk];
  if (rest > 0) {
    const __m128i tail_ctr = ctr_add(*ctr, static_cast<int>(16 * n));
    uint8_t* const streams[1] = {stream};
    keystream<1>(&ks, &tail_ctr, m, streams);
  }
  if (n > 0) crypt_chunks<kEncrypt>(ks, ctr, x, in, out, n);
  if (rest > 0) {
    crypt_tail<kEncrypt>(ks, x, in + n * kChunk, out + n * kChunk, rest, stream);
    *ctr = ctr_add(*ctr, static_cast<int>(m));
    std::memset(stream, 0, sizeof(stream));  // keystream
    __asm__ __volatile__("" : : "r"(stream) : "memory");
  }
}

// ---- Message setup and tag ----------------------------------------------------------------------

// start computes E(K, J0) with J0 = nonce || 0^31 || 1 (SP 800-38D §7.1, 96-bit IV), the first
// data counter inc32(J0) in byte-reversed form, and hashes the AAD.
void start(const KeyState* ks, const uint8_t* nonce, const uint8_t* aad, size_t aad_len,
           __m128i* ek0, __m128i* ctr, __m128i* x) {
  const __m128i block = j0_block(nonce);
  *ek0 = aes_block(ks, block);
  *ctr = ctr_add(bswap128(block), 1);
  *x = ghash_bytes(ks, _mm_setzero_si128(), aad, aad_len);
}

// tag hashes the length block (bit lengths, big-endian) and masks the hash with E(K, J0).
__m128i tag_of(const KeyState* ks, __m128i x, __m128i ek0, uint64_t aad_len, uint64_t len) {
  const __m128i lens =
      _mm_set_epi64x(static_cast<int64_t>(aad_len * 8), static_cast<int64_t>(len * 8));
  const __m128i h =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(ks->bytes + kPowersOff + 15 * 16));
  x = gf_mul(_mm_xor_si128(x, lens), h);
  return _mm_xor_si128(bswap128(x), ek0);
}

// ---- AeadKernel entry points --------------------------------------------------------------------

void init(KeyState* ks, const uint8_t* key, size_t key_len) {
  __m128i rk[15] = {};
  const int rounds = aes_expand_key(key, key_len, rk);
  std::memset(ks->bytes, 0, sizeof(ks->bytes));
  for (int i = 0; i < 15; ++i) {
    store256(ks->bytes + kRoundKeysOff + 32 * i, _mm256_broadcastsi128_si256(rk[i]));
  }
  std::memcpy(ks->bytes + kRoundsOff, &rounds, sizeof(rounds));

  // H = E(K, 0^128), reflected, then twisted: multiplied by x^-1, i.e. shifted left one bit with
  // x^-1 = x^127 + x^6 + x + 1 (0xc2...01) added when the x^0 coefficient (bit 127) falls out.
  __m128i h = bswap128(aes_block(ks, _mm_setzero_si128()));
  const __m128i carry = _mm_srli_epi64(h, 63);                         // the top bit of each half
  const __m128i top = _mm_shuffle_epi32(_mm_srai_epi32(h, 31), 0xff);  // all ones iff bit 127
  h = _mm_or_si128(_mm_slli_epi64(h, 1), _mm_slli_si128(carry, 8));
  const __m128i twist = _mm_set_epi64x(static_cast<int64_t>(0xc200000000000000ULL), 1);
  h = _mm_xor_si128(h, _mm_and_si128(top, twist));

  // Powers: entry 15 - i holds H^(i+1). Products of two twisted values are twisted.
  __m128i p = h;
  for (int i = 0; i < 16; ++i) {
    store128(ks->bytes + kPowersOff + 16 * (15 - i), p);
    store128(ks->bytes + kKaratsubaOff + 16 * (15 - i),
             _mm_xor_si128(p, _mm_shuffle_epi32(p, 0x4e)));
    p = gf_mul(p, h);
  }
  std::memset(rk, 0, sizeof(rk));
  __asm__ __volatile__("" : : "r"(rk) : "memory");
}

void store_msg(MsgState* ms, __m128i x, __m128i ctr) {
  store128(ms->bytes + kXOff, x);
  store128(ms->bytes + kCtrOff, ctr);
}

void begin(const KeyState* ks, MsgState* ms, const uint8_t* nonce, const uint8_t* aad,
           size_t aad_len) {
  __m128i ek0, ctr, x;
  start(ks, nonce, aad, aad_len, &ek0, &ctr, &x);
  store_msg(ms, x, ctr);
  store128(ms->bytes + kEk0Off, ek0);
  const uint64_t a = aad_len, z = 0;
  std::memcpy(ms->bytes + kAadLenOff, &a, 8);
  std::memcpy(ms->bytes + kMsgLenOff, &z, 8);
}

template <bool kEncrypt>
void stream(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  __m128i x = load128(ms->bytes + kXOff);
  __m128i ctr = load128(ms->bytes + kCtrOff);
  crypt<kEncrypt>(ks, &ctr, &x, in, out, len);
  store_msg(ms, x, ctr);
  uint64_t total;
  std::memcpy(&total, ms->bytes + kMsgLenOff, 8);
  total += len;
  std::memcpy(ms->bytes + kMsgLenOff, &total, 8);
}

void encrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  stream<true>(ks, ms, in, out, len);
}

void decrypt(const KeyState* ks, MsgState* ms, const uint8_t* in, uint8_t* out, size_t len) {
  stream<false>(ks, ms, in, out, len);
}

void finish(const KeyState* ks, MsgState* ms, uint8_t* tag) {
  uint64_t aad_len, len;
  std::memcpy(&aad_len, ms->bytes + kAadLenOff, 8);
  std::memcpy(&len, ms->bytes + kMsgLenOff, 8);
  store128(tag, tag_of(ks, load128(ms->bytes + kXOff), load128(ms->bytes + kEk0Off), aad_len, len));
}

// Short messages: the AAD blocks, data blocks and length block fit one 16-block GHASH run (one
// reduction instead of one per phase), and E(K, J0) comes out of the same AES pass as the
// keystream (counter blocks J0, J0 + 1, ...).
inline bool is_short(const Job& job) {
  return (job.aad_len + 15) / 16 + (job.len + 15) / 16 + 1 <= 16;
}

inline __m128i j0_rev(const Job& job) { return bswap128(job_j0(job)); }

// short_finish completes a short message given |stream| = E(K, J0) and its data keystream.
template <bool kEncrypt>
void short_finish(const Job& job, uint8_t* stream) {
  const size_t m = (job.len + 15) / 16;
  const size_t a = (job.aad_len + 15) / 16;

  // g: AAD, ciphertext and length block, each zero-padded to whole blocks (SP 800-38D §7.1).
  alignas(32) uint8_t g[kChunk];
  std::memset(g, 0, sizeof(g));
  stage_blocks(g, job.aad, job.aad_len);
  ctr_xor<kEncrypt>(job.in, job.out, job.len, stream + 16, g + 16 * a);
  const uint64_t bits[2] = {__builtin_bswap64(uint64_t{job.aad_len} * 8),
                            __builtin_bswap64(uint64_t{job.len} * 8)};
  std::memcpy(g + 16 * (a + m), bits, 16);
  const __m128i x = ghash_short(job.key, _mm_setzero_si128(), g, a + m + 1);
  store128(job.tag, _mm_xor_si128(bswap128(x), load128(stream)));
  std::memset(stream, 0, kChunk);  // keystream
  __asm__ __volatile__("" : : "r"(stream) : "memory");
}

template <bool kEncrypt>
void short_one(const Job& job) {
  alignas(32) uint8_t stream[kChunk];
  uint8_t* const out[1] = {stream};
  const __m128i ctr = j0_rev(job);
  keystream<1>(&job.key, &ctr, (job.len + 15) / 16 + 1, out);
  short_finish<kEncrypt>(job, stream);
}

// ---- Tiny messages: one pass in registers ------------------------------------------------------
//
// A record of at most 128 bytes with at most 64 bytes of AAD never touches a staging buffer: the
// counter blocks (with J0 in the slot after the last data block, so E(K, J0) comes out of the same
// AES pass and the data keystream stays aligned with the data pairs), the data, the ciphertext and
// the GHASH input all stay in registers. Partial blocks are read with one overlapping 16-byte load
// and a shuffle (or, when the buffer is shorter than a block, with scalar loads combined in a
// general register), never with narrow stores followed by a wide load: that pattern cannot be
// forwarded from the store buffer and stalls for the stores to reach the cache. All blocks
// (AAD, data, length block) are multiplied by their own power of H and reduced once.

constexpr size_t kTinyMaxLen = 128;  // m <= 8 data blocks, so at most 5 AES pairs
constexpr size_t kTinyMaxAad = 64;   // a <= 4, so a + m + 1 <= 13 powers

inline bool is_tiny(const Job& job) {
  return job.len <= kTinyMaxLen && job.aad_len <= kTinyMaxAad;
}

// From offset 32 - n: n bytes of ones, then zeros.
alignas(64) constexpr uint8_t kPairMask[64] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// load_pair returns the rem (1..) bytes at |p|, at most 32, zero-padded to two blocks; |back| as
// for load_tail, for the first block.
[[gnu::always_inline]] inline __m256i load_pair(const uint8_t* p, size_t rem, bool back) {
  if (rem >= 32) return load256(p);
  if (rem >= 16) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(load128(p)),
                                   load_tail(p + 16, rem - 16, true), 1);
  }
  return _mm256_zextsi128_si256(load_tail(p, rem, back));
}

[[gnu::always_inline]] inline void store_pair(uint8_t* p, __m256i v, size_t rem) {
  if (rem >= 32) {
    store256(p, v);
  } else if (rem >= 16) {
    store128(p, _mm256_castsi256_si128(v));
    store_tail(p + 16, _mm256_extracti128_si256(v, 1), rem - 16);
  } else {
    store_tail(p, _mm256_castsi256_si128(v), rem);
  }
}

// tiny_counters returns the Q counter pairs of a message of m data blocks: position p (block p of
// the keystream) holds J0 + 1 + p, except position m, which holds J0. Built on the big-endian
// block directly: J0 ends in 00 00 00 01 and p + 1 <= 2Q < 255, so only byte 15 (the top byte of
// dword 3) changes and nothing carries.
template <int Q>
[[gnu::always_inline]] inline void tiny_counters(const Job& job, size_t m, const __m256i rk0,
                                                 __m256i s[Q]) {
  const __m256i base = _mm256_broadcastsi128_si256(job_j0(job));
  const __m256i mv = _mm256_set1_epi32(static_cast<int>(m));
#pragma GCC unroll 8
  for (int k = 0; k < Q; ++k) {
    // Dword 3 of each lane: its position (the other dwords -1, never equal to m) and its increment.
    const __m256i pos = _mm256_set_epi32(2 * k + 1, -1, -1, -1, 2 * k, -1, -1, -1);
    const __m256i inc = _mm256_set_epi32((2 * k + 2) << 24, 0, 0, 0, (2 * k + 1) << 24, 0, 0, 0);
    const __m256i ctr =
        _mm256_add_epi32(base, _mm256_andnot_si256(_mm256_cmpeq_epi32(pos, mv), inc));
    s[k] = _mm256_xor_si256(ctr, rk0);
  }
}

// tiny_finish XORs the keystream pairs |ks| (from tiny_counters' order) into the message, hashes
// AAD, ciphertext and length block with one reduction, and writes the tag.
template <bool kEncrypt, int Q>
[[gnu::always_inline]] inline void tiny_finish(const Job& job, const __m256i ks[Q]) {
  const size_t len = job.len, alen = job.aad_len;
  const size_t m = (len + 15) / 16, a = (alen + 15) / 16, dp = (m + 1) / 2;
  const uint8_t* pw = job.key->bytes + kPowersOff;
  const uint8_t* kk = job.key->bytes + kKaratsubaOff;
  const __m128i lens =
      _mm_set_epi64x(static_cast<int64_t>(alen * 8), static_cast<int64_t>(len * 8));
  const __m256i lens_hi = _mm256_broadcastsi128_si256(lens);
  Acc acc;
  acc_zero(&acc);

  // Every input pair is loaded before the first store: in place, a look-back load of the last
  // block would otherwise read ciphertext.
  __m256i d[Q];
#pragma GCC unroll 8
  for (int k = 0; k < Q; ++k) {
    d[k] = static_cast<size_t>(k) < dp ? load_pair(job.in + 32 * k, len - 32 * k, len >= 16)
                                       : _mm256_setzero_si256();
  }
  __m128i ek0 = _mm_setzero_si128();
#pragma GCC unroll 8
  for (int k = 0; k < Q; ++k) {
    if (static_cast<size_t>(k) == m / 2) {
      ek0 = (m & 1) ? _mm256_extracti128_si256(ks[k], 1) : _mm256_castsi256_si128(ks[k]);
    }
    if (static_cast<size_t>(k) >= dp) continue;
    const size_t rem = len - 32 * k;
    __m256i c = _mm256_xor_si256(d[k], ks[k]);
    store_pair(job.out + 32 * k, c, rem);
    if (kEncrypt) {
      // Past the message the keystream must not reach GHASH: the block is hashed zero-padded.
      if (rem < 32) c = _mm256_and_si256(c, load256(kPairMask + 32 - rem));
    } else {
      c = d[k];
    }
    c = bswap256(c);
    // With m odd the last pair's second slot is free and its power is H^1: the length block's.
    if ((m & 1) && static_cast<size_t>(k) == dp - 1) c = _mm256_blend_epi32(c, lens_hi, 0xf0);
    const size_t e = 15 - m + 2 * k;  // block 2k is multiplied by H^(m + 1 - 2k)
    acc_mul(&acc, c, load256(pw + 16 * e), load256(kk + 16 * e));
  }

  const size_t ap = (a + 1) / 2;
  for (size_t j = 0; j < ap; ++j) {
    __m256i g = bswap256(load_pair(job.aad + 32 * j, alen - 32 * j, alen >= 16));
    const size_t e = 15 - a - m + 2 * j;  // AAD block i is multiplied by H^(a + m + 1 - i)
    __m256i h = load256(pw + 16 * e), hk = load256(kk + 16 * e);
    if ((a & 1) && !(m & 1) && j == ap - 1) {
      // The free slot after an odd AAD takes the length block, with H^1.
      g = _mm256_blend_epi32(g, lens_hi, 0xf0);
      h = _mm256_inserti128_si256(h, load128(pw + 16 * 15), 1);
      hk = _mm256_inserti128_si256(hk, load128(kk + 16 * 15), 1);
    }
    acc_mul(&acc, g, h, hk);
  }
  if (!(m & 1) && !(a & 1)) {
    // Alone: H^1 then the zero entry.
    acc_mul(&acc, _mm256_zextsi128_si256(lens), load256(pw + 16 * 15), load256(kk + 16 * 15));
  }
  store128(job.tag, _mm_xor_si128(bswap128(acc_reduce(&acc)), ek0));
}

// tiny_group seals or opens K tiny messages of at most 2Q - 1 data blocks whose keys have the same
// number of rounds, with all K * Q counter pairs in one unrolled AES pass.
template <bool kEncrypt, int K, int Q>
void tiny_group(const Job* jobs) {
  const int rounds = rounds_of(jobs[0].key);
  const __m256i* rk[K];
  __m256i s[K][Q];
#pragma GCC unroll 4
  for (int i = 0; i < K; ++i) {
    rk[i] = round_keys(jobs[i].key);
    tiny_counters<Q>(jobs[i], (jobs[i].len + 15) / 16, rk[i][0], s[i]);
  }
  aes_middle_rounds<K, Q>(s, rk, rounds);
#pragma GCC unroll 4
  for (int i = 0; i < K; ++i) {
#pragma GCC unroll 8
    for (int k = 0; k < Q; ++k) s[i][k] = _mm256_aesenclast_epi128(s[i][k], rk[i][rounds]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < K; ++i) tiny_finish<kEncrypt, Q>(jobs[i], s[i]);
}

// ---- Two records side by side
// --------------------------------------------------------------------
//
// GHASH costs three carry-less multiplies per register of blocks and VPCLMULQDQ issues at half the
// rate of VAESENC, so for short records the multiplies set the pace. Within one record the block
// count is often odd (AAD, data, length block), which leaves half-empty registers and a reduction
// of its own. Across two records everything pairs up: lane 0 of every register belongs to record A
// and lane 1 to record B, row by row (counter block j, data block j, AAD block i, length block), so
// no register is half empty, no lanes are folded at the end and one reduction serves both tags.
// Each lane multiplies by its own record's powers (the keys may differ), so records of different
// lengths share the rows too.

constexpr size_t kLaneMaxLen = 80;  // m <= 5: six counter rows

inline bool lane_ok(const Job& job) { return job.len <= kLaneMaxLen && job.aad_len <= kTinyMaxAad; }

// lanes builds one register from a block of A (lane 0) and one of B (lane 1).
[[gnu::always_inline]] inline __m256i lanes(__m128i a, __m128i b) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
}

// block_at returns data block j of a message of |len| bytes zero-padded (zero past the end).
[[gnu::always_inline]] inline __m128i block_at(const uint8_t* p, size_t len, size_t j) {
  if (16 * j + 16 <= len) return load128(p + 16 * j);
  if (16 * j >= len) return _mm_setzero_si128();
  return load_tail(p + 16 * j, len - 16 * j, len >= 16);
}

[[gnu::always_inline]] inline void store_block_at(uint8_t* p, size_t len, size_t j, __m128i v) {
  if (16 * j + 16 <= len) {
    store128(p + 16 * j, v);
  } else if (16 * j < len) {
    store_tail(p + 16 * j, v, len - 16 * j);
  }
}

// lane_counters loads the first round of the R counter rows of records A (lane 0) and B (lane 1)
// into |s| and returns their round keys. Row 0 is J0 and row j + 1 the counter block of data block
// j: J0 ends in 00 00 00 01 and j + 2 <= R < 255, so only byte 15 of the big-endian block changes.
template <int R>
[[gnu::always_inline]] inline void lane_counters(const Job& A, const Job& B, __m256i s[R]) {
  const __m256i base = lanes(job_j0(A), job_j0(B));
  const __m256i k0 = _mm256_blend_epi32(round_keys(A.key)[0], round_keys(B.key)[0], 0xf0);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m256i inc = _mm256_set_epi32(r << 24, 0, 0, 0, r << 24, 0, 0, 0);
    s[r] = _mm256_xor_si256(_mm256_add_epi32(base, inc), k0);
  }
}

template <int R>
[[gnu::always_inline]] inline void lane_round(__m256i s[R], const __m256i* ra, const __m256i* rb,
                                              int i) {
  const __m256i k = _mm256_blend_epi32(ra[i], rb[i], 0xf0);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) s[r] = _mm256_aesenc_epi128(s[r], k);
}

template <int R>
[[gnu::always_inline]] inline void lane_last(__m256i s[R], const __m256i* ra, const __m256i* rb,
                                             int rounds) {
  const __m256i k = _mm256_blend_epi32(ra[rounds], rb[rounds], 0xf0);
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) s[r] = _mm256_aesenclast_epi128(s[r], k);
}

// LaneFinish completes records A and B from their AES rows |s| in R + 2 steps (step 0: load the
// input; steps 1 .. R - 1: data row j = step - 1, XOR, store and multiply; step R: AAD; step R + 1:
// length block, one reduction for both records, tags), so that the steps can be spread over the
// AES rounds of the next pair.
// PublicCache holds the AAD and length-block products of the last pair of records (see
// LaneFinish::publics). Public data only.
struct PublicCache {
  const KeyState* ka = nullptr;
  const KeyState* kb = nullptr;
  __m256i aad, lens;
  Acc sum;
};

template <bool kEncrypt, int R>
struct LaneFinish {
  const Job& A;
  const Job& B;
  const __m256i* s;
  size_t la, lb;
  const uint8_t* pa;
  const uint8_t* pb;
  __m256i d[R - 1];
  Acc acc;

  static constexpr size_t kK = kKaratsubaOff - kPowersOff;

  [[gnu::always_inline]] LaneFinish(const Job& a, const Job& b, const __m256i* rows)
      : A(a), B(b), s(rows), la(a.len), lb(b.len) {
    // Data block j is multiplied by H^(m + 1 - j), entry 15 - m + j. A row past a record's end
    // holds a zero block, so the entry it reads (still inside the KeyState) contributes nothing.
    pa = A.key->bytes + kPowersOff + 16 * (15 - (la + 15) / 16);
    pb = B.key->bytes + kPowersOff + 16 * (15 - (lb + 15) / 16);
    acc_zero(&acc);
  }

  [[gnu::always_inline]] void step(int k, PublicCache* cache) {
    if (k == 0) {
      load();
    } else if (k < R) {
      row(k - 1);
    } else if (k == R) {
      publics(cache);
    } else if (k == R + 1) {
      tail();
    }
  }

  // Every input block is loaded before the first store (in place, a look-back load of a partial
  // block would otherwise read ciphertext).
  [[gnu::always_inline]] void load() {
#pragma GCC unroll 8
    for (int j = 0; j < R - 1; ++j) d[j] = lanes(block_at(A.in, la, j), block_at(B.in, lb, j));
  }

  [[gnu::always_inline]] void row(int j) {
    __m256i c = _mm256_xor_si256(d[j], s[j + 1]);
    store_block_at(A.out, la, j, _mm256_castsi256_si128(c));
    store_block_at(B.out, lb, j, _mm256_extracti128_si256(c, 1));
    if (kEncrypt &&
        (16 * static_cast<size_t>(j) + 16 > la || 16 * static_cast<size_t>(j) + 16 > lb)) {
      // Byte b of row j is message byte 16j + b, hashed only while 16j + b < len (lengths here
      // are below 128, so signed byte compares are exact).
      const __m256i lenv =
          lanes(_mm_set1_epi8(static_cast<char>(la)), _mm_set1_epi8(static_cast<char>(lb)));
      const __m256i idx = _mm256_set_epi8(
          16 * j + 15, 16 * j + 14, 16 * j + 13, 16 * j + 12, 16 * j + 11, 16 * j + 10, 16 * j + 9,
          16 * j + 8, 16 * j + 7, 16 * j + 6, 16 * j + 5, 16 * j + 4, 16 * j + 3, 16 * j + 2,
          16 * j + 1, 16 * j, 16 * j + 15, 16 * j + 14, 16 * j + 13, 16 * j + 12, 16 * j + 11,
          16 * j + 10, 16 * j + 9, 16 * j + 8, 16 * j + 7, 16 * j + 6, 16 * j + 5, 16 * j + 4,
          16 * j + 3, 16 * j + 2, 16 * j + 1, 16 * j);
      c = _mm256_and_si256(c, _mm256_cmpgt_epi8(lenv, idx));
    } else if (!kEncrypt) {
      c = d[j];
    }
    acc_mul(&acc, bswap256(c), lanes(load128(pa + 16 * j), load128(pb + 16 * j)),
            lanes(load128(pa + kK + 16 * j), load128(pb + kK + 16 * j)));
  }

  // publics adds the AAD and length-block products. They depend only on public values (keys,
  // lengths, AAD), and the records of a batch often share all of them (a TLS header holds the
  // record length), so a pair whose keys, lengths and single AAD block equal the previous pair's
  // reuses its products: three fewer multiplies per record.
  [[gnu::always_inline]] void publics(PublicCache* cache) {
    const size_t aa = (A.aad_len + 15) / 16, ab = (B.aad_len + 15) / 16;
    const __m256i lens =
        _mm256_set_epi64x(static_cast<int64_t>(B.aad_len * 8), static_cast<int64_t>(lb * 8),
                          static_cast<int64_t>(A.aad_len * 8), static_cast<int64_t>(la * 8));
    const bool cacheable = aa <= 1 && ab <= 1;
    __m256i g = _mm256_setzero_si256();
    if (cacheable) {
      g = lanes(block_at(A.aad, A.aad_len, 0), block_at(B.aad, B.aad_len, 0));
      const __m256i same = _mm256_and_si256(_mm256_cmpeq_epi8(g, cache->aad),
                                            _mm256_cmpeq_epi8(lens, cache->lens));
      if (cache->ka == A.key && cache->kb == B.key && _mm256_movemask_epi8(same) == -1) {
        acc.lo = _mm256_xor_si256(acc.lo, cache->sum.lo);
        acc.hi = _mm256_xor_si256(acc.hi, cache->sum.hi);
        acc.mid = _mm256_xor_si256(acc.mid, cache->sum.mid);
        return;
      }
    }
    Acc p;
    acc_zero(&p);
    // AAD block i is multiplied by H^(a + m + 1 - i), entry 15 - m - a + i.
    const uint8_t* qa = pa - 16 * aa;
    const uint8_t* qb = pb - 16 * ab;
    const size_t arows = aa > ab ? aa : ab;
    for (size_t i = 0; i < arows; ++i) {
      if (!cacheable) g = lanes(block_at(A.aad, A.aad_len, i), block_at(B.aad, B.aad_len, i));
      acc_mul(&p, bswap256(g), lanes(load128(qa + 16 * i), load128(qb + 16 * i)),
              lanes(load128(qa + kK + 16 * i), load128(qb + kK + 16 * i)));
    }
    const uint8_t* ha = A.key->bytes + kPowersOff + 16 * 15;
    const uint8_t* hb = B.key->bytes + kPowersOff + 16 * 15;
    acc_mul(&p, lens, lanes(load128(ha), load128(hb)), lanes(load128(ha + kK), load128(hb + kK)));
    acc.lo = _mm256_xor_si256(acc.lo, p.lo);
    acc.hi = _mm256_xor_si256(acc.hi, p.hi);
    acc.mid = _mm256_xor_si256(acc.mid, p.mid);
    if (cacheable) {
      cache->ka = A.key;
      cache->kb = B.key;
      cache->aad = g;
      cache->lens = lens;
      cache->sum = p;
    }
  }

  [[gnu::always_inline]] void tail() {
    // Lane-wise Karatsuba recombination and reduction (the 256-bit forms of acc_reduce and
    // reduce, whose byte shifts and shuffles already stay within lanes).
    const __m256i mid = _mm256_xor_si256(acc.mid, _mm256_xor_si256(acc.lo, acc.hi));
    __m256i lo = _mm256_xor_si256(acc.lo, _mm256_slli_si256(mid, 8));
    const __m256i hi = _mm256_xor_si256(acc.hi, _mm256_srli_si256(mid, 8));
    const __m256i poly = _mm256_set_epi64x(0, static_cast<int64_t>(0xc200000000000000ULL), 0,
                                           static_cast<int64_t>(0xc200000000000000ULL));
    lo = _mm256_xor_si256(_mm256_shuffle_epi32(lo, 0x4e), _mm256_clmulepi64_epi128(lo, poly, 0x00));
    lo = _mm256_xor_si256(_mm256_shuffle_epi32(lo, 0x4e), _mm256_clmulepi64_epi128(lo, poly, 0x00));
    const __m256i tags = _mm256_xor_si256(bswap256(_mm256_xor_si256(hi, lo)), s[0]);
    store128(A.tag, _mm256_castsi256_si128(tags));
    store128(B.tag, _mm256_extracti128_si256(tags, 1));
  }
};

// lane_run seals or opens |pairs| pairs of records (jobs[2p] in lane 0, jobs[2p + 1] in lane 1),
// all with at most R - 1 data blocks and keys of the same number of rounds. Software-pipelined:
// the steps that finish pair p run between the AES rounds of pair p + 1, so the carry-less
// multiplies of one pair overlap the AES latency of the next instead of waiting for it.
template <bool kEncrypt, int R>
void lane_run(const Job* jobs, size_t pairs) {
  static_assert(R + 2 <= 9, "the finishing steps must fit between rounds 1 and 9");
  const int rounds = rounds_of(jobs[0].key);
  PublicCache cache;
  cache.aad = _mm256_setzero_si256();
  cache.lens = _mm256_setzero_si256();
  acc_zero(&cache.sum);
  __m256i cur[R], nxt[R];
  lane_counters<R>(jobs[0], jobs[1], cur);
  {
    const __m256i* ra = round_keys(jobs[0].key);
    const __m256i* rb = round_keys(jobs[1].key);
    for (int i = 1; i < rounds; ++i) lane_round<R>(cur, ra, rb, i);
    lane_last<R>(cur, ra, rb, rounds);
  }
  for (size_t p = 0; p + 1 < pairs; ++p) {
    const Job& A = jobs[2 * p + 2];
    const Job& B = jobs[2 * p + 3];
    const __m256i* ra = round_keys(A.key);
    const __m256i* rb = round_keys(B.key);
    LaneFinish<kEncrypt, R> f(jobs[2 * p], jobs[2 * p + 1], cur);
    lane_counters<R>(A, B, nxt);
#pragma GCC unroll 9
    for (int i = 1; i <= 9; ++i) {
      lane_round<R>(nxt, ra, rb, i);
      f.step(i - 1, &cache);
    }
    for (int i = 10; i < rounds; ++i) lane_round<R>(nxt, ra, rb, i);
    lane_last<R>(nxt, ra, rb, rounds);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) cur[r] = nxt[r];
  }
  LaneFinish<kEncrypt, R> f(jobs[2 * pairs - 2], jobs[2 * pairs - 1], cur);
#pragma GCC unroll 9
  for (int k = 0; k < R + 2; ++k) f.step(k, &cache);
}

// lane_rows returns the AES rows the longest of |n| records needs (J0 and its data blocks), at
// least 2.
inline size_t lane_rows(const Job* jobs, size_t n) {
  size_t m = 1;
  for (size_t i = 0; i < n; ++i) {
    const size_t b = (jobs[i].len + 15) / 16;
    m = b > m ? b : m;
  }
  return m + 1;
}

template <bool kEncrypt>
void lane_run_any(const Job* jobs, size_t pairs) {
  switch (lane_rows(jobs, 2 * pairs)) {
    case 2:
      lane_run<kEncrypt, 2>(jobs, pairs);
      break;
    case 3:
      lane_run<kEncrypt, 3>(jobs, pairs);
      break;
    case 4:
      lane_run<kEncrypt, 4>(jobs, pairs);
      break;
    case 5:
      lane_run<kEncrypt, 5>(jobs, pairs);
      break;
    default:
      lane_run<kEncrypt, 6>(jobs, pairs);
      break;
  }
}

// AES pairs a tiny message needs: its m data blocks and J0.
inline size_t tiny_pairs(const Job& job) { return (job.len + 15) / 16 / 2 + 1; }

template <bool kEncrypt>
void tiny_one(const Job& job) {
  switch (tiny_pairs(job)) {
    case 1:
      tiny_group<kEncrypt, 1, 1>(&job);
      break;
    case 2:
      tiny_group<kEncrypt, 1, 2>(&job);
      break;
    case 3:
      tiny_group<kEncrypt, 1, 3>(&job);
      break;
    case 4:
      tiny_group<kEncrypt, 1, 4>(&job);
      break;
    default:
      tiny_group<kEncrypt, 1, 5>(&job);
      break;
  }
}

template <bool kEncrypt>
void one_shot(const Job& job) {
  if (is_tiny(job)) {
    tiny_one<kEncrypt>(job);
    return;
  }
  if (is_short(job)) {
    short_one<kEncrypt>(job);
    return;
  }
  __m128i ek0, ctr, x;
  {
    const aead_internal::TlsNonce nonce(job.iv, job.seq);
    start(job.key, nonce.bytes, job.aad, job.aad_len, &ek0, &ctr, &x);
  }
  crypt<kEncrypt>(job.key, &ctr, &x, job.in, job.out, job.len);
  store128(job.tag, tag_of(job.key, x, ek0, job.aad_len, job.len));
}

// lane_span returns how many of jobs[0 .. n) can run side by side: records of at most 80 bytes
// whose keys have the rounds of the first.
inline size_t lane_span(const Job* jobs, size_t n) {
  const int rounds = rounds_of(jobs[0].key);
  size_t i = 0;
  while (i < n && lane_ok(jobs[i]) && rounds_of(jobs[i].key) == rounds) ++i;
  return i;
}

// batch runs spans of records of up to 80 bytes two by two side by side, pipelined; other tiny
// messages two at a time through one AES pass; the rest one by one.
template <bool kEncrypt>
void batch(const Job* jobs, size_t n) {
  size_t i = 0;
  while (i < n) {
    const size_t span = lane_span(jobs + i, n - i);
    if (span >= 2) {
      lane_run_any<kEncrypt>(jobs + i, span / 2);
      i += span - span % 2;
      continue;
    }
    const Job& j = jobs[i];
    if (i + 1 < n && is_tiny(j) && is_tiny(jobs[i + 1]) &&
        rounds_of(j.key) == rounds_of(jobs[i + 1].key)) {
      const Job& k = jobs[i + 1];
      const size_t q = tiny_pairs(j) > tiny_pairs(k) ? tiny_pairs(j) : tiny_pairs(k);
      if (q <= 3) {
        tiny_group<kEncrypt, 2, 3>(jobs + i);
      } else if (q == 4) {
        tiny_group<kEncrypt, 2, 4>(jobs + i);
      } else {
        tiny_group<kEncrypt, 2, 5>(jobs + i);
      }
      i += 2;
    } else {
      one_shot<kEncrypt>(j);
      i += 1;
    }
  }
}

void seal_batch(const Job* jobs, size_t n) {
  aead_internal::seal_framed_jobs(jobs, n, batch<true>);
}

void open_batch(const Job* jobs, size_t n) { batch<false>(jobs, n); }

}  // namespace
}  // namespace aes_gcm_vaes_avx2

const AeadKernel kAesGcmVaesAvx2 = {
    .init = aes_gcm_vaes_avx2::init,
    .begin = aes_gcm_vaes_avx2::begin,
    .encrypt = aes_gcm_vaes_avx2::encrypt,
    .decrypt = aes_gcm_vaes_avx2::decrypt,
    .finish = aes_gcm_vaes_avx2::finish,
    .stream_block = 16,
    .seal_batch = aes_gcm_vaes_avx2::seal_batch,
    .open_batch = aes_gcm_vaes_avx2::open_batch,
    .finds_content_type = false,
};

}  // namespace volley::kernels
