// Finding the content type at the end of a decrypted TLSInnerPlaintext (RFC 8446 §5.4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace volley::record_internal {

// inner_content_type scans |inner| from its end for the last non-zero byte, the content type, and
// sets |*content_len| to the number of bytes before it. Returns 0 if every byte is zero (the record
// must then be rejected with unexpected_message).
//
// Timing: the scan stops at the content type, so its time depends on the padding length only, never
// on the content's bytes (the type byte is non-zero by construction). The padding length is the
// sender's choice and the record length is public; this is the scan RFC 8446 §5.4 describes, as in
// the other TLS stacks. Scanning eight bytes at a time keeps long padding cheap.
inline uint8_t inner_content_type(const uint8_t* inner, size_t len, size_t* content_len) {
  size_t end = len;
  while (end >= 8) {
    uint64_t w;
    std::memcpy(&w, inner + end - 8, 8);
    if (w != 0) break;
    end -= 8;
  }
  while (end > 0 && inner[end - 1] == 0) --end;
  if (end == 0) {
    *content_len = 0;
    return 0;
  }
  *content_len = end - 1;
  return inner[end - 1];
}

}  // namespace volley::record_internal
