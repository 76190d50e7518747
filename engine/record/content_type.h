// Finding the content type at the end of a decrypted TLSInnerPlaintext (RFC 8446 §5.4).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/content_type_kernels.h"
#include "volley/dispatch.h"

namespace volley::record_internal {

// content_type_kernel is the content-type kernel dispatch::best() chooses (or the one force()
// set). The record layer asks once per read and scans every record of it with that kernel.
inline const kernels::ContentTypeKernel& content_type_kernel() {
  return *static_cast<const kernels::ContentTypeKernel*>(
      dispatch::best(dispatch::Family::kContentType).kernel);
}

// inner_content_type finds the content type of the |len|-byte TLSInnerPlaintext at |inner|, its
// last non-zero byte, and sets |*content_len| to the number of bytes before it. Returns 0 if every
// byte is zero (the record must then be rejected with unexpected_message); |*content_len| is then
// 0. Reads |inner| only; thread-safe.
//
// Timing: depends on |len| only. The zeros after the type are padding, which exists to hide the
// content's length (RFC 8446 §5.4), so the scan reads the whole buffer rather than stopping at the
// type byte: no branch, loop bound or memory index depends on the bytes. Asking dispatch on every
// call costs about 2 to 3 ns (bench/content_type_bench); a caller scanning many records takes
// content_type_kernel() once instead.
inline uint8_t inner_content_type(const uint8_t* inner, size_t len, size_t* content_len) {
  return content_type_kernel().scan(inner, len, content_len);
}

}  // namespace volley::record_internal
