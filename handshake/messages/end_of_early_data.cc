#include "handshake/messages/end_of_early_data.h"

#include "handshake/messages/codec_internal.h"

namespace volley::tls {

bool encode_end_of_early_data(WireWriter& w, const EndOfEarlyData&) {
  const size_t msg = codec::begin_message(w, HandshakeType::kEndOfEarlyData);
  return codec::end_message(w, msg);
}

TlsError decode_end_of_early_data(EndOfEarlyData*, Bytes body) {
  return body.empty() ? kTlsOk : codec::decode_error("EndOfEarlyData: body is not empty");
}

}  // namespace volley::tls
