#include "handshake/messages/key_update.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {
namespace {

bool valid(uint8_t v) noexcept {
  return v == static_cast<uint8_t>(KeyUpdateRequest::kUpdateNotRequested) ||
         v == static_cast<uint8_t>(KeyUpdateRequest::kUpdateRequested);
}

}  // namespace

bool encode_key_update(WireWriter& w, const KeyUpdate& ku) {
  const uint8_t v = static_cast<uint8_t>(ku.request_update);
  if (!valid(v)) {
    w.fail();
    return false;
  }
  const size_t msg = codec::begin_message(w, HandshakeType::kKeyUpdate);
  w.u8(v);
  return codec::end_message(w, msg);
}

TlsError decode_key_update(KeyUpdate* ku, Bytes body) {
  WireReader r(body);
  uint8_t v = 0;
  if (!r.u8(&v)) return codec::decode_error("KeyUpdate: truncated");
  if (TlsError e = codec::finish(r, "KeyUpdate: trailing bytes"); !e.ok()) return e;
  if (!valid(v)) return codec::illegal_parameter("KeyUpdate: bad request_update");
  ku->request_update = static_cast<KeyUpdateRequest>(v);
  return kTlsOk;
}

}  // namespace volley::tls
