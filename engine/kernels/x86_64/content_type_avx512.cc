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
#include "engine/kernels/x86_64/content_type_avx512.h"

namespace volley::kernels {
namespace {
namespace content_type_avx512 {

// scan_long is the scan above 128 bytes: the chunks alternate between two trackers, so that the
// two dependency chains (one masked move, one CMOV per chunk) let the loop run at two loads per
// cycle; the later of the two trackers' last chunks gives the answer.
uint8_t scan_long(const uint8_t* inner, size_t len, size_t* content_len) {
  Tracker even = tracker_zero(), odd = tracker_zero();
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

// Records up to 128 bytes (a short record's payload and its type byte) take one or two chunks,
// masked loads that read nothing past the end, and no loop.
uint8_t scan(const uint8_t* inner, size_t len, size_t* content_len) {
  Answer a;
  if (len <= kChunk) {
    a = one_vector(_mm512_maskz_loadu_epi8(lanes(len), inner));
  } else if (len <= 2 * kChunk) {
    a = two_vectors(_mm512_loadu_si512(inner),
                    _mm512_maskz_loadu_epi8(lanes(len - kChunk), inner + kChunk));
  } else {
    return scan_long(inner, len, content_len);
  }
  *content_len = static_cast<size_t>(a.content_len);
  return a.type;
}

}  // namespace content_type_avx512
}  // namespace

const ContentTypeKernel kContentTypeAvx512 = {content_type_avx512::scan};

}  // namespace volley::kernels
