// Content-type scan (RFC 8446 §5.4) on NEON (ARMv8-A, no extra flags). Reached only through
// dispatch after kNeedsNeon was checked.
//
// The same per-lane method as engine/kernels/x86_64/content_type_avx2.cc, on 16-byte chunks, four
// per 64-byte step: each of a step's 64 byte positions has a lane in one of four data registers
// and four step registers, and a non-zero byte writes itself and the step's number into its lanes
// (BSL on the byte's compare with zero). At the end of a block (at most 255 steps, 16320 bytes):
//   t = UMAXV of the step lanes: the last step with a non-zero byte (0: none);
//   q = the largest position (s * 16 + lane, 0..63) of a lane holding t;
//   the type is the data lane whose position equals q.
// The last partial step is copied into a zeroed stack buffer, since reading past |len| is not
// allowed. Loop bounds and addresses depend on |len| only.
//
// The loops over a step's chunks are unrolled (#pragma GCC unroll) so that the Block lives in
// registers: GCC 12 otherwise kept it on the stack, and the blends became stores and reloads
// that made the scan several times slower.
#include <arm_neon.h>

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/kernels/content_type_kernels.h"
#include "engine/kernels/content_type_masks.h"

namespace volley::kernels {
namespace {
namespace content_type_neon {

constexpr size_t kChunk = 16;
constexpr size_t kChunks = 4;
constexpr size_t kStep = kChunk * kChunks;  // 64 bytes
constexpr size_t kMaxSteps = 255;           // step numbers 1..255 fit a byte lane

struct Block {
  uint8x16_t data[kChunks];  // per position: the last non-zero byte seen there, or 0
  uint8x16_t step[kChunks];  // per position: the number of the step it came from, or 0
};

__attribute__((always_inline)) inline void absorb(Block& b, const uint8_t* p, uint8x16_t number) {
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const uint8x16_t x = vld1q_u8(p + s * kChunk);
    const uint8x16_t is_zero = vceqzq_u8(x);
    b.data[s] = vbslq_u8(is_zero, b.data[s], x);
    b.step[s] = vbslq_u8(is_zero, b.step[s], number);
  }
}

inline Found finish(const Block& b) {
  static constexpr uint8_t kIota[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const uint8x16_t iota = vld1q_u8(kIota);
  const uint8_t t =
      vmaxvq_u8(vmaxq_u8(vmaxq_u8(b.step[0], b.step[1]), vmaxq_u8(b.step[2], b.step[3])));
  const uint8x16_t tv = vdupq_n_u8(t);
  uint8x16_t where = vdupq_n_u8(0);
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const uint8x16_t position = vaddq_u8(iota, vdupq_n_u8(static_cast<uint8_t>(s * kChunk)));
    where = vmaxq_u8(where, vandq_u8(vceqq_u8(b.step[s], tv), position));
  }
  const uint8_t q = vmaxvq_u8(where);
  const uint8x16_t qv = vdupq_n_u8(q);
  uint8x16_t type = vdupq_n_u8(0);
  #pragma GCC unroll 4
  for (size_t s = 0; s < kChunks; ++s) {
    const uint8x16_t position = vaddq_u8(iota, vdupq_n_u8(static_cast<uint8_t>(s * kChunk)));
    type = vorrq_u8(type, vandq_u8(vceqq_u8(position, qv), b.data[s]));
  }
  // With t == 0 every lane "holds" 0 and q is 63, whose data lane is 0: |type| is 0 regardless.
  return {nonzero_mask(t), (uint64_t{t} - 1) * kStep + q, vmaxvq_u8(type)};
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
    for (size_t s = 0; s < kChunks; ++s) b.data[s] = b.step[s] = vdupq_n_u8(0);
    uint8x16_t number = vdupq_n_u8(0);
    const uint8x16_t one = vdupq_n_u8(1);
    for (size_t i = 0; i < n_full; ++i) {
      number = vaddq_u8(number, one);
      absorb(b, inner + (first + i) * kStep, number);
    }
    if (n_full < n) {
      alignas(16) uint8_t tail[kStep] = {};
      std::memcpy(tail, inner + full_steps * kStep, rest);
      number = vaddq_u8(number, one);
      absorb(b, tail, number);
      secure_wipe(tail, rest);
    }
    const Found f = finish(b);
    keep_last(&pos, &type, first * kStep, f);
  }
  *content_len = static_cast<size_t>(pos);
  return static_cast<uint8_t>(type);
}

}  // namespace content_type_neon
}  // namespace

const ContentTypeKernel kContentTypeNeon = {content_type_neon::scan};

}  // namespace volley::kernels
