// handshake/messages/finished.h: Finished (RFC 8446 §4.4.4): verify_data, as long as the
// handshake hash (32 bytes for SHA-256 suites, 48 for SHA-384). The decoder checks the length
// only; the value is compared (in constant time) by the state machine. Views point into the body.
#pragma once

#include <cstddef>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct Finished {
  Bytes verify_data;
};

// encode_finished writes the whole message, header included; it cannot fail short of a
// verify_data over 2^24 bytes.
[[nodiscard]] bool encode_finished(WireWriter& w, const Finished& f);
// decode_finished reads a message body (after the 4-byte header); a length other than |hash_len|
// is decode_error.
[[nodiscard]] TlsError decode_finished(Finished* f, Bytes body, size_t hash_len);

}  // namespace volley::tls
