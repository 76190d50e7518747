#include "handshake/messages/new_session_ticket.h"

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {

using codec::decode_error;

bool encode_new_session_ticket(WireWriter& w, const NewSessionTicket& nst) {
  const size_t msg = codec::begin_message(w, HandshakeType::kNewSessionTicket);
  w.u32(nst.ticket_lifetime);
  w.u32(nst.ticket_age_add);
  w.vec8(nst.ticket_nonce);
  w.vec16(nst.ticket);
  encode_extensions(w, nst.extensions);
  return codec::end_message(w, msg);
}

TlsError decode_new_session_ticket(NewSessionTicket* nst, Bytes body) {
  WireReader r(body);
  NewSessionTicket out;
  if (!r.u32(&out.ticket_lifetime) || !r.u32(&out.ticket_age_add) ||
      !r.vec8(&out.ticket_nonce)) {
    return decode_error("NewSessionTicket: truncated");
  }
  if (!r.vec16(&out.ticket) || out.ticket.empty()) {
    return decode_error("NewSessionTicket: bad ticket");
  }
  if (TlsError e = codec::read_last_extensions(
          r, &out.extensions, ExtensionContext::kNewSessionTicket,
          {"NewSessionTicket: truncated extensions", "NewSessionTicket: trailing bytes"});
      !e.ok()) {
    return e;
  }
  if (out.ticket_lifetime > kMaxTicketLifetime) {
    return codec::illegal_parameter("NewSessionTicket: ticket_lifetime over 7 days");
  }
  *nst = std::move(out);
  return kTlsOk;
}

}  // namespace volley::tls
