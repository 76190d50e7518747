// Wiping secrets and comparing authenticators without leaking through timing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace volley {

// secure_wipe zeroes |len| bytes at |p| in a way the compiler may not elide.
void secure_wipe(void* p, size_t len) noexcept;

// ct_equal compares |len| bytes in time that depends only on |len|.
bool ct_equal(const uint8_t* a, const uint8_t* b, size_t len) noexcept;

// ct_equal16 is ct_equal for 16 bytes (an AEAD tag), as two 64-bit XORs: inline, since the byte
// loop of ct_equal, waiting on a tag the kernel has just stored, cost several ns per 64-byte
// message. Not for kernel code (an inline function built with ISA flags could be shared).
inline bool ct_equal16(const uint8_t* a, const uint8_t* b) noexcept {
  uint64_t a0, a1, b0, b1;
  std::memcpy(&a0, a, 8);
  std::memcpy(&a1, a + 8, 8);
  std::memcpy(&b0, b, 8);
  std::memcpy(&b1, b + 8, 8);
  uint64_t diff = (a0 ^ b0) | (a1 ^ b1);
  __asm__("" : "+r"(diff));  // the compiler cannot see diff, so it cannot exit early
  return diff == 0;
}

// volley_ct_declassify is a hook for constant-time checkers, not part of the API. The engine
// calls it, through declassify(), on the few values it computes from secrets and then branches on
// because they are public by protocol (whether a tag matched, whether an X25519 result is zero, the
// content type of an authenticated record). A checker binary that runs the engine under
// valgrind with its secrets marked undefined (tests/ct/) defines it to mark those bytes defined
// again; everywhere else it is left undefined, so weak, so null, and declassify costs one compare
// of a link-time address: no valgrind client request (a memory clobber) on the hot path.
extern "C" [[gnu::weak]] void volley_ct_declassify(const void* p, size_t len) noexcept;

// declassify declares the |len| bytes at |p| public from here on (see volley_ct_declassify). Call
// it only on a value whose disclosure the protocol already makes, with a comment saying why.
inline void declassify(const void* p, size_t len) noexcept {
  if (volley_ct_declassify != nullptr) volley_ct_declassify(p, len);
}

// overlaps reports whether [a, a+a_len) and [b, b+b_len) share a byte.
inline bool overlaps(const void* a, size_t a_len, const void* b, size_t b_len) noexcept {
  const auto x = reinterpret_cast<uintptr_t>(a);
  const auto y = reinterpret_cast<uintptr_t>(b);
  return a_len != 0 && b_len != 0 && x < y + b_len && y < x + a_len;
}

}  // namespace volley
