// handshake/messages/codec_internal.h: what the message codecs of this directory share: the
// failure shorthands, the handshake header on the encoding side, and the extensions field of a
// message. Not part of the messages' API.
#pragma once

#include <cstddef>
#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/messages/handshake_framer.h"
#include "handshake/wire/wire_reader.h"
#include "handshake/wire/wire_writer.h"
#include "volley/tls_error.h"

namespace volley::tls::codec {

constexpr TlsError decode_error(const char* reason) noexcept {
  return tls_fail(AlertDescription::kDecodeError, reason);
}
constexpr TlsError illegal_parameter(const char* reason) noexcept {
  return tls_fail(AlertDescription::kIllegalParameter, reason);
}

// begin_message writes msg_type and opens the u24 length; end_message closes it and reports
// whether the whole message encoded (no vector overflowed, none left open).
[[nodiscard]] inline size_t begin_message(WireWriter& w, HandshakeType type) {
  w.u8(static_cast<uint8_t>(type));
  return w.begin_vec24();
}
[[nodiscard]] inline bool end_message(WireWriter& w, size_t mark) {
  w.end_vec(mark);
  return w.ok() && w.all_closed();
}

// finish is the last check of every decoder: nothing may follow the structure.
[[nodiscard]] inline TlsError finish(const WireReader& r, const char* trailing) noexcept {
  return r.empty() ? kTlsOk : decode_error(trailing);
}

// MessageNames are the reasons a decoder reports for its extension list, so that they name the
// message ("ClientHello: truncated extensions").
struct MessageNames {
  const char* truncated;
  const char* trailing;
};

// read_extensions reads a u16-prefixed extension list into *out and refuses a known extension
// |context| may not carry (RFC 8446 §4.2).
[[nodiscard]] inline TlsError read_extensions(WireReader& r, std::vector<Extension>* out,
                                              ExtensionContext context, const char* truncated) {
  Bytes block;
  if (!r.vec16(&block)) return decode_error(truncated);
  if (TlsError e = decode_extensions(out, block); !e.ok()) return e;
  return check_extensions_allowed(*out, context);
}

// read_last_extensions is read_extensions for the list that ends a message (every message with
// extensions ends with them), then finish.
[[nodiscard]] inline TlsError read_last_extensions(WireReader& r, std::vector<Extension>* out,
                                                   ExtensionContext context, MessageNames names) {
  if (TlsError e = read_extensions(r, out, context, names.truncated); !e.ok()) return e;
  return finish(r, names.trailing);
}

}  // namespace volley::tls::codec
