// handshake/messages/key_update.h: KeyUpdate (RFC 8446 §4.6.3): one byte, whether the peer must
// update its sending keys too. Any other value is illegal_parameter (§4.6.3).
#pragma once

#include <cstdint>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

enum class KeyUpdateRequest : uint8_t { kUpdateNotRequested = 0, kUpdateRequested = 1 };

struct KeyUpdate {
  KeyUpdateRequest request_update = KeyUpdateRequest::kUpdateNotRequested;
};

// encode_key_update writes the whole message, header included; false for a request_update value
// outside the enum.
[[nodiscard]] bool encode_key_update(WireWriter& w, const KeyUpdate& ku);
// decode_key_update reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_key_update(KeyUpdate* ku, Bytes body);

}  // namespace volley::tls
