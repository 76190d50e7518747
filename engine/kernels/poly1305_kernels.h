// Poly1305 (RFC 8439 §2.5) kernels, one set per ISA, used by the ChaCha20-Poly1305 AEAD kernels of
// the same ISA. Internal.
//
// A state absorbs whole 16-byte blocks (each block gets the 2^128 pad bit); the AEAD kernels
// zero-pad AAD and ciphertext to 16 bytes as RFC 8439 §2.8 requires, so they pass whole blocks
// only. For plain Poly1305 (tests) the last call before finish may end in a partial block, padded
// as RFC 8439 §2.5 says (0x01 after the data, no 2^128 bit).
#pragma once

#include <cstddef>
#include <cstdint>

namespace volley::kernels {

// Poly1305State is private to the kernel set that initialised it: accumulator, r, s, and any
// precomputed powers of r. Wiped by the AEAD front end together with the message state.
struct alignas(64) Poly1305State {
  uint8_t bytes[384];
};

// A Poly1305 kernel set. |blocks| takes any length, including 0; only the last call before finish
// may have len % 16 != 0. Lengths are public; nothing branches on the data, r or s.
//
// Every kernel keeps the same scalar accumulator (engine/kernels/portable/poly1305_scalar.inc) at
// the start of the state between calls and its own precomputed powers of r after it, computed on
// the first call long enough for the vector path.
struct Poly1305Kernel {
  void (*init)(Poly1305State* st, const uint8_t key[32]);
  void (*blocks)(Poly1305State* st, const uint8_t* in, size_t len);
  void (*finish)(Poly1305State* st, uint8_t tag[16]);
};

extern const Poly1305Kernel kPoly1305Nohw;
#if defined(__x86_64__)
extern const Poly1305Kernel kPoly1305Avx2;
extern const Poly1305Kernel kPoly1305Avx512Ifma;
#endif
#if defined(__aarch64__)
extern const Poly1305Kernel kPoly1305Neon;
#endif

}  // namespace volley::kernels
