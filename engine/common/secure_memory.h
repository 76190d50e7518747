// Wiping secrets and comparing authenticators without leaking through timing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley {

// secure_wipe zeroes |len| bytes at |p| in a way the compiler may not elide.
void secure_wipe(void* p, size_t len) noexcept;

// ct_equal compares |len| bytes in time that depends only on |len|.
bool ct_equal(const uint8_t* a, const uint8_t* b, size_t len) noexcept;

// overlaps reports whether [a, a+a_len) and [b, b+b_len) share a byte.
inline bool overlaps(const void* a, size_t a_len, const void* b, size_t b_len) noexcept {
  const auto x = reinterpret_cast<uintptr_t>(a);
  const auto y = reinterpret_cast<uintptr_t>(b);
  return a_len != 0 && b_len != 0 && x < y + b_len && y < x + a_len;
}

}  // namespace volley
