// handshake/client/tls13_client.h: the TLS 1.3 client state machine (RFC 8446 §2, §4).
//
//   start:                    send ClientHello                         -> kWaitServerHello
//   kWaitServerHello:         HelloRetryRequest: send ClientHello2     -> kWaitServerHello (once)
//                             ServerHello: handshake keys              -> kWaitEncryptedExtensions
//   kWaitEncryptedExtensions: EncryptedExtensions                      -> kWaitCertificate
//                             (resumed: the PSK authenticates the server)  -> kWaitFinished
//   kWaitCertificate:         CertificateRequest: scheme chosen        -> kWaitCertificate
//                             Certificate: chain verified              -> kWaitCertificateVerify
//   kWaitCertificateVerify:   CertificateVerify: signature checked     -> kWaitFinished
//   kWaitFinished:            Finished: checked; send [CCS] [Certificate [CertificateVerify]]
//                             Finished; application keys               -> kConnected
//   kConnected:               NewSessionTicket (kept in the config's session cache), KeyUpdate
//
// Client authentication (client_certificate.cc): a CertificateRequest is answered with the
// config's credential() when it can sign with one of the request's signature_algorithms (the
// first in the server's order), else with an empty Certificate; the server decides what an empty
// one means. Post-handshake authentication is not offered (no post_handshake_auth).
//
// Resumption (client/client_resumption.cc): start() takes a ticket for the server name from the
// session cache; each ClientHello then offers it (psk_key_exchange_modes, then pre_shared_key
// last, its binder over the truncated ClientHello); a ServerHello that selects it resumes.
//
// One handler per state; each checks the message type it may receive (anything else is
// unexpected_message), decodes, checks what this client offered against what the server chose,
// and acts through the ConnectionCore.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "handshake/connection_core.h"
#include "handshake/groups/key_share.h"
#include "handshake/transcript.h"
#include "volley/key_schedule.h"
#include "volley/session.h"

namespace volley::tls {

struct ServerHello;
class ExtensionBuilder;

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

  // Resumption (client/client_resumption.cc).
  // take_session takes from the cache a ticket for server_name_ that is not expired and whose
  // suite's hash is among the offered suites'.
  void take_session();
  // add_psk_offer adds psk_key_exchange_modes and pre_shared_key (its binder zero, patched by
  // patch_binder once the message is encoded) when a ticket is offered.
  void add_psk_offer(ExtensionBuilder& ext);
  // patch_binder writes the binder into the encoded ClientHello |message|.
  TlsError patch_binder(std::vector<uint8_t>* message);
  // on_server_psk checks the server's pre_shared_key (or its absence) in a ServerHello.
  TlsError on_server_psk(const ServerHello& sh);
  TlsError on_new_session_ticket(const HandshakeMessage& m);
  bool offers_psk_mode(PskMode mode) const;

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
  // The ticket offered (if any), its suite, whether the server took it; the resumption master
  // secret, for the tickets that come after the handshake.
  std::optional<ClientSession> session_;
  const CipherSuite* session_suite_ = nullptr;
  bool psk_offered_ = false;
  bool resumed_ = false;
  Secret resumption_master_;
};

}  // namespace volley::tls
