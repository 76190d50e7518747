// handshake/messages/certificate_request.h: CertificateRequest (RFC 8446 §4.3.2). The decoder
// checks the encoding (context <0..255>, extensions with no type twice and none a
// CertificateRequest may not carry, nothing after) and that signature_algorithms is present
// (missing_extension: "The 'signature_algorithms' extension MUST be specified"). Views point into
// the body.
#pragma once

#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct CertificateRequest {
  Bytes certificate_request_context;
  std::vector<Extension> extensions;
};

// encode_certificate_request writes the whole message, header included; false when a field is
// too long to encode.
[[nodiscard]] bool encode_certificate_request(WireWriter& w, const CertificateRequest& cr);
// decode_certificate_request reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_certificate_request(CertificateRequest* cr, Bytes body);

}  // namespace volley::tls
