// The handshake messages of RFC 8448's traces as transcripts.vec holds them (../shared/vectors/
// rfc8448), each whole (4-byte header + body), for the message codec and framer tests and for
// the fuzz seed corpus. Plaintext records (ClientHello, HelloRetryRequest) are unwrapped from
// their 5-byte record header; protected-only messages are not in the file, except that the
// NewSessionTicket of §3 is rebuilt from its fields (the SessionTicket line holds the ticket).
// A missing value throws std::runtime_error, which GoogleTest reports as a failure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace volley::test {

struct Rfc8448Message {
  std::string name;  // "1rtt_client_hello", ...: also its file name in the seed corpus
  std::vector<uint8_t> bytes;
};

struct Rfc8448Messages {
  // [Simple_1RTT_Handshake]
  std::vector<uint8_t> client_hello, server_hello, encrypted_extensions, certificate,
      certificate_verify, server_finished, new_session_ticket;
  // [Resumed_0RTT_Handshake]: pre_shared_key, early_data.
  std::vector<uint8_t> resumed_client_hello, resumed_server_hello, resumed_encrypted_extensions;
  // [HelloRetryRequest_Handshake]: the HelloRetryRequest and the ClientHello with the cookie.
  std::vector<uint8_t> hello_retry_request, client_hello_2;
  // [Client_Authentication_Handshake]
  std::vector<uint8_t> certificate_request;

  // all lists every message above with a name.
  std::vector<Rfc8448Message> all() const;
  // server_flight is the server's 1-RTT flight as one stream: ServerHello .. Finished.
  std::vector<uint8_t> server_flight() const;
};

// load_rfc8448_messages reads transcripts.vec.
Rfc8448Messages load_rfc8448_messages();

}  // namespace volley::test
