// X25519 (RFC 7748 §5) kernels, one per backend. Internal: reached only through dispatch
// (Family::kX25519) and the front end engine/x25519/x25519.cc.
//
// Each kernel is the whole X25519 function: it clamps its own copy of the scalar (RFC 7748 §5,
// decodeScalar25519), ignores the top bit of the u-coordinate and accepts non-canonical
// u-coordinates (§5, decodeUCoordinate), and always writes the canonical encoding of the result.
// It does not reject an all-zero result; the front end does (RFC 8446 §7.4.2).
//
// Constant time: no branch, loop bound or memory index depends on the scalar or on the point.
// Aliasing: |out| may alias |scalar| or |point|; inputs are copied before anything is written.
// Secrets: every intermediate value on the kernel's stack is wiped before it returns.
#pragma once

#include <cstdint>

namespace volley::kernels {

struct X25519Kernel {
  // scalarmult writes X25519(scalar, point) to |out|.
  void (*scalarmult)(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);
  // base writes X25519(scalar, 9), the public key of |scalar|, to |out|.
  void (*base)(uint8_t out[32], const uint8_t scalar[32]);
};

extern const X25519Kernel kX25519Nohw;
#if defined(__x86_64__)
extern const X25519Kernel kX25519MulxAdx;
#endif

}  // namespace volley::kernels
