// The content-type scan's method (RFC 8446 §5.4) on AVX-512BW vectors of plaintext, shared by the
// standalone scan (content_type_avx512.cc) and by the AEAD kernels that find the type while they
// decrypt (aead_kernel.h, Job::inner): aes_gcm_vaes_avx512.cc, chacha20_poly1305_avx512.cc.
//
// Per 64-byte vector, VPTESTMB gives the mask of non-zero bytes. A masked move on that mask keeps,
// in each lane, the last non-zero byte seen at that lane; CMOV keeps the mask and the offset of the
// last vector that had a non-zero byte. At the end the type is the lane at that mask's highest bit
// (picked by VPERMW, which takes the same time for any lane) and the content length is the
// vector's offset plus that bit. So the data decides which lanes a move writes and which value a
// CMOV keeps, never which instructions run or which addresses are read. A vector's bytes past the
// end of the message must be zero (a zero-masked load or move): they are then never "found".
//
// Included only by translation units built with AVX-512BW flags. Everything here has internal
// linkage (an anonymous namespace), so no copy built with one ISA's flags can be shared with
// another (tests/isa_isolation_test.sh). An includer whose functions carry attributes that
// always-inline callees must share (GCC's no_sanitize_address, chacha20_poly1305_avx512.cc)
// defines VOLLEY_CT_FN to them first.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "engine/kernels/content_type_masks.h"

#ifndef VOLLEY_CT_FN
#define VOLLEY_CT_FN
#endif
#define VOLLEY_CT_INLINE VOLLEY_CT_FN inline __attribute__((always_inline))

