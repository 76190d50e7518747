#include "engine/common/secure_memory.h"

#include <cstring>

namespace volley {

void secure_wipe(void* p, size_t len) noexcept {
  if (len == 0) return;
  std::memset(p, 0, len);
  // The empty asm takes |p| as an input and clobbers memory, so the stores above are observable.
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

bool ct_equal(const uint8_t* a, const uint8_t* b, size_t len) noexcept {
  uint8_t diff = 0;
  for (size_t i = 0; i < len; ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  // Launder |diff| so the compiler cannot turn the loop into an early-exit comparison.
  __asm__("" : "+r"(diff));
  return diff == 0;
}

}  // namespace volley
