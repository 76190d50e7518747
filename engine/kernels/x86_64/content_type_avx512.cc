// Content-type scan (RFC 8446 §5.4) on AVX-512BW. Built with X86_AVX512; reached only through
// dispatch after kNeedsAvx512 was checked.
//
// The same per-lane method as content_type_avx2.cc, on 64-byte chunks, four per 256-byte step.
// Each of the 256 byte positions of a step has a lane in one of four data registers and four step
// registers; VPTESTMB gives the mask of non-zero bytes and two masked moves write the byte and the
// step's number into exactly those lanes, so the data decides which lanes are written, never what
// runs. At the end of a block (at most 255 steps, 65280 bytes):
//   t = the largest step number in any lane: the last step with a non-zero byte (0: none);
//   q = the largest position (s * 64 + lane, 0..255) of a lane holding t;
//   the type is the data lane whose position equals q.
// The last partial step uses byte-masked loads with masks computed from |len|, which read nothing
// beyond the buffer. Short records, where the three serial horizontal maxima of the block's end
// would dominate, take shorter paths (scan64, scan_short): per 64-byte chunk a mask of non-zero
// bytes, the last chunk that has one kept by masked moves, and the byte picked once at the end.
//
// The loops over a step's chunks are unrolled (#pragma GCC unroll) so that the Block lives in
// registers: GCC 12 otherwise kept it on the stack, and the blends became stores and reloads
// that made the scan several times slower.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about its own intrinsics headers: the self-initialised __Y of _mm512_undefined_*.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "engine/kernels/content_type_kernels.h"
#include "engine/kernels/content_type_masks.h"

namespace volley::kernels {
namespace {
namespace content_type_avx512 {

constexpr size_t kChunk = 64;
constexpr size_t kChunks = 4;                // per step; positions s * 64 + lane fit a byte
constexpr size_t kStep = kChunk * kChunks;  // 256 bytes
constexpr size_t kMaxSteps = 255;            // step numbers 1..255 fit a byte lane
constexpr size_t kShortMax = 512;             // up to here, scan_short

// hmax returns the largest of the 64 bytes of |v|.
inline uint8_t hmax(__m512i v) {
  const __m256i y = _mm256_max_epu8(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  __m128i x = _mm_max_epu8(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 8));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 4));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 2));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 1));
  return static_cast<uint8_t>(_mm_cvtsi128_si32(x));
}

// lanes returns the load mask of the first |n| bytes of a chunk (all 64 when n >= 64).
// (BZHI takes the index modulo 256: callers pass n <= 64.)
inline __mmask64 lanes(size_t n) { return _cvtu64_mask64(_bzhi_u64(~uint64_t{0}, n)); }

// pick returns byte b of |v| (b < 64, public-index free: the shuffle's time does not depend on
// b): VPERMW brings the byte's 16-bit word to lane 0.
inline uint8_t pick(__m512i v, uint64_t b) {
  const __m512i word = _mm512_permutexvar_epi16(_mm512_set1_epi16(static_cast<short>(b >> 1)), v);
  const uint32_t w = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(word)));
  return static_cast<uint8_t>(w >> (8 * (b & 1)));
}

// highest_bit is the index of the highest set bit of |bits| (0 when bits is 0), by BSR/LZCNT,
// whose time does not depend on the operand.
inline uint64_t highest_bit(uint64_t bits) {
  return 63 ^ static_cast<uint64_t>(__builtin_clzll(bits | 1));
}

// scan64 is the whole scan for len <= 64: one masked load, its mask of non-zero bytes, the byte
// at the mask's highest bit.
inline uint8_t scan64(const uint8_t* inner, size_t len, size_t* content_len) {
  const __m512i x = _mm512_maskz_loadu_epi8(lanes(len), inner);
  const uint64_t bits = _cvtmask64_u64(_mm512_test_epi8_mask(x, x));
  const uint64_t b = highest_bit(bits);
  *content_len = static_cast<size_t>(b & nonzero_mask(bits));
  return pick(x, b);  // all of x is zero when nothing was found
}

