#include "handshake/messages/server_hello.h"

#include <algorithm>

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

using codec::decode_error;

bool encode_server_hello(WireWriter& w, const ServerHello& sh) {
  const Bytes random = sh.is_hello_retry_request ? Bytes(kHelloRetryRequestRandom) : sh.random;
  if (random.size() != kRandomLen || sh.legacy_session_id_echo.size() > kMaxLegacySessionIdLen) {
    w.fail();
    return false;
  }
  const size_t msg = codec::begin_message(w, HandshakeType::kServerHello);
  w.u16(sh.legacy_version);
  w.bytes(random);
  w.vec8(sh.legacy_session_id_echo);
  w.u16(sh.cipher_suite);
  w.u8(sh.legacy_compression_method);
  encode_extensions(w, sh.extensions);
  return codec::end_message(w, msg);
}

TlsError decode_server_hello(ServerHello* sh, Bytes body) {
  WireReader r(body);
  ServerHello out;
  if (!r.u16(&out.legacy_version) || !r.bytes(kRandomLen, &out.random)) {
    return decode_error("ServerHello: truncated random");
  }
  if (!r.vec8(&out.legacy_session_id_echo) ||
      out.legacy_session_id_echo.size() > kMaxLegacySessionIdLen) {
    return decode_error("ServerHello: bad legacy_session_id_echo");
  }
  if (!r.u16(&out.cipher_suite) || !r.u8(&out.legacy_compression_method)) {
    return decode_error("ServerHello: truncated cipher_suite");
  }
  if (out.legacy_compression_method != 0) {
    return codec::illegal_parameter("ServerHello: legacy_compression_method is not 0");
  }
  out.is_hello_retry_request = std::ranges::equal(out.random, kHelloRetryRequestRandom);
  const ExtensionContext context = out.is_hello_retry_request
                                       ? ExtensionContext::kHelloRetryRequest
                                       : ExtensionContext::kServerHello;
  if (TlsError e = codec::read_last_extensions(
          r, &out.extensions, context,
          {"ServerHello: truncated extensions", "ServerHello: trailing bytes"});
      !e.ok()) {
    return e;
  }
  *sh = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
