// Finding the content type at the end of a decrypted TLSInnerPlaintext (RFC 8446 §5.4).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/content_type_kernels.h"
#include "volley/dispatch.h"

namespace volley::record_internal {

// inner_content_type finds the content type of the |len|-byte TLSInnerPlaintext at |inner|, its
// last non-zero byte, and sets |*content_len| to the number of bytes before it. Returns 0 if every
// byte is zero (the record must then be rejected with unexpected_message); |*content_len| is then
// 0. Reads |inner| only; thread-safe.
//
// Timing: depends on |len| only. The zeros after the type are padding, which exists to hide the
// content's length (RFC 8446 §5.4), so the scan reads the whole buffer rather than stopping at the
// type byte: no branch, loop bound or memory index depends on the bytes. It runs on the
// content-type kernel dispatch::best() chooses (or the one force() set), asked on every call so
// that force() applies. bench/content_type_bench measures this entry at about 2 to 3 ns above a
// direct call of the kernel (a loaded 2-core VM: 64-byte records 4-7 ns against 2-3 ns); cache
// the kernel in the caller if that matters for short records.
inline uint8_t inner_content_type(const uint8_t* inner, size_t len, size_t* content_len) {
  const auto* kernel = static_cast<const kernels::ContentTypeKernel*>(
      dispatch::best(dispatch::Family::kContentType).kernel);
  return kernel->scan(inner, len, content_len);
}

}  // namespace volley::record_internal
