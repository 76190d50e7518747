// handshake/messages/server_hello.h: ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4),
// one message type told apart by the random.
//
// The decoder checks the encoding: 32-byte random, legacy_session_id_echo of at most 32 bytes,
// legacy_compression_method 0 (illegal_parameter otherwise: a fixed value), an extension list with
// no type twice and no known extension the message (ServerHello or HelloRetryRequest) may not
// carry, nothing after. It sets is_hello_retry_request when the random is the HelloRetryRequest
// value. legacy_version, the downgrade sentinels and the cipher suite are the client's to judge.
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/messages/client_hello.h"
#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// kHelloRetryRequestRandom is SHA-256("HelloRetryRequest") (§4.1.3).
inline constexpr uint8_t kHelloRetryRequestRandom[kRandomLen] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

struct ServerHello {
  uint16_t legacy_version = kLegacyVersion;
  Bytes random;  // kRandomLen bytes; ignored by the encoder of a HelloRetryRequest
  Bytes legacy_session_id_echo;
  uint16_t cipher_suite = 0;
  uint8_t legacy_compression_method = 0;
  std::vector<Extension> extensions;
  bool is_hello_retry_request = false;
};

// encode_server_hello writes the whole message, header included, with kHelloRetryRequestRandom as
// the random when is_hello_retry_request is set. False when a field cannot be encoded (a random
// not 32 bytes, a session id over 32 bytes, a list too long).
[[nodiscard]] bool encode_server_hello(WireWriter& w, const ServerHello& sh);

// decode_server_hello reads a message body (after the 4-byte header) into *sh.
[[nodiscard]] TlsError decode_server_hello(ServerHello* sh, Bytes body);

}  // namespace volley::tls
