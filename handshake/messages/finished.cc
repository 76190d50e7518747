#include "handshake/messages/finished.h"

#include "handshake/messages/codec_internal.h"

namespace volley::tls {

bool encode_finished(WireWriter& w, const Finished& f) {
  const size_t msg = codec::begin_message(w, HandshakeType::kFinished);
  w.bytes(f.verify_data);
  return codec::end_message(w, msg);
}

TlsError decode_finished(Finished* f, Bytes body, size_t hash_len) {
  if (body.size() != hash_len) return codec::decode_error("Finished: wrong verify_data length");
  f->verify_data = body;
  return kTlsOk;
}

}  // namespace volley::tls
