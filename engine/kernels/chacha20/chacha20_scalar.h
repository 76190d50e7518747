// Scalar ChaCha20 (RFC 8439 §2.1-2.4), textually included by the portable kernel and by every
// per-ISA ChaCha20 file. Everything here has internal linkage, so each ISA build keeps a private
// copy compiled with its own flags and no inline function is shared with baseline code.
//
// The including file must have included <cstddef>, <cstdint> and <cstring> first.
// Little-endian hosts only (x86-64 and aarch64 as volley builds them).
#pragma once

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ChaCha20 kernels assume little endian");

namespace {
namespace chacha20_scalar {

// "expand 32-byte k" (RFC 8439 §2.3).
constexpr uint32_t kSigma[4] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};

// ChaChaKey is the key and nonce as little-endian words: words 4..11 and 13..15 of the state.
struct ChaChaKey {
  uint32_t key[8];
  uint32_t nonce[3];
};

static inline uint32_t load32(const uint8_t* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

static inline void set_key(ChaChaKey* k, const uint8_t key[32], const uint8_t nonce[12]) noexcept {
  std::memcpy(k->key, key, 32);
  std::memcpy(k->nonce, nonce, 12);
}

static inline uint32_t rotl32(uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

#define VOLLEY_CHACHA_QR(a, b, c, d) \
  a += b;                            \
  d = rotl32(d ^ a, 16);             \
  c += d;                            \
  b = rotl32(b ^ c, 12);             \
  a += b;                            \
  d = rotl32(d ^ a, 8);              \
  c += d;                            \
  b = rotl32(b ^ c, 7)

// block writes the 64-byte keystream block |counter| of |k| (RFC 8439 §2.3.1).
static inline void block(const ChaChaKey* k, uint32_t counter, uint8_t out[64]) noexcept {
  uint32_t in[16];
  std::memcpy(in, kSigma, 16);
  std::memcpy(in + 4, k->key, 32);
  in[12] = counter;
  std::memcpy(in + 13, k->nonce, 12);
  uint32_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6],
           x7 = in[7], x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12],
           x13 = in[13], x14 = in[14], x15 = in[15];
  for (int i = 0; i < 10; ++i) {
    VOLLEY_CHACHA_QR(x0, x4, x8, x12);
    VOLLEY_CHACHA_QR(x1, x5, x9, x13);
    VOLLEY_CHACHA_QR(x2, x6, x10, x14);
    VOLLEY_CHACHA_QR(x3, x7, x11, x15);
    VOLLEY_CHACHA_QR(x0, x5, x10, x15);
    VOLLEY_CHACHA_QR(x1, x6, x11, x12);
    VOLLEY_CHACHA_QR(x2, x7, x8, x13);
    VOLLEY_CHACHA_QR(x3, x4, x9, x14);
  }
  const uint32_t x[16] = {x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15};
  for (int i = 0; i < 16; ++i) {
    const uint32_t w = x[i] + in[i];
    std::memcpy(out + 4 * i, &w, 4);
  }
}

#undef VOLLEY_CHACHA_QR

// xor_bytes sets out = in ^ ks for |len| bytes (in == out allowed), 8 bytes at a time.
static inline void xor_bytes(uint8_t* out, const uint8_t* in, const uint8_t* ks,
                             size_t len) noexcept {
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t a, b;
    std::memcpy(&a, in + i, 8);
    std::memcpy(&b, ks + i, 8);
    a ^= b;
    std::memcpy(out + i, &a, 8);
  }
  for (; i < len; ++i) out[i] = static_cast<uint8_t>(in[i] ^ ks[i]);
}

// xor_stream encrypts |len| bytes with the keystream starting at block |counter|. The 32-bit
// counter wraps modulo 2^32 like every other ChaCha20 path of volley.
static inline void xor_stream(const ChaChaKey* k, uint32_t counter, const uint8_t* in, uint8_t* out,
                              size_t len) noexcept {
  uint8_t ks[64];
  while (len > 0) {
    block(k, counter++, ks);
    const size_t n = len < 64 ? len : 64;
    xor_bytes(out, in, ks, n);
    in += n;
    out += n;
    len -= n;
  }
}

}  // namespace chacha20_scalar
}  // namespace
