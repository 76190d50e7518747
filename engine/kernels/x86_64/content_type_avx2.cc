// Content-type scan (RFC 8446 §5.4) on AVX2. Built with X86_AVX2; reached only through dispatch
// after kNeedsAvx2 was checked.
//
// The buffer is read in steps of four 32-byte chunks. Each of the 128 byte positions of a step
// has a lane in one of four data registers and four step registers; when the byte at that
// position is non-zero, its lane takes the byte and the step's number (a blend on the byte's
// compare with zero, so the data decides nothing but which lanes a blend writes). After the last
// step of a block:
//   t = the largest step number in any lane: the last step with a non-zero byte (0: none);
//   q = the largest position (s * 32 + lane) of a lane holding t: the last non-zero byte's place
//       in that step;
//   the type is the data lane at position q, found by comparing every position with q.
// Step numbers are bytes, so a block is at most 255 steps (32640 bytes); longer buffers take
// several blocks, and a later block with a non-zero byte replaces the earlier result through a
// mask. The last partial step is copied into a zeroed stack buffer: AVX2 has no byte-masked load,
// and reading past |len| is not allowed. Loop bounds and addresses depend on |len| only.
//
// The loops over a step's chunks are unrolled (#pragma GCC unroll) so that the Block lives in
// registers: GCC 12 otherwise kept it on the stack, and the blends became stores and reloads
// that made the scan several times slower.
#include <immintrin.h>

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/content_type_kernels.h"
#include "engine/kernels/content_type_masks.h"

namespace volley::kernels {
namespace {
namespace content_type_avx2 {

constexpr size_t kChunk = 32;
constexpr size_t kChunks = 4;                // per step; positions s * 32 + lane fit a byte
constexpr size_t kStep = kChunk * kChunks;  // 128 bytes
constexpr size_t kMaxSteps = 255;            // step numbers 1..255 fit a byte lane

// hmax returns the largest of the 32 bytes of |v|.
inline uint8_t hmax(__m256i v) {
  __m128i x = _mm_max_epu8(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 8));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 4));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 2));
  x = _mm_max_epu8(x, _mm_srli_si128(x, 1));
  return static_cast<uint8_t>(_mm_cvtsi128_si32(x));
}

struct Block {
  __m256i data[kChunks];  // per position: the last non-zero byte seen there, or 0
  __m256i step[kChunks];  // per position: the number of the step it came from, or 0
};

__attribute__((always_inline)) inline void absorb(Block& b, const uint8_t* p, __m256i number) {
  const __m256i zero = _mm256_setzero_si256();
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + s * kChunk));
    const __m256i is_zero = _mm256_cmpeq_epi8(x, zero);
    b.data[s] = _mm256_blendv_epi8(x, b.data[s], is_zero);
    b.step[s] = _mm256_blendv_epi8(number, b.step[s], is_zero);
  }
}

// finish reduces a block to its last non-zero byte.
inline Found finish(const Block& b) {
  const __m256i iota = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  __m256i steps = _mm256_max_epu8(_mm256_max_epu8(b.step[0], b.step[1]),
                                  _mm256_max_epu8(b.step[2], b.step[3]));
  const uint8_t t = hmax(steps);
  const __m256i tv = _mm256_set1_epi8(static_cast<char>(t));
  __m256i where = _mm256_setzero_si256();
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const __m256i position = _mm256_add_epi8(iota, _mm256_set1_epi8(static_cast<char>(s * kChunk)));
    const __m256i holds_t = _mm256_cmpeq_epi8(b.step[s], tv);
    where = _mm256_max_epu8(where, _mm256_and_si256(holds_t, position));
  }
  const uint8_t q = hmax(where);
  const __m256i qv = _mm256_set1_epi8(static_cast<char>(q));
  __m256i type = _mm256_setzero_si256();
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const __m256i position = _mm256_add_epi8(iota, _mm256_set1_epi8(static_cast<char>(s * kChunk)));
    type = _mm256_or_si256(type, _mm256_and_si256(_mm256_cmpeq_epi8(position, qv), b.data[s]));
  }
  // With t == 0 every lane "holds" 0 and q is 127, whose data lane is 0: |type| is 0 regardless.
  return {nonzero_mask(t), (uint64_t{t} - 1) * kStep + q, hmax(type)};
}

uint8_t scan(const uint8_t* inner, size_t len, size_t* content_len) {
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
    for (size_t s = 0; s < kChunks; ++s) b.data[s] = b.step[s] = _mm256_setzero_si256();
    __m256i number = _mm256_setzero_si256();
    const __m256i one = _mm256_set1_epi8(1);
    for (size_t i = 0; i < n_full; ++i) {
      number = _mm256_add_epi8(number, one);
      absorb(b, inner + (first + i) * kStep, number);
    }
    if (n_full < n) {
      alignas(32) uint8_t tail[kStep] = {};
      std::memcpy(tail, inner + full_steps * kStep, rest);
      number = _mm256_add_epi8(number, one);
      absorb(b, tail, number);
      secure_wipe(tail, rest);
    }
    const Found f = finish(b);
    keep_last(&pos, &type, first * kStep, f);
  }
  *content_len = static_cast<size_t>(pos);
  return static_cast<uint8_t>(type);
}

}  // namespace content_type_avx2
}  // namespace

const ContentTypeKernel kContentTypeAvx2 = {content_type_avx2::scan};

}  // namespace volley::kernels
