// handshake/server/client_hello_offer.h: what a ClientHello offers, as the server reads it.
//
// decode_client_hello_offer takes a decoded ClientHello (messages/client_hello.h) apart into the
// offers a TLS 1.3 server chooses from, checking the rules RFC 8446 puts on the ClientHello as a
// whole: supported_versions must offer TLS 1.3 (else protocol_version), compression must be
// "null" only (illegal_parameter, §4.1.2), key_share and supported_groups come together and
// signature_algorithms is present (missing_extension, §9.2), every key share is for an offered
// group (illegal_parameter, §4.2.8), pre_shared_key is the last extension (illegal_parameter,
// §4.2.11) and comes with psk_key_exchange_modes (missing_extension, §4.2.9), and a known
// extension that does not belong in a ClientHello is illegal_parameter
// (§4.2). Unknown extensions are ignored (§4.2). Like every decoder it touches no connection
// state; the views point into the ClientHello's bytes.
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/messages/client_hello.h"
#include "handshake/messages/extension_bodies.h"
#include "volley/tls_error.h"

namespace volley::tls {

struct ClientHelloOffer {
  U16List cipher_suites;
  U16List groups;                      // supported_groups
  std::vector<KeyShareEntry> shares;   // key_share, in the client's order
  U16List signature_schemes;           // signature_algorithms
  bool has_server_name = false;
  Bytes server_name;                   // host_name
  bool has_alpn = false;
  std::vector<Bytes> alpn;
  bool has_record_size_limit = false;
  uint16_t record_size_limit = 0;
  Bytes cookie;                        // empty: none
  bool has_pre_shared_key = false;
  OfferedPsks psks;                    // pre_shared_key (§4.2.11)
  size_t binders_len = 0;              // its binders list, length prefix included
  bool has_psk_modes = false;
  Bytes psk_modes;                     // psk_key_exchange_modes (§4.2.9)
};

[[nodiscard]] TlsError decode_client_hello_offer(ClientHelloOffer* out, const ClientHello& ch);

// check_second_client_hello checks that the ClientHello answering a HelloRetryRequest is the
// first one with only the changes RFC 8446 §4.1.2 allows: key_share replaced, early_data
// removed, cookie added, pre_shared_key updated, padding changed. Anything else (the random, the
// session id, the suites, another extension or its body, their order) is illegal_parameter.
[[nodiscard]] TlsError check_second_client_hello(const ClientHello& first,
                                                 const ClientHello& second);

}  // namespace volley::tls
