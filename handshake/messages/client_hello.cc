#include "handshake/messages/client_hello.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

using codec::decode_error;

bool encode_client_hello(WireWriter& w, const ClientHello& ch) {
  if (ch.random.size() != kRandomLen || ch.legacy_session_id.size() > kMaxLegacySessionIdLen ||
      ch.cipher_suites.bytes.size() % 2 != 0) {
    w.fail();
    return false;
  }
  const size_t msg = codec::begin_message(w, HandshakeType::kClientHello);
  w.u16(ch.legacy_version);
  w.bytes(ch.random);
  w.vec8(ch.legacy_session_id);
  w.vec16(ch.cipher_suites.bytes);
  w.vec8(ch.legacy_compression_methods);
  encode_extensions(w, ch.extensions);
  return codec::end_message(w, msg);
}

TlsError decode_client_hello(ClientHello* ch, Bytes body) {
  WireReader r(body);
  ClientHello out;
  if (!r.u16(&out.legacy_version) || !r.bytes(kRandomLen, &out.random)) {
    return decode_error("ClientHello: truncated random");
  }
  if (!r.vec8(&out.legacy_session_id) || out.legacy_session_id.size() > kMaxLegacySessionIdLen) {
    return decode_error("ClientHello: bad legacy_session_id");
  }
  Bytes suites;
  if (!r.vec16(&suites) || suites.empty() || suites.size() % 2 != 0) {
    return decode_error("ClientHello: bad cipher_suites");
  }
  out.cipher_suites.bytes = suites;
  if (!r.vec8(&out.legacy_compression_methods) || out.legacy_compression_methods.empty()) {
    return decode_error("ClientHello: bad legacy_compression_methods");
  }
  if (TlsError e = codec::read_last_extensions(
          r, &out.extensions, ExtensionContext::kClientHello,
          {"ClientHello: truncated extensions", "ClientHello: trailing bytes"});
      !e.ok()) {
    return e;
  }
  // §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello".
  for (size_t i = 0; i + 1 < out.extensions.size(); ++i) {
    if (out.extensions[i].type == ExtensionType::kPreSharedKey) {
      return codec::illegal_parameter("ClientHello: pre_shared_key is not the last extension");
    }
  }
  *ch = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
