// handshake/messages/encrypted_extensions.h: EncryptedExtensions (RFC 8446 §4.3.1): the server's
// extensions that need no key exchange. The decoder refuses a type twice, a known extension that
// EncryptedExtensions may not carry (illegal_parameter) and trailing bytes. Views point into the
// body.
#pragma once

#include <vector>

#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct EncryptedExtensions {
  std::vector<Extension> extensions;
};

// encode_encrypted_extensions writes the whole message, header included; false when the list is
// too long to encode.
[[nodiscard]] bool encode_encrypted_extensions(WireWriter& w, const EncryptedExtensions& ee);
// decode_encrypted_extensions reads a message body (after the 4-byte header).
[[nodiscard]] TlsError decode_encrypted_extensions(EncryptedExtensions* ee, Bytes body);

}  // namespace volley::tls
