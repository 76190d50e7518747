#include "tools/speed/workload.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tools/speed/peer_subjects.h"

namespace volley::speed {
namespace {

// Buffers start on cache lines so that every implementation sees the same alignment.
constexpr size_t kAlign = 64;

size_t round_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Layout places one message's nonce, AAD, plaintext, reference and output in a stride of memory.
struct Layout {
  explicit Layout(size_t len)
      : plain_off(round_up(aad_off + kAadLen)),
        sealed_off(plain_off + round_up(len)),
        out_off(sealed_off + round_up(len + 16)),
        stride(out_off + round_up(len + kOutSlack)) {}
  static constexpr size_t nonce_off = 0;
  static constexpr size_t aad_off = 16;
  size_t plain_off;
  size_t sealed_off;
  size_t out_off;
  size_t stride;
};

size_t stride_for(size_t len) { return Layout(len).stride; }

// xorshift32: a fixed, cheap byte source; the contents do not matter, only that they vary.
uint32_t next(uint32_t* s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "volley speed: OpenSSL failed to %s the reference messages\n", what);
  std::abort();
}

}  // namespace

std::span<const uint8_t> bench_key(size_t len) {
  static const uint8_t kKey[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
                                   0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
                                   0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
  return {kKey, len <= sizeof(kKey) ? len : sizeof(kKey)};
}

size_t pool_count(size_t len, size_t batch, bool cold) {
  if (!cold) return batch;
  const size_t per = stride_for(len);
  size_t n = (kColdBytes + per - 1) / per;
  if (n < batch) n = batch;
  return (n + batch - 1) / batch * batch;
}

MessagePool::MessagePool(const Aead& aead, std::span<const uint8_t> key, size_t len, size_t count,
                         uint32_t seed)
    : len_(len), count_(count) {
  const Layout l(len);
  const size_t nonce_off = l.nonce_off;
  const size_t aad_off = l.aad_off;
  const size_t plain_off = l.plain_off;
  const size_t sealed_off = l.sealed_off;
  const size_t out_off = l.out_off;
  const size_t stride = l.stride;
  // One spare line lets the base be aligned by hand; std::align_val_t arrays are not needed.
  storage_ = std::make_unique<uint8_t[]>(stride * count + kAlign);
  messages_ = std::make_unique<Message[]>(count);
  uint8_t* base = storage_.get();
  base += (kAlign - reinterpret_cast<uintptr_t>(base) % kAlign) % kAlign;

  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx, openssl_cipher_for(aead), nullptr, key.data(), nullptr) != 1) {
    die("set up");
  }
  uint32_t s = seed * 2654435761u + 1;
  for (size_t i = 0; i < count; ++i) {
    uint8_t* m = base + i * stride;
    for (size_t j = 0; j < 12; ++j) m[nonce_off + j] = static_cast<uint8_t>(next(&s));
    for (size_t j = 0; j < kAadLen; ++j) m[aad_off + j] = static_cast<uint8_t>(next(&s));
    for (size_t j = 0; j < len; ++j) m[plain_off + j] = static_cast<uint8_t>(next(&s));
    int n = 0;
    if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, m + nonce_off) != 1 ||
        EVP_EncryptUpdate(ctx, nullptr, &n, m + aad_off, static_cast<int>(kAadLen)) != 1 ||
        EVP_EncryptUpdate(ctx, m + sealed_off, &n, m + plain_off, static_cast<int>(len)) != 1 ||
        EVP_EncryptFinal_ex(ctx, m + sealed_off + n, &n) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, m + sealed_off + len) != 1) {
      die("seal");
    }
    messages_[i] =
        Message{m + nonce_off, m + aad_off, m + plain_off, m + sealed_off, m + out_off, len};
  }
  EVP_CIPHER_CTX_free(ctx);
}

bool MessagePool::check_outputs(size_t first, size_t n, bool after_seal) const {
  for (size_t i = first; i < first + n && i < count_; ++i) {
    const Message& m = messages_[i];
    const bool same = after_seal ? std::memcmp(m.out, m.sealed, len_ + 16) == 0
                                 : std::memcmp(m.out, m.plain, len_) == 0;
    if (!same) return false;
  }
  return true;
}

void MessagePool::clear_outputs(size_t first, size_t n) {
  for (size_t i = first; i < first + n && i < count_; ++i) {
    std::memset(messages_[i].out, 0, len_ + kOutSlack);
  }
}

}  // namespace volley::speed
