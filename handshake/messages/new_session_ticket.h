// handshake/messages/new_session_ticket.h: NewSessionTicket (RFC 8446 §4.6.1). The decoder checks
// the encoding (nonce <0..255>, a non-empty ticket, extensions with no type twice and none a
// NewSessionTicket may not carry, nothing after) and the lifetime limit of seven days
// (illegal_parameter: "Servers MUST NOT use any value greater than 604800 seconds"). Views point
// into the body.
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

inline constexpr uint32_t kMaxTicketLifetime = 604800;

struct NewSessionTicket {
  uint32_t ticket_lifetime = 0;
  uint32_t ticket_age_add = 0;
  Bytes ticket_nonce;
  Bytes ticket;
  std::vector<Extension> extensions;
};

// encode_new_session_ticket writes the whole message, header included; false when a field is too
// long to encode.
[[nodiscard]] bool encode_new_session_ticket(WireWriter& w, const NewSessionTicket& nst);
// decode_new_session_ticket reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_new_session_ticket(NewSessionTicket* nst, Bytes body);

}  // namespace volley::tls
