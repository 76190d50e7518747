// handshake/messages/certificate_verify.h: CertificateVerify (RFC 8446 §4.4.3): a signature
// scheme and a u16-prefixed signature. The decoder checks the encoding only; whether the scheme
// was offered and the signature verifies is the PKI's work. Views point into the body.
#pragma once

#include <cstdint>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct CertificateVerify {
  uint16_t algorithm = 0;  // a SignatureScheme
  Bytes signature;
};

// encode_certificate_verify writes the whole message, header included; false when the signature
// is over 65535 bytes.
[[nodiscard]] bool encode_certificate_verify(WireWriter& w, const CertificateVerify& cv);
// decode_certificate_verify reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_certificate_verify(CertificateVerify* cv, Bytes body);

}  // namespace volley::tls
