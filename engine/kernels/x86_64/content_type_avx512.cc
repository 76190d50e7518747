// Content-type scan (RFC 8446 §5.4) on AVX-512BW. Built with X86_AVX512; reached only through
// dispatch after kNeedsAvx512 was checked.
//
// Per 64-byte chunk, VPTESTMB gives the mask of non-zero bytes. A masked move on that mask keeps,
// in each lane, the last non-zero byte seen at that lane; CMOV keeps the mask and the offset of the
// last chunk that had a non-zero byte. At the end the type is the lane at that mask's highest bit
// (picked by VPERMW, which takes the same time for any lane) and the content length is the
// chunk's offset plus that bit. So the data decides which lanes a move writes and which value a
// CMOV keeps, never which instructions run or which addresses are read. The last partial chunk is
// read by a byte-masked load, which reads nothing beyond the buffer. Records up to 128 bytes take
// one or two chunks with no loop.
//
// (The first version kept a step number per lane and reduced the lanes at the end with three
// serial horizontal maxima, the AVX2 kernel's method: 31 ns for 1350 bytes and 130 ns for 16 KiB
// on Zen 5, a quarter of the record open at those sizes.)
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

// keep_if_found makes the chunk at |at|, whose mask of non-zero bytes is |bits|, the last one
// seen when it has a non-zero byte. CMOV, whose time does not depend on its condition (it is on
// Intel's list of data-operand-independent instructions and runs as a select on AMD): a chain of
// one instruction per tracked value, where a select by mask arithmetic would take four.
__attribute__((always_inline)) inline void keep_if_found(uint64_t* last_bits, uint64_t* last_at,
                                                          uint64_t bits, uint64_t at) {
  __asm__("test %[bits], %[bits]\n\t"
          "cmovnz %[bits], %[last_bits]\n\t"
          "cmovnz %[at], %[last_at]"
          : [last_bits] "+r"(*last_bits), [last_at] "+r"(*last_at)
          : [bits] "r"(bits), [at] "r"(at)
          : "cc");
}

// Tracker follows the chunks of one interleaved stream: per lane the last non-zero byte seen at
// that lane (a masked move on the chunk's own mask of non-zero bytes), and the mask and offset of
// the last chunk that had one. At the end, lane highest_bit(bits) of |data| is the answer: that
// chunk has a non-zero byte there and no later chunk has any, so the lane was last written by it.
struct Tracker {
  __m512i data = _mm512_setzero_si512();
  uint64_t bits = 0;
  uint64_t at = 0;
};

__attribute__((always_inline)) inline void absorb(Tracker& t, __m512i x, uint64_t at) {
  const __mmask64 nonzero = _mm512_test_epi8_mask(x, x);
  t.data = _mm512_mask_mov_epi8(t.data, nonzero, x);
  keep_if_found(&t.bits, &t.at, _cvtmask64_u64(nonzero), at);
}

// scan_long is the scan above 128 bytes: the chunks alternate between two trackers, so that the
// two dependency chains (one masked move, one CMOV per chunk) let the loop run at two loads per
// cycle; the later of the two trackers' last chunks gives the answer.
uint8_t scan_long(const uint8_t* inner, size_t len, size_t* content_len) {
  Tracker even, odd;
  size_t at = 0;
  for (; len - at >= 2 * kChunk; at += 2 * kChunk) {
    absorb(even, _mm512_loadu_si512(inner + at), at);
    absorb(odd, _mm512_loadu_si512(inner + at + kChunk), at + kChunk);
  }
  if (len - at > kChunk) {
    absorb(even, _mm512_loadu_si512(inner + at), at);
    at += kChunk;
  }
  if (len != at) absorb(odd, _mm512_maskz_loadu_epi8(lanes(len - at), inner + at), at);
  // odd wins when it found something and even found nothing or an earlier chunk. Offsets are
  // below 2^63, so the subtraction's borrow is the comparison.
  const uint64_t later = 0 - ((even.at - odd.at) >> 63);
  const uint64_t take_odd = nonzero_mask(odd.bits) & (~nonzero_mask(even.bits) | later);
  const uint64_t bits = (even.bits & ~take_odd) | (odd.bits & take_odd);
  const uint64_t last_at = (even.at & ~take_odd) | (odd.at & take_odd);
  const __m512i data = _mm512_mask_mov_epi8(even.data, _cvtu64_mask64(take_odd), odd.data);
  const uint64_t b = highest_bit(bits);
  *content_len = static_cast<size_t>((last_at + b) & nonzero_mask(bits));
  return pick(data, b);  // |data| is all zero when nothing was found
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
  return scan_long(inner, len, content_len);
}

}  // namespace content_type_avx512
}  // namespace

const ContentTypeKernel kContentTypeAvx512 = {content_type_avx512::scan};

}  // namespace volley::kernels
