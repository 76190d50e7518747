// The X25519 front end: backend choice, the all-zero check of RFC 8446 §7.4.2, key generation.
#include "volley/x25519.h"

#include <sys/random.h>

#include <cerrno>

#include "engine/common/secure_memory.h"
#include "engine/kernels/x25519_kernels.h"
#include "volley/dispatch.h"

namespace volley {
namespace {

using kernels::X25519Kernel;

const X25519Kernel& best_kernel() noexcept {
  return *static_cast<const X25519Kernel*>(dispatch::best(dispatch::Family::kX25519).kernel);
}

// named_kernel finds the kernel of |backend|, or says why it cannot run.
Status named_kernel(std::string_view backend, const X25519Kernel** out) noexcept {
  const dispatch::Backend* b = dispatch::find(dispatch::Family::kX25519, backend);
  if (b == nullptr) return Status::kUnknownBackend;
  if (!dispatch::available(*b)) return Status::kBackendUnavailable;
  *out = static_cast<const X25519Kernel*>(b->kernel);
  return Status::kOk;
}

Status shared(const X25519Kernel& k, uint8_t out[32], const uint8_t priv[32],
              const uint8_t peer[32]) noexcept {
  k.scalarmult(out, priv, peer);
  // OR every byte together so the time does not depend on where a non-zero byte is; the
  // laundering keeps the compiler from turning the loop into an early exit.
  uint8_t acc = 0;
  for (size_t i = 0; i < kX25519KeyBytes; ++i) acc |= out[i];
  __asm__("" : "+r"(acc));
  // Whether the shared secret is all zeros is public: the handshake aborts on it (RFC 8446
  // §7.4.2). Only that one bit is declassified, not |acc|.
  bool zero = acc == 0;
  declassify(&zero, sizeof(zero));
  return zero ? Status::kInvalidPublicValue : Status::kOk;
}

// fill_random reads |len| bytes from getrandom(2). Flags 0: the urandom pool, blocking only until
// it is first initialised. Short reads and EINTR are retried.
bool fill_random(uint8_t* p, size_t len) noexcept {
  while (len > 0) {
    const ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

Status generate(const X25519Kernel& k, uint8_t pub[32], uint8_t priv[32]) noexcept {
  if (overlaps(pub, kX25519KeyBytes, priv, kX25519KeyBytes)) return Status::kInvalidArgument;
  if (!fill_random(priv, kX25519KeyBytes)) {
    secure_wipe(priv, kX25519KeyBytes);
    secure_wipe(pub, kX25519KeyBytes);
    return Status::kRandomFailure;
  }
  k.base(pub, priv);
  return Status::kOk;
}

}  // namespace

Status x25519(uint8_t out_shared[32], const uint8_t private_key[32],
              const uint8_t peer_public[32]) noexcept {
  return shared(best_kernel(), out_shared, private_key, peer_public);
}

Status x25519(uint8_t out_shared[32], const uint8_t private_key[32], const uint8_t peer_public[32],
              std::string_view backend) noexcept {
  const X25519Kernel* k = nullptr;
  const Status s = named_kernel(backend, &k);
  if (s != Status::kOk) return s;
  return shared(*k, out_shared, private_key, peer_public);
}

void x25519_public_from_private(uint8_t out_public[32], const uint8_t private_key[32]) noexcept {
  best_kernel().base(out_public, private_key);
}

Status x25519_public_from_private(uint8_t out_public[32], const uint8_t private_key[32],
                                  std::string_view backend) noexcept {
  const X25519Kernel* k = nullptr;
  const Status s = named_kernel(backend, &k);
  if (s != Status::kOk) return s;
  k->base(out_public, private_key);
  return Status::kOk;
}

Status x25519_generate_keypair(uint8_t out_public[32], uint8_t out_private[32]) noexcept {
  return generate(best_kernel(), out_public, out_private);
}

Status x25519_generate_keypair(uint8_t out_public[32], uint8_t out_private[32],
                               std::string_view backend) noexcept {
  const X25519Kernel* k = nullptr;
  const Status s = named_kernel(backend, &k);
  if (s != Status::kOk) return s;
  return generate(*k, out_public, out_private);
}

}  // namespace volley