namespace volley::kernels {
namespace {
namespace content_type_avx512 {

constexpr size_t kChunk = 64;

// lanes returns the load mask of the first |n| bytes of a chunk (all 64 when n >= 64).
// (BZHI takes the index modulo 256: callers pass n <= 64.)
VOLLEY_CT_INLINE __mmask64 lanes(size_t n) { return _cvtu64_mask64(_bzhi_u64(~uint64_t{0}, n)); }

// pick returns byte b of |v| (b < 64, public-index free: the shuffle's time does not depend on
// b): VPERMW brings the byte's 16-bit word to lane 0.
VOLLEY_CT_INLINE uint8_t pick(__m512i v, uint64_t b) {
  const __m512i word = _mm512_permutexvar_epi16(_mm512_set1_epi16(static_cast<short>(b >> 1)), v);
  const uint32_t w = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(word)));
  return static_cast<uint8_t>(w >> (8 * (b & 1)));
}

// highest_bit is the index of the highest set bit of |bits| (0 when bits is 0), by BSR/LZCNT,
// whose time does not depend on the operand.
VOLLEY_CT_INLINE uint64_t highest_bit(uint64_t bits) {
  return 63 ^ static_cast<uint64_t>(__builtin_clzll(bits | 1));
}

// select_nonzero returns |a| when |cond| != 0, else |b|, by CMOV (see keep_if_found): two
// instructions where a select by mask arithmetic takes seven. |b| is early-clobbered for the
// reason keep_if_found's outputs are.
VOLLEY_CT_INLINE uint64_t select_nonzero(uint64_t cond, uint64_t a, uint64_t b) {
  __asm__("test %[cond], %[cond]\n\t"
          "cmovnz %[a], %[b]"
          : [b] "+&r"(b)
          : [cond] "r"(cond), [a] "r"(a)
          : "cc");
  return b;
}

// Answer is the last non-zero byte of a message: the type and its index; both 0 when none.
struct Answer {
  uint8_t type;
  uint64_t content_len;
};

// one_vector is the whole answer for a message of at most 64 bytes in |x| (zero past the end).
VOLLEY_CT_INLINE Answer one_vector(__m512i x) {
  const uint64_t bits = _cvtmask64_u64(_mm512_test_epi8_mask(x, x));
  const uint64_t b = highest_bit(bits);
  return {pick(x, b), select_nonzero(bits, b, 0)};  // all of x is zero when nothing was found
}

// two_vectors is the whole answer for a message of 65..128 bytes in |x0| and |x1| (zero past the
// end): the two masks are joined in a general register, and VPERMI2W picks the byte from the pair
// of vectors, so no vector has to be selected first.
VOLLEY_CT_INLINE Answer two_vectors(__m512i x0, __m512i x1) {
  const uint64_t bits0 = _cvtmask64_u64(_mm512_test_epi8_mask(x0, x0));
  const uint64_t bits1 = _cvtmask64_u64(_mm512_test_epi8_mask(x1, x1));
  // 127 ^ lzcnt is 64 + highest_bit (lzcnt < 64).
  const uint64_t b = select_nonzero(bits1, 127 ^ static_cast<uint64_t>(__builtin_clzll(bits1 | 1)),
                                    highest_bit(bits0));
  const __m512i word =
      _mm512_permutex2var_epi16(x0, _mm512_set1_epi16(static_cast<short>(b >> 1)), x1);
  const uint32_t w = static_cast<uint32_t>(_mm_cvtsi128_si32(_mm512_castsi512_si128(word)));
  // 0 when both vectors are zero.
  return {static_cast<uint8_t>(w >> (8 * (b & 1))), select_nonzero(bits0 | bits1, b, 0)};
}

// keep_if_found makes the chunk at |at|, whose mask of non-zero bytes is |bits|, the last one
// seen when it has a non-zero byte. CMOV, whose time does not depend on its condition (it is on
// Intel's list of data-operand-independent instructions and runs as a select on AMD): a chain of
// one instruction per tracked value, where a select by mask arithmetic would take four. The
// outputs are early-clobbered: last_bits is written before |at| is read, and the compiler may
// otherwise give |at| the register of last_bits when it knows both hold the same value (both 0
// in a fresh tracker's first chunk at offset 0: last_at then took the mask).
VOLLEY_CT_INLINE void keep_if_found(uint64_t* last_bits, uint64_t* last_at, uint64_t bits,
                                    uint64_t at) {
  __asm__("test %[bits], %[bits]\n\t"
          "cmovnz %[bits], %[last_bits]\n\t"
          "cmovnz %[at], %[last_at]"
          : [last_bits] "+&r"(*last_bits), [last_at] "+&r"(*last_at)
          : [bits] "r"(bits), [at] "r"(at)
          : "cc");
}

// Tracker follows the chunks of one stream, absorbed in increasing order of offset: per lane the
// last non-zero byte seen at that lane (a masked move on the chunk's own mask of non-zero bytes),
// and the mask and offset of the last chunk that had one. At the end, lane highest_bit(bits) of
// |data| is the answer: that chunk has a non-zero byte there and no later chunk has any, so the
// lane was last written by it. A fresh tracker (tracker_zero) has found nothing.
struct Tracker {
  __m512i data;
  uint64_t bits;
  uint64_t at;
};

VOLLEY_CT_INLINE Tracker tracker_zero() { return {_mm512_setzero_si512(), 0, 0}; }

// absorb adds the chunk |x| (zero past the end of the message) at offset |at|.
VOLLEY_CT_INLINE void absorb(Tracker& t, __m512i x, uint64_t at) {
  const __mmask64 nonzero = _mm512_test_epi8_mask(x, x);
  t.data = _mm512_mask_mov_epi8(t.data, nonzero, x);
  keep_if_found(&t.bits, &t.at, _cvtmask64_u64(nonzero), at);
}

// answer reads the tracker's answer.
VOLLEY_CT_INLINE Answer answer(const Tracker& t) {
  const uint64_t b = highest_bit(t.bits);
  // |data| is all zero when nothing was found.
  return {pick(t.data, b), select_nonzero(t.bits, t.at + b, 0)};
}

}  // namespace content_type_avx512
}  // namespace
}  // namespace volley::kernels
