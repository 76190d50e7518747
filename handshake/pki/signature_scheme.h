// handshake/pki/signature_scheme.h: what the handshake needs to know about signature schemes
// beyond their names (volley/pki.h): which ones TLS 1.3 allows in CertificateVerify, and the bytes
// a CertificateVerify signs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "volley/bytes.h"
#include "volley/pki.h"
#include "volley/tls_error.h"

namespace volley::tls {

// kCertificateVerifySchemes are the schemes TLS 1.3 allows in CertificateVerify and volley
// supports (RFC 8446 §4.4.3: no RSASSA-PKCS1-v1_5, no SHA-1), in volley's preference order:
// ECDSA P-256 and Ed25519 first (small and fast), then RSA-PSS.
inline constexpr SignatureScheme kCertificateVerifySchemes[] = {
    SignatureScheme::kEcdsaSecp256r1Sha256, SignatureScheme::kEd25519,
    SignatureScheme::kRsaPssRsaeSha256,     SignatureScheme::kEcdsaSecp384r1Sha384,
    SignatureScheme::kRsaPssRsaeSha384,     SignatureScheme::kEcdsaSecp521r1Sha512,
    SignatureScheme::kRsaPssRsaeSha512,     SignatureScheme::kRsaPssPssSha256,
    SignatureScheme::kRsaPssPssSha384,      SignatureScheme::kRsaPssPssSha512,
};

// allowed_in_certificate_verify reports whether |scheme| is one of kCertificateVerifySchemes.
bool allowed_in_certificate_verify(SignatureScheme scheme) noexcept;

// CertificateVerifyContent holds the bytes a CertificateVerify signature covers (RFC 8446
// §4.4.3): 64 spaces (0x20), the context string, one 0 byte, then the transcript hash. Inline, so
// building it allocates nothing.
struct CertificateVerifyContent {
  // 64 spaces + the 33-byte context string and its 0 byte + a hash of up to 48 bytes (SHA-384).
  uint8_t data[64 + 34 + 48];
  size_t size = 0;

  Bytes bytes() const noexcept { return Bytes(data, size); }
};

// certificate_verify_content fills |out| for a CertificateVerify sent by |signer| ("TLS 1.3,
// server CertificateVerify" or "TLS 1.3, client CertificateVerify") over |transcript_hash|, which
// must be 32 or 48 bytes (the hash of the suite); otherwise internal_error and |out| is unchanged.
TlsError certificate_verify_content(CertificateVerifyContent* out, CertificateRole signer,
                                    Bytes transcript_hash) noexcept;

}  // namespace volley::tls
