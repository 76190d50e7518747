// secp256r1 and secp384r1 key shares (RFC 8446 §4.2.8.2) on libcrypto's EC_POINT arithmetic.
//
// The scalar lives in a BIGNUM from secure memory, flagged constant-time, and is freed with
// BN_clear_free. Both multiplications are the single-point forms of EC_POINT_mul (d*G, d*Q), which
// libcrypto runs in constant time (the P-256 nistz256 code, the Montgomery ladder otherwise).
// The peer's point is decoded by EC_POINT_oct2point, which refuses coordinates >= p and points
// off the curve; the curve check is repeated here so the rule does not rest on a libcrypto detail.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <memory>
#include <new>

#include "engine/common/secure_memory.h"
#include "handshake/groups/key_share_impl.h"

namespace volley::tls::groups_internal {
namespace {

struct Free {
  void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const noexcept { EC_POINT_clear_free(p); }
  void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
  void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
using EcGroupPtr = std::unique_ptr<EC_GROUP, Free>;
using EcPointPtr = std::unique_ptr<EC_POINT, Free>;
using BignumPtr = std::unique_ptr<BIGNUM, Free>;
using BnCtxPtr = std::unique_ptr<BN_CTX, Free>;

constexpr size_t kMaxFieldBytes = 48;
constexpr size_t kMaxPointBytes = 1 + 2 * kMaxFieldBytes;

// Empties the thread's OpenSSL error queue on every return.
struct ClearErrors {
  ~ClearErrors() { ERR_clear_error(); }
};

TlsError internal(const char* reason) noexcept {
  return tls_fail(AlertDescription::kInternalError, reason);
}

TlsError illegal(const char* reason) noexcept {
  return tls_fail(AlertDescription::kIllegalParameter, reason);
}

class EcKeyShare final : public KeyShare {
 public:
  EcKeyShare(NamedGroup group, EcGroupPtr ec_group, BignumPtr scalar, size_t field_bytes) noexcept
      : group_(group),
        ec_group_(std::move(ec_group)),
        scalar_(std::move(scalar)),
        field_bytes_(field_bytes) {}

  // compute_public fills public_ with d*G, uncompressed.
  bool compute_public(BN_CTX* ctx) noexcept {
    const EcPointPtr point(EC_POINT_new(ec_group_.get()));
    return point != nullptr &&
           EC_POINT_mul(ec_group_.get(), point.get(), scalar_.get(), nullptr, nullptr, ctx) == 1 &&
           EC_POINT_point2oct(ec_group_.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, public_,
                              sizeof(public_), ctx) == point_bytes();
  }

  NamedGroup group() const override { return group_; }
  Bytes key_exchange() const override { return Bytes(public_, point_bytes()); }
  TlsError shared_secret(Secret* out, Bytes peer) const override;

 private:
  size_t point_bytes() const noexcept { return 1 + 2 * field_bytes_; }

  NamedGroup group_;
  EcGroupPtr ec_group_;
  BignumPtr scalar_;
  size_t field_bytes_;
  uint8_t public_[kMaxPointBytes] = {};
};

TlsError EcKeyShare::shared_secret(Secret* out, Bytes peer) const {
  const ClearErrors clear_errors;
  const EC_GROUP* g = ec_group_.get();
  // Only the uncompressed form exists in TLS 1.3 (RFC 8446 §4.2.8.2).
  if (peer.size() != point_bytes() || peer[0] != POINT_CONVERSION_UNCOMPRESSED) {
    return illegal("key_share: EC point not uncompressed or of the wrong length");
  }
  const BnCtxPtr ctx(BN_CTX_secure_new());
  const EcPointPtr q(EC_POINT_new(g));
  const EcPointPtr s(EC_POINT_new(g));
  if (ctx == nullptr || q == nullptr || s == nullptr) return internal("out of memory");
  if (EC_POINT_oct2point(g, q.get(), peer.data(), peer.size(), ctx.get()) != 1 ||
      EC_POINT_is_on_curve(g, q.get(), ctx.get()) != 1) {
    return illegal("key_share: EC point not on the curve");
  }
  if (EC_POINT_mul(g, s.get(), nullptr, q.get(), scalar_.get(), ctx.get()) != 1) {
    return internal("key_share: EC multiplication failed");
  }
  // The curves have cofactor 1, so a valid Q gives a finite d*Q; checked all the same.
  if (EC_POINT_is_at_infinity(g, s.get()) == 1)
    return illegal("key_share: EC shared point is zero");
  BN_CTX_start(ctx.get());
  BIGNUM* x = BN_CTX_get(ctx.get());  // secure memory, cleared by BN_CTX_end
  uint8_t shared[kMaxFieldBytes];
  TlsError result = kTlsOk;
  if (x == nullptr || EC_POINT_get_affine_coordinates(g, s.get(), x, nullptr, ctx.get()) != 1 ||
      BN_bn2binpad(x, shared, static_cast<int>(field_bytes_)) != static_cast<int>(field_bytes_) ||
      out->assign(Bytes(shared, field_bytes_)) != Status::kOk) {
    result = internal("key_share: EC shared secret failed");
  }
  BN_CTX_end(ctx.get());
  secure_wipe(shared, sizeof(shared));
  return result;
}

}  // namespace

TlsError make_ec_share(std::unique_ptr<KeyShare>* out, NamedGroup group,
                       Bytes private_key) noexcept {
  const ClearErrors clear_errors;
  const int nid = group == NamedGroup::kSecp256r1 ? NID_X9_62_prime256v1 : NID_secp384r1;
  const size_t field_bytes = group == NamedGroup::kSecp256r1 ? 32 : 48;
  if (private_key.size() != field_bytes) {
    return internal("key share: EC private key of the wrong length");
  }
  EcGroupPtr ec_group(EC_GROUP_new_by_curve_name(nid));
  BignumPtr scalar(BN_secure_new());
  const BnCtxPtr ctx(BN_CTX_secure_new());
  if (ec_group == nullptr || scalar == nullptr || ctx == nullptr) return internal("out of memory");
  BN_set_flags(scalar.get(), BN_FLG_CONSTTIME);
  if (BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), scalar.get()) ==
      nullptr) {
    return internal("out of memory");
  }
  if (BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), EC_GROUP_get0_order(ec_group.get())) >= 0) {
    return internal("key share: EC private key not in [1, order - 1]");
  }
  std::unique_ptr<EcKeyShare> share(
      new (std::nothrow) EcKeyShare(group, std::move(ec_group), std::move(scalar), field_bytes));
  if (share == nullptr) return internal("out of memory");
  if (!share->compute_public(ctx.get())) return internal("key share: EC public key failed");
  *out = std::move(share);
  return kTlsOk;
}

}  // namespace volley::tls::groups_internal
