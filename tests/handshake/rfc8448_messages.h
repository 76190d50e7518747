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

// Rfc8448Trace is one section of transcripts.vec as the records each side sends, for replaying
// the handshake byte for byte. Records are whole (5-byte header included); a record the section
// does not have is empty. server_handshake is everything the server sends after its
// ServerHello record (change_cipher_spec included in middlebox compatibility mode), and
// client_finished everything the client sends to finish (likewise).
struct Rfc8448Trace {
  std::vector<uint8_t> client_rng_pool, server_rng_pool;
  int64_t timestamp_ms = 0;  // CurrentTimestamp: when the trace was made
  std::vector<uint8_t> client_hello_1, hello_retry_request, client_hello_2, server_hello,
      server_handshake, client_finished, new_session_ticket, client_app_data_record,
      server_app_data_record, client_close_notify, server_close_notify;
  std::vector<uint8_t> client_app_data, server_app_data;  // plaintext
  // The server's CertificateVerify input (RFC 8446 §4.4.3) and the RFC's signature of it.
  std::vector<uint8_t> server_message_to_sign, server_message_signature;
  // [Client_Authentication_Handshake] only (else empty): the client's CertificateVerify input
  // and the recorded signature of it (the client's private key is not in the vectors).
  std::vector<uint8_t> client_message_to_sign, client_message_signature;
  // Messages (4-byte header included) whose extension lists a replay mirrors; a
  // certificate_request only where the section has one.
  std::vector<uint8_t> encrypted_extensions, certificate_request;
  // §3 only: the NewSessionTicket message, rebuilt (see Rfc8448Messages).
  std::vector<uint8_t> new_session_ticket_message;
};

// load_rfc8448_trace reads the section |name| ("[Simple_1RTT_Handshake]", ...) of
// transcripts.vec.
Rfc8448Trace load_rfc8448_trace(const std::string& name);

}  // namespace volley::test
