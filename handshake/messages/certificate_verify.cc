#include "handshake/messages/certificate_verify.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

bool encode_certificate_verify(WireWriter& w, const CertificateVerify& cv) {
  const size_t msg = codec::begin_message(w, HandshakeType::kCertificateVerify);
  w.u16(cv.algorithm);
  w.vec16(cv.signature);
  return codec::end_message(w, msg);
}

TlsError decode_certificate_verify(CertificateVerify* cv, Bytes body) {
  WireReader r(body);
  CertificateVerify out;
  if (!r.u16(&out.algorithm) || !r.vec16(&out.signature)) {
    return codec::decode_error("CertificateVerify: truncated");
  }
  if (TlsError e = codec::finish(r, "CertificateVerify: trailing bytes"); !e.ok()) return e;
  *cv = out;
  return kTlsOk;
}

}  // namespace volley::tls
