// handshake/client/tls13_client.h: the TLS 1.3 client state machine (RFC 8446 §2, §4).
//
//   start:                    send ClientHello                         -> kWaitServerHello
//   kWaitServerHello:         HelloRetryRequest: send ClientHello2     -> kWaitServerHello (once)
//                             ServerHello: handshake keys              -> kWaitEncryptedExtensions
//   kWaitEncryptedExtensions: EncryptedExtensions                      -> kWaitCertificate
//   kWaitCertificate:         CertificateRequest: scheme chosen        -> kWaitCertificate
//                             Certificate: chain verified              -> kWaitCertificateVerify
//   kWaitCertificateVerify:   CertificateVerify: signature checked     -> kWaitFinished
//   kWaitFinished:            Finished: checked; send [CCS] [Certificate [CertificateVerify]]
//                             Finished; application keys               -> kConnected
//
// Client authentication (client_certificate.cc): a CertificateRequest is answered with the
// config's credential() when it can sign with one of the request's signature_algorithms (the
// first in the server's order), else with an empty Certificate; the server decides what an empty
// one means. Post-handshake authentication is not offered (no post_handshake_auth).
//   kConnected:               NewSessionTicket (read, not yet kept), KeyUpdate
//
// One handler per state; each checks the message type it may receive (anything else is
// unexpected_message), decodes, checks what this client offered against what the server chose,
// and acts through the ConnectionCore.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "handshake/connection_core.h"
#include "handshake/groups/key_share.h"
#include "handshake/transcript.h"
#include "volley/key_schedule.h"

namespace volley::tls {

struct ServerHello;

class Tls13Client final : public HandshakeMachine {
 public:
  Tls13Client(ConnectionCore& core, std::string_view server_name);
  ~Tls13Client() override;

  [[nodiscard]] TlsError start() override;
  [[nodiscard]] TlsError on_message(const HandshakeMessage& message) override;
  [[nodiscard]] TlsError next_write_keys() override;

 private:
  enum class State : uint8_t {
    kWaitServerHello,
    kWaitEncryptedExtensions,
    kWaitCertificate,
    kWaitCertificateVerify,
    kWaitFinished,
    kConnected,
  };

  TlsError send_client_hello();
  TlsError on_server_hello(const HandshakeMessage& m);
  TlsError on_hello_retry_request(const ServerHello& hrr, const HandshakeMessage& m);
  TlsError on_encrypted_extensions(const HandshakeMessage& m);
  TlsError on_certificate_request(const HandshakeMessage& m);
  TlsError on_certificate(const HandshakeMessage& m);
  TlsError on_certificate_verify(const HandshakeMessage& m);
  TlsError on_finished(const HandshakeMessage& m);
  TlsError on_post_handshake(const HandshakeMessage& m);
  // append_client_authentication appends the answer to a CertificateRequest to the final flight:
  // Certificate (the credential's chain, or empty), then CertificateVerify when the chain is not
  // empty, each added to the transcript.
  TlsError append_client_authentication(std::vector<uint8_t>* flight);
  // add_key_share draws a private key of |group| from the random source.
  TlsError add_key_share(NamedGroup group);
  bool offered_suite(uint16_t code) const;

  ConnectionCore& core_;
  const Config& config_;
  State state_ = State::kWaitServerHello;
  std::string server_name_;
  uint8_t random_[32] = {};
  std::vector<uint8_t> session_id_;  // 32 random bytes in middlebox compatibility mode
  std::vector<std::unique_ptr<KeyShare>> shares_;
  std::vector<uint8_t> cookie_;      // from a HelloRetryRequest, echoed
  const CipherSuite* suite_ = nullptr;
  bool hello_retry_ = false;
  bool sent_ccs_ = false;
  bool certificate_requested_ = false;
  bool client_signs_ = false;   // the CertificateRequest allows a scheme the credential has
  SignatureScheme client_scheme_{};
  Transcript transcript_;
  KeySchedule schedule_;
  Secret client_hs_, server_hs_, client_ap_, server_ap_;
};

}  // namespace volley::tls
