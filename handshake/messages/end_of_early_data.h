// handshake/messages/end_of_early_data.h: EndOfEarlyData (RFC 8446 §4.5): an empty body; anything
// in it is decode_error.
#pragma once

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct EndOfEarlyData {};

// encode_end_of_early_data writes the 4-byte message; it cannot fail.
[[nodiscard]] bool encode_end_of_early_data(WireWriter& w, const EndOfEarlyData& eoed);
// decode_end_of_early_data accepts only an empty body.
[[nodiscard]] TlsError decode_end_of_early_data(EndOfEarlyData* eoed, Bytes body);

}  // namespace volley::tls