// scan_short is the scan from 65 to kShortMax bytes. Each 64-byte chunk gives its mask of
// non-zero bytes; a chunk with any keeps itself, its mask and its offset as "the last one"
// through a masked move and mask arithmetic. The chunks are independent, so their loads and tests
// overlap, and the byte is picked once, at the end. The block method below has three serial
// horizontal maxima, which cost more than this up to about kShortMax bytes.
inline uint8_t scan_short(const uint8_t* inner, size_t len, size_t* content_len) {
  __m512i last = _mm512_setzero_si512();
  uint64_t last_bits = 0;
  uint64_t last_at = 0;
  for (size_t at = 0; at < len; at += kChunk) {
    const __m512i x = _mm512_maskz_loadu_epi8(lanes(len - at < kChunk ? len - at : kChunk),
                                              inner + at);
    const uint64_t bits = _cvtmask64_u64(_mm512_test_epi8_mask(x, x));
    const uint64_t take = nonzero_mask(bits);
    last = _mm512_mask_mov_epi8(last, _cvtu64_mask64(take), x);
    last_bits = (last_bits & ~take) | (bits & take);
    last_at = (last_at & ~take) | (at & take);
  }
  const uint64_t b = highest_bit(last_bits);
  *content_len = static_cast<size_t>(last_at + (b & nonzero_mask(last_bits)));
  return pick(last, b);  // |last| is all zero when nothing was found
}

struct Block {
  __m512i data[kChunks];  // per position: the last non-zero byte seen there, or 0
  __m512i step[kChunks];  // per position: the number of the step it came from, or 0
};

__attribute__((always_inline)) inline void absorb_chunk(Block& b, size_t s, __m512i x,
                                                         __m512i number) {
  const __mmask64 nonzero = _mm512_test_epi8_mask(x, x);
  b.data[s] = _mm512_mask_mov_epi8(b.data[s], nonzero, x);
  b.step[s] = _mm512_mask_mov_epi8(b.step[s], nonzero, number);
}

// finish reduces a block to its last non-zero byte.
inline Found finish(const Block& b) {
  const __m512i iota = _mm512_set_epi64(0x3f3e3d3c3b3a3938, 0x3736353433323130, 0x2f2e2d2c2b2a2928,
                                        0x2726252423222120, 0x1f1e1d1c1b1a1918, 0x1716151413121110,
                                        0x0f0e0d0c0b0a0908, 0x0706050403020100);
  const __m512i steps = _mm512_max_epu8(_mm512_max_epu8(b.step[0], b.step[1]),
                                        _mm512_max_epu8(b.step[2], b.step[3]));
  const uint8_t t = hmax(steps);
  const __m512i tv = _mm512_set1_epi8(static_cast<char>(t));
  __m512i where = _mm512_setzero_si512();
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const __m512i position = _mm512_add_epi8(iota, _mm512_set1_epi8(static_cast<char>(s * kChunk)));
    where = _mm512_max_epu8(
        where, _mm512_maskz_mov_epi8(_mm512_cmpeq_epi8_mask(b.step[s], tv), position));
  }
  const uint8_t q = hmax(where);
  const __m512i qv = _mm512_set1_epi8(static_cast<char>(q));
  __m512i type = _mm512_setzero_si512();
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const __m512i position = _mm512_add_epi8(iota, _mm512_set1_epi8(static_cast<char>(s * kChunk)));
    type = _mm512_mask_mov_epi8(type, _mm512_cmpeq_epi8_mask(position, qv), b.data[s]);
  }
  // With t == 0 every lane "holds" 0 and q is 255, whose data lane is 0: |type| is 0 regardless.
  return {nonzero_mask(t), (uint64_t{t} - 1) * kStep + q, hmax(type)};
}

