#include "handshake/pki/openssl_common.h"

#include <openssl/rsa.h>

#include <cstring>

#include "handshake/pki/signature_scheme.h"

namespace volley::tls::ossl {
namespace {

// The hash of each CertificateVerify scheme, as libcrypto names it; null for Ed25519.
const char* digest_name(SignatureScheme scheme) noexcept {
  switch (scheme) {
    case SignatureScheme::kEcdsaSecp256r1Sha256:
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssPssSha256: return "SHA256";
    case SignatureScheme::kEcdsaSecp384r1Sha384:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssPssSha384: return "SHA384";
    case SignatureScheme::kEcdsaSecp521r1Sha512:
    case SignatureScheme::kRsaPssRsaeSha512:
    case SignatureScheme::kRsaPssPssSha512: return "SHA512";
    default: return nullptr;
  }
}

// The key kind a CertificateVerify scheme needs; kUnsupported for schemes outside
// kCertificateVerifySchemes.
KeyKind scheme_key_kind(SignatureScheme scheme) noexcept {
  switch (scheme) {
    case SignatureScheme::kEcdsaSecp256r1Sha256: return KeyKind::kEcdsaP256;
    case SignatureScheme::kEcdsaSecp384r1Sha384: return KeyKind::kEcdsaP384;
    case SignatureScheme::kEcdsaSecp521r1Sha512: return KeyKind::kEcdsaP521;
    case SignatureScheme::kRsaPssRsaeSha256:
    case SignatureScheme::kRsaPssRsaeSha384:
    case SignatureScheme::kRsaPssRsaeSha512: return KeyKind::kRsa;
    case SignatureScheme::kRsaPssPssSha256:
    case SignatureScheme::kRsaPssPssSha384:
    case SignatureScheme::kRsaPssPssSha512: return KeyKind::kRsaPss;
    case SignatureScheme::kEd25519: return KeyKind::kEd25519;
    default: return KeyKind::kUnsupported;
  }
}

bool is_pss(KeyKind kind) noexcept { return kind == KeyKind::kRsa || kind == KeyKind::kRsaPss; }

}  // namespace

X509Ptr parse_certificate(Bytes der) noexcept {
  if (der.empty() || der.size() > kMaxCertificateSize) return nullptr;
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (cert == nullptr || p != der.data() + der.size()) return nullptr;
  return cert;
}

KeyKind key_kind(const EVP_PKEY* key) noexcept {
  if (key == nullptr) return KeyKind::kUnsupported;
  // EVP_PKEY_is_a("RSA") is false for an id-RSASSA-PSS key, so the two stay apart.
  if (EVP_PKEY_is_a(key, "RSA")) return KeyKind::kRsa;
  if (EVP_PKEY_is_a(key, "RSA-PSS")) return KeyKind::kRsaPss;
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyKind::kEd25519;
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[32] = {};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) return KeyKind::kUnsupported;
    if (std::strcmp(group, "prime256v1") == 0) return KeyKind::kEcdsaP256;
    if (std::strcmp(group, "secp384r1") == 0) return KeyKind::kEcdsaP384;
    if (std::strcmp(group, "secp521r1") == 0) return KeyKind::kEcdsaP521;
  }
  return KeyKind::kUnsupported;
}

TlsError check_key_policy(const EVP_PKEY* key, const OpensslPolicy& policy,
                          AlertDescription alert) noexcept {
  const KeyKind kind = key_kind(key);
  if (kind == KeyKind::kUnsupported) {
    return tls_fail(alert, "certificate: key type or curve not supported");
  }
  if (is_pss(kind) && EVP_PKEY_get_bits(key) < policy.min_rsa_bits) {
    return tls_fail(alert, "certificate: RSA key too small");
  }
  return kTlsOk;
}

TlsError check_scheme_fits_key(SignatureScheme scheme, KeyKind kind,
                               AlertDescription alert) noexcept {
  if (!allowed_in_certificate_verify(scheme)) {
    return tls_fail(alert, "CertificateVerify: signature scheme not allowed in TLS 1.3");
  }
  if (scheme_key_kind(scheme) != kind) {
    return tls_fail(alert, "CertificateVerify: signature scheme does not fit the key");
  }
  return kTlsOk;
}

bool init_digest(EVP_MD_CTX* ctx, DigestOp op, SignatureScheme scheme, EVP_PKEY* key) noexcept {
  const char* md = digest_name(scheme);
  EVP_PKEY_CTX* pctx = nullptr;  // owned by |ctx|
  const int ok = op == DigestOp::kSign
                     ? EVP_DigestSignInit_ex(ctx, &pctx, md, nullptr, nullptr, key, nullptr)
                     : EVP_DigestVerifyInit_ex(ctx, &pctx, md, nullptr, nullptr, key, nullptr);
  if (ok != 1) return false;
  if (!is_pss(scheme_key_kind(scheme))) return true;
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, nullptr) == 1;
}

}  // namespace volley::tls::ossl
