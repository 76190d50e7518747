// Portable content-type scan (RFC 8446 §5.4) on 64-bit words, the fallback on every CPU.
//
// The whole buffer is read a word at a time. For each word, a mask that is all ones when the word
// has a non-zero byte selects it and its index into a carry; two carries (even and odd words) keep
// the select's two-operation dependency chain off the critical path. At the end the carried word
// alone gives the type byte: its non-zero bytes are flagged in bit 7 of each byte, the flags are
// smeared downwards and counted with a multiply, and the type is shifted out by that count. No
// branch, loop bound or address depends on the bytes, only on |len|.
#include <bit>
#include <cstring>

#include "engine/kernels/content_type_kernels.h"
#include "engine/kernels/content_type_masks.h"

namespace volley::kernels {
namespace {
namespace content_type_nohw {

constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;
constexpr uint64_t kOnes = 0x0101010101010101ULL;

// Byte i of the buffer goes to bits 8i..8i+7 whatever the host's byte order.
inline uint64_t load_le64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

struct Carry {
  uint64_t word = 0;   // the last word seen with a non-zero byte, or 0
  uint64_t index = 0;  // its index in words
};

inline void absorb(Carry& c, uint64_t w, uint64_t index) {
  const uint64_t take = nonzero_mask(w);
  c.word = (c.word & ~take) | (w & take);
  c.index = (c.index & ~take) | (index & take);
}

uint8_t scan(const uint8_t* inner, size_t len, size_t* content_len) {
  Carry even, odd;
  const size_t nwords = len / 8;
  size_t i = 0;
  for (; i + 2 <= nwords; i += 2) {
    absorb(even, load_le64(inner + 8 * i), i);
    absorb(odd, load_le64(inner + 8 * i + 8), i + 1);
  }
  if (i < nwords) absorb(even, load_le64(inner + 8 * i), i);
  if (const size_t rest = len % 8; rest != 0) {
    // The last partial word, zero-extended: zeros beyond |len| cannot be the type.
    uint64_t w = 0;
    for (size_t k = 0; k < rest; ++k) w |= uint64_t{inner[8 * nwords + k]} << (8 * k);
    absorb(even, w, nwords);
  }
  // Odd indices start at 1, so an empty odd carry (index 0) never beats a non-empty even one; the
  // later word is the one with the larger index. (index < 2^61: the subtraction cannot wrap.)
  const uint64_t odd_later = nonzero_mask(odd.word) & (0 - ((even.index - odd.index) >> 63));
  const uint64_t word = (even.word & ~odd_later) | (odd.word & odd_later);
  const uint64_t index = (even.index & ~odd_later) | (odd.index & odd_later);

  // Bit 7 of each byte of |flags| is set when that byte is non-zero: (b & 0x7f) + 0x7f carries
  // into bit 7 exactly when the low seven bits are not all zero, and cannot carry out of the byte.
  uint64_t flags = (((word & kLow7) + kLow7) | word) & kHigh;
  flags |= flags >> 8;  // smear: bytes 0..b are flagged, b = the last non-zero byte
  flags |= flags >> 16;
  flags |= flags >> 32;
  const uint64_t count = ((flags >> 7) * kOnes) >> 56;  // b + 1, or 0 if the word is zero
  const uint64_t b = (count - 1) & 7;
  const uint64_t found = nonzero_mask(word);
  *content_len = static_cast<size_t>((index * 8 + b) & found);
  return static_cast<uint8_t>(word >> (8 * b));  // 0 when nothing was found: |word| is 0
}

}  // namespace content_type_nohw
}  // namespace

const ContentTypeKernel kContentTypeNohw = {content_type_nohw::scan};

}  // namespace volley::kernels
