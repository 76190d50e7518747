#include "handshake/messages/certificate_authorities.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

void encode_certificate_authorities(WireWriter& w, std::span<const Bytes> names) {
  const size_t list = w.begin_vec16();
  for (Bytes name : names) w.vec16(name);
  w.end_vec(list);
  // The smallest legal list is one name of one byte (3 bytes with its length); an empty name would
  // be refused by any decoder (DistinguishedName<1..2^16-1>).
  bool bad = names.empty();
  for (Bytes name : names) bad = bad || name.empty();
  if (bad) w.fail();
}

TlsError decode_certificate_authorities(std::vector<Bytes>* names, Bytes body) {
  WireReader r(body);
  Bytes list;
  if (!r.vec16(&list) || !r.empty()) {
    return codec::decode_error("certificate_authorities: bad length");
  }
  if (list.size() < 3) return codec::decode_error("certificate_authorities: empty list");
  std::vector<Bytes> out;
  for (WireReader names_reader(list); !names_reader.empty();) {
    Bytes name;
    if (!names_reader.vec16(&name)) {
      return codec::decode_error("certificate_authorities: truncated name");
    }
    if (name.empty()) return codec::decode_error("certificate_authorities: empty name");
    out.push_back(name);
  }
  *names = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