// scan_long is the block method for records over kShortMax bytes. Kept out of line: its
// register pressure (eight block vectors) makes GCC save registers and realign the stack, which
// the short paths should not pay for.
__attribute__((noinline)) uint8_t scan_long(const uint8_t* inner, size_t len,
                                            size_t* content_len) {
  const size_t full_steps = len / kStep;
  const size_t rest = len % kStep;
  const size_t steps = full_steps + (rest != 0);
  uint64_t pos = 0;
  uint64_t type = 0;
  for (size_t first = 0; first < steps; first += kMaxSteps) {
    const size_t n = steps - first < kMaxSteps ? steps - first : kMaxSteps;
    const size_t n_full = full_steps - first < n ? full_steps - first : n;
    Block b;
    #pragma GCC unroll 4
    for (size_t s = 0; s < kChunks; ++s) b.data[s] = b.step[s] = _mm512_setzero_si512();
    __m512i number = _mm512_setzero_si512();
    const __m512i one = _mm512_set1_epi8(1);
    for (size_t i = 0; i < n_full; ++i) {
      number = _mm512_add_epi8(number, one);
      const uint8_t* p = inner + (first + i) * kStep;
      #pragma GCC unroll 4
      for (size_t s = 0; s < kChunks; ++s) {
        absorb_chunk(b, s, _mm512_loadu_si512(p + s * kChunk), number);
      }
    }
    if (n_full < n) {
      number = _mm512_add_epi8(number, one);
      const uint8_t* p = inner + full_steps * kStep;
      #pragma GCC unroll 4
      for (size_t s = 0; s < kChunks; ++s) {
        // A chunk wholly past the end loads nothing; its address stays inside the buffer.
        const size_t at = rest > s * kChunk ? s * kChunk : 0;
        const size_t have = rest > s * kChunk ? rest - s * kChunk : 0;
        absorb_chunk(b, s, _mm512_maskz_loadu_epi8(lanes(have), p + at), number);
      }
    }
    const Found f = finish(b);
    keep_last(&pos, &type, first * kStep, f);
  }
  *content_len = static_cast<size_t>(pos);
  return static_cast<uint8_t>(type);
}

// scan128 is the whole scan for 64 < len <= 128 (a short record's payload and its type byte):
// the two chunks' masks are joined in a general register, and VPERMI2W picks the byte from the
// pair of chunks, so no chunk has to be selected first.
inline uint8_t scan128(const uint8_t* inner, size_t len, size_t* content_len) {
  const __m512i x0 = _mm512_loadu_si512(inner);
  const __m512i x1 = _mm512_maskz_loadu_epi8(lanes(len - kChunk), inner + kChunk);
  const uint64_t bits0 = _cvtmask64_u64(_mm512_test_epi8_mask(x0, x0));
  const uint64_t bits1 = _cvtmask64_u64(_mm512_test_epi8_mask(x1, x1));
  const uint64_t in1 = nonzero_mask(bits1);
  const uint64_t b = ((kChunk + highest_bit(bits1)) & in1) | (highest_bit(bits0) & ~in1);
  const __m512i word =
      _mm512_permutex2var_epi16(x0, _mm512_set1_epi16(static_cast<short>(b >> 1)), x1);
  const uint32_t w = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(word)));
  *content_len = static_cast<size_t>(b & nonzero_mask(bits0 | bits1));
  return static_cast<uint8_t>(w >> (8 * (b & 1)));  // 0 when both chunks are zero
}

uint8_t scan(const uint8_t* inner, size_t len, size_t* content_len) {
  if (len <= kChunk) return scan64(inner, len, content_len);
  if (len <= 2 * kChunk) return scan128(inner, len, content_len);
  if (len <= kShortMax) return scan_short(inner, len, content_len);
  return scan_long(inner, len, content_len);
}

}  // namespace content_type_avx512
}  // namespace

const ContentTypeKernel kContentTypeAvx512 = {content_type_avx512::scan};

}  // namespace volley::kernels
