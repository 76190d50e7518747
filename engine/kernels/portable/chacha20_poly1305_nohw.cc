// Portable ChaCha20-Poly1305 ("nohw"): scalar ChaCha20 and the portable Poly1305. The reference the
// vector kernels are tested against, and the fallback on every CPU.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/aead/aead_kernel.h"
#include "engine/kernels/aead_kernels.h"
#include "engine/kernels/chacha20/chacha20_kernels.h"
#include "engine/kernels/chacha20/chacha20_scalar.h"
#include "engine/kernels/poly1305_kernels.h"
#include "engine/kernels/chacha20/chacha20_poly1305_impl.h"

namespace volley::kernels {
namespace chacha20_nohw {
namespace {

using chacha20_scalar::ChaChaKey;

struct Ops {
  static constexpr size_t kLanes = 1;
  static constexpr size_t kHeadBlocks = 2;
  static constexpr bool kFusedPoly = false;
  static const Poly1305Kernel& poly() { return kPoly1305Nohw; }
  static void xor_stream(const ChaChaKey* k, uint32_t counter, const uint8_t* in, uint8_t* out,
                         size_t len) {
    chacha20_scalar::xor_stream(k, counter, in, out, len);
  }
  static void keystream_head(const ChaChaKey* k, uint8_t* ks) {
    chacha20_scalar::block(k, 0, ks);
    chacha20_scalar::block(k, 1, ks + 64);
  }
  static void keystream_lanes(const ChaChaKey* const* keys, const uint32_t* counters, uint8_t* ks) {
    chacha20_scalar::block(keys[0], counters[0], ks);
  }
};

}  // namespace

void chacha20_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter,
                  const uint8_t* in, uint8_t* out, size_t len) noexcept {
  ChaChaKey k;
  chacha20_scalar::set_key(&k, key, nonce);
  chacha20_scalar::xor_stream(&k, counter, in, out, len);
}

}  // namespace chacha20_nohw

const AeadKernel kChaCha20Poly1305Nohw = chacha20_poly1305::Kernel<chacha20_nohw::Ops>::table();

}  // namespace volley::kernels
