// handshake/messages/client_hello.h: ClientHello (RFC 8446 §4.1.2).
//
// The decoder checks the encoding: a 32-byte random, a legacy_session_id of at most 32 bytes, a
// non-empty even-length cipher_suites list, a non-empty compression list, an extension list
// (required: a TLS 1.3 ClientHello always has one), no extension twice, no known extension a
// ClientHello may not carry, pre_shared_key last (§4.2.11, illegal_parameter), nothing after.
// What the values mean (legacy_version, compression methods other than null, the offered
// versions) is the server state machine's to judge. Views point into |body|.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// kRandomLen is the length of ClientHello.random and ServerHello.random; legacy_session_id is
// <0..32> in both (§4.1.2, §4.1.3).
inline constexpr size_t kRandomLen = 32;
inline constexpr size_t kMaxLegacySessionIdLen = 32;
inline constexpr uint16_t kLegacyVersion = 0x0303;

struct ClientHello {
  uint16_t legacy_version = kLegacyVersion;
  Bytes random;  // kRandomLen bytes
  Bytes legacy_session_id;
  U16List cipher_suites;
  Bytes legacy_compression_methods;
  std::vector<Extension> extensions;
};

// encode_client_hello writes the whole message, header included. False (and a partial message in
// the writer) when a field cannot be encoded: a random not 32 bytes, a session id over 32 bytes,
// an odd-length cipher_suites view, a list too long for its length.
[[nodiscard]] bool encode_client_hello(WireWriter& w, const ClientHello& ch);

// decode_client_hello reads a message body (after the 4-byte header) into *ch.
[[nodiscard]] TlsError decode_client_hello(ClientHello* ch, Bytes body);

}  // namespace volley::tls
