#include "handshake/messages/certificate.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

using codec::decode_error;

bool encode_certificate(WireWriter& w, const Certificate& c) {
  const size_t msg = codec::begin_message(w, HandshakeType::kCertificate);
  w.vec8(c.certificate_request_context);
  const size_t list = w.begin_vec24();
  for (const CertificateEntry& e : c.entries) {
    w.vec24(e.cert_data);
    encode_extensions(w, e.extensions);
  }
  w.end_vec(list);
  return codec::end_message(w, msg);
}

TlsError decode_certificate(Certificate* c, Bytes body) {
  WireReader r(body);
  Certificate out;
  Bytes list;
  if (!r.vec8(&out.certificate_request_context)) {
    return decode_error("Certificate: truncated context");
  }
  if (!r.vec24(&list)) return decode_error("Certificate: truncated certificate_list");
  if (TlsError e = codec::finish(r, "Certificate: trailing bytes"); !e.ok()) return e;
  for (WireReader entries(list); !entries.empty();) {
    CertificateEntry entry;
    if (!entries.vec24(&entry.cert_data)) return decode_error("Certificate: truncated cert_data");
    if (entry.cert_data.empty()) return decode_error("Certificate: empty cert_data");
    if (TlsError e = codec::read_extensions(entries, &entry.extensions,
                                            ExtensionContext::kCertificate,
                                            "Certificate: truncated entry extensions");
        !e.ok()) {
      return e;
    }
    out.entries.push_back(std::move(entry));
  }
  *c = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
