// handshake/messages/certificate.h: Certificate (RFC 8446 §4.4.2). The decoder checks the
// encoding: context <0..255>, a u24 list of entries, each a non-empty cert_data <1..2^24-1> and
// an extension list (no type twice, none a Certificate entry may not carry), nothing after. An
// empty list is valid (a client without a certificate); whether it is acceptable is the state
// machine's call. Views point into the body.
#pragma once

#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct CertificateEntry {
  Bytes cert_data;  // DER X.509 (or a raw public key, RFC 7250)
  std::vector<Extension> extensions;
};

struct Certificate {
  Bytes certificate_request_context;
  std::vector<CertificateEntry> entries;
};

// encode_certificate writes the whole message, header included; false when a field is too long
// to encode.
[[nodiscard]] bool encode_certificate(WireWriter& w, const Certificate& c);
// decode_certificate reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_certificate(Certificate* c, Bytes body);

}  // namespace volley::tls
