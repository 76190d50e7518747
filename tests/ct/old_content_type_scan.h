// The content-type scan of engine/record/content_type.h before issue 15, kept as a reference and
// nothing else: tests/ct uses it as a negative test (memcheck must report it) and
// bench/content_type_bench as the time a leaky scan takes. Never for records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace volley::old_scan {

// backwards_scan searches from the end, eight bytes at a time while they are zero, then byte by
// byte, and stops at the type byte: the bytes decide how long it runs, which tells the padding
// length. Results as record_internal::inner_content_type.
inline uint8_t backwards_scan(const uint8_t* inner, size_t len, size_t* content_len) {
  size_t end = len;
  while (end >= 8) {
    uint64_t w;
    std::memcpy(&w, inner + end - 8, 8);
    if (w != 0) break;
    end -= 8;
  }
  while (end > 0 && inner[end - 1] == 0) --end;
  *content_len = end == 0 ? 0 : end - 1;
  return end == 0 ? 0 : inner[end - 1];
}

}  // namespace volley::old_scan
