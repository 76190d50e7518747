#include "handshake/messages/certificate_request.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

bool encode_certificate_request(WireWriter& w, const CertificateRequest& cr) {
  const size_t msg = codec::begin_message(w, HandshakeType::kCertificateRequest);
  w.vec8(cr.certificate_request_context);
  encode_extensions(w, cr.extensions);
  return codec::end_message(w, msg);
}

TlsError decode_certificate_request(CertificateRequest* cr, Bytes body) {
  WireReader r(body);
  CertificateRequest out;
  if (!r.vec8(&out.certificate_request_context)) {
    return codec::decode_error("CertificateRequest: truncated context");
  }
  if (TlsError e = codec::read_last_extensions(
          r, &out.extensions, ExtensionContext::kCertificateRequest,
          {"CertificateRequest: truncated extensions", "CertificateRequest: trailing bytes"});
      !e.ok()) {
    return e;
  }
  if (find_extension(out.extensions, ExtensionType::kSignatureAlgorithms) == nullptr) {
    return tls_fail(AlertDescription::kMissingExtension,
                    "CertificateRequest: no signature_algorithms");
  }
  *cr = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
