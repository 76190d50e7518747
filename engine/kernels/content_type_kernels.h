// Content-type scan kernels: find the content type of a decrypted TLSInnerPlaintext, one table per
// backend. Internal: reached only through dispatch (Family::kContentType) and the record layer's
// record_internal::inner_content_type (engine/record/content_type.h).
//
// RFC 8446 §5.4: TLSInnerPlaintext is content || type || zeros, and the type is the last non-zero
// byte. The zeros are padding, there to hide the content's length, so a scan that stops at the
// type byte would tell the length back through its time. Every kernel here reads the whole buffer
// instead.
//
// Constant time: no branch, loop bound or memory index depends on the bytes of |inner|, only on
// |len| (the record's length, which is public). Reads exactly [inner, inner + len): no byte before
// or after, so any alignment and a buffer ending at a page boundary are fine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::kernels {

struct ContentTypeKernel {
  // scan returns the last non-zero byte of |inner| (|len| bytes, may be 0) and sets
  // |*content_len| to its index, the length of the content before it. When every byte is zero it
  // returns 0 and sets |*content_len| to 0.
  uint8_t (*scan)(const uint8_t* inner, size_t len, size_t* content_len);
};

extern const ContentTypeKernel kContentTypeNohw;
#if defined(__x86_64__)
extern const ContentTypeKernel kContentTypeAvx2;
extern const ContentTypeKernel kContentTypeAvx512;
#endif
#if defined(__aarch64__)
extern const ContentTypeKernel kContentTypeNeon;
#endif

}  // namespace volley::kernels
