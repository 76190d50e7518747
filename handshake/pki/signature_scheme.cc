#include "handshake/pki/signature_scheme.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace volley::tls {

std::string_view signature_scheme_name(SignatureScheme scheme) noexcept {
  switch (scheme) {
    case SignatureScheme::kRsaPkcs1Sha256: return "rsa_pkcs1_sha256";
    case SignatureScheme::kRsaPkcs1Sha384: return "rsa_pkcs1_sha384";
    case SignatureScheme::kRsaPkcs1Sha512: return "rsa_pkcs1_sha512";
    case SignatureScheme::kEcdsaSecp256r1Sha256: return "ecdsa_secp256r1_sha256";
    case SignatureScheme::kEcdsaSecp384r1Sha384: return "ecdsa_secp384r1_sha384";
    case SignatureScheme::kEcdsaSecp521r1Sha512: return "ecdsa_secp521r1_sha512";
    case SignatureScheme::kRsaPssRsaeSha256: return "rsa_pss_rsae_sha256";
    case SignatureScheme::kRsaPssRsaeSha384: return "rsa_pss_rsae_sha384";
    case SignatureScheme::kRsaPssRsaeSha512: return "rsa_pss_rsae_sha512";
    case SignatureScheme::kEd25519: return "ed25519";
    case SignatureScheme::kEd448: return "ed448";
    case SignatureScheme::kRsaPssPssSha256: return "rsa_pss_pss_sha256";
    case SignatureScheme::kRsaPssPssSha384: return "rsa_pss_pss_sha384";
    case SignatureScheme::kRsaPssPssSha512: return "rsa_pss_pss_sha512";
    case SignatureScheme::kRsaPkcs1Sha1: return "rsa_pkcs1_sha1";
    case SignatureScheme::kEcdsaSha1: return "ecdsa_sha1";
  }
  return "unknown_signature_scheme";
}

bool allowed_in_certificate_verify(SignatureScheme scheme) noexcept {
  return std::find(std::begin(kCertificateVerifySchemes), std::end(kCertificateVerifySchemes),
                   scheme) != std::end(kCertificateVerifySchemes);
}

TlsError certificate_verify_content(CertificateVerifyContent* out, CertificateRole signer,
                                    Bytes transcript_hash) noexcept {
  // Both context strings are 33 bytes; the 0 byte that follows is written separately.
  static constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  static constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  static_assert(kServer.size() == 33 && kClient.size() == 33);
  if (transcript_hash.size() != 32 && transcript_hash.size() != 48) {
    return tls_fail(AlertDescription::kInternalError,
                    "CertificateVerify: transcript hash is not 32 or 48 bytes");
  }
  const std::string_view context = signer == CertificateRole::kServer ? kServer : kClient;
  uint8_t* p = out->data;
  std::memset(p, 0x20, 64);
  p += 64;
  std::memcpy(p, context.data(), context.size());
  p += context.size();
  *p++ = 0;
  std::memcpy(p, transcript_hash.data(), transcript_hash.size());
  p += transcript_hash.size();
  out->size = static_cast<size_t>(p - out->data);
  return kTlsOk;
}

}  // namespace volley::tls
