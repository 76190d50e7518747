// X25519 key shares (RFC 7748, RFC 8446 §7.4.2) on the engine's volley/x25519.h.
#include <cstring>
#include <new>

#include "engine/common/secure_memory.h"
#include "handshake/groups/key_share_impl.h"
#include "volley/x25519.h"

namespace volley::tls::groups_internal {
namespace {

class X25519KeyShare final : public KeyShare {
 public:
  explicit X25519KeyShare(const uint8_t* private_key) noexcept {
    std::memcpy(private_, private_key, kX25519KeyBytes);
    x25519_public_from_private(public_, private_);
  }
  ~X25519KeyShare() override { secure_wipe(private_, sizeof(private_)); }
  X25519KeyShare(const X25519KeyShare&) = delete;
  X25519KeyShare& operator=(const X25519KeyShare&) = delete;

  NamedGroup group() const override { return NamedGroup::kX25519; }
  Bytes key_exchange() const override { return Bytes(public_, sizeof(public_)); }

  TlsError shared_secret(Secret* out, Bytes peer) const override {
    if (peer.size() != kX25519KeyBytes) {
      return tls_fail(AlertDescription::kIllegalParameter, "key_share: X25519 value not 32 bytes");
    }
    uint8_t shared[kX25519KeyBytes];
    const Status s = x25519(shared, private_, peer.data());
    TlsError result = kTlsOk;
    if (s == Status::kInvalidPublicValue) {
      result = tls_fail(AlertDescription::kIllegalParameter,
                        "key_share: X25519 shared secret is all zeros");
    } else if (s != Status::kOk || out->assign(Bytes(shared, sizeof(shared))) != Status::kOk) {
      result = tls_fail(AlertDescription::kInternalError, "key_share: X25519 failed");
    }
    secure_wipe(shared, sizeof(shared));
    return result;
  }

 private:
  uint8_t private_[kX25519KeyBytes];
  uint8_t public_[kX25519KeyBytes];
};

}  // namespace

TlsError make_x25519_share(std::unique_ptr<KeyShare>* out, Bytes private_key) noexcept {
  if (private_key.size() != kX25519KeyBytes) {
    return tls_fail(AlertDescription::kInternalError, "key share: X25519 private key not 32 bytes");
  }
  auto* share = new (std::nothrow) X25519KeyShare(private_key.data());
  if (share == nullptr) return tls_fail(AlertDescription::kInternalError, "out of memory");
  out->reset(share);
  return kTlsOk;
}

}  // namespace volley::tls::groups_internal
