// handshake/server/tls13_server.h: the TLS 1.3 server state machine (RFC 8446 §2, §4).
//
//   kWaitClientHello:  ClientHello: choose suite, group, signature scheme, ALPN
//                        no usable key share: send HelloRetryRequest  -> kWaitClientHello2
//                        else: send ServerHello [CCS] EncryptedExtensions Certificate
//                        CertificateVerify Finished; handshake and application send keys
//                                                                    -> kWaitFinished
//                        (with client_auth: CertificateRequest after EncryptedExtensions
//                                                                    -> kWaitClientCertificate)
//   kWaitClientHello2: ClientHello after HelloRetryRequest: the same choices, the share asked
//                      for; then as above                            -> kWaitFinished
//   kWaitClientCertificate: Certificate: empty (optional)           -> kWaitFinished
//                                        empty (required): certificate_required
//                                        a chain: verified (kClient) -> kWaitClientCertificateVerify
//   kWaitClientCertificateVerify: CertificateVerify: checked        -> kWaitFinished
//   kWaitFinished:     client Finished: checked; application receive keys -> kConnected
//                      then NewSessionTickets (server/server_resumption.cc) -> kConnected
//   kConnected:        KeyUpdate
//
// Choices follow the server's preference order (its config), among what the client offered:
// suite, then group (the first the client sent a share for; with strict_group_preference the
// first the client supports, by HelloRetryRequest if need be), then signature scheme from the
// credential's list, then ALPN (no common protocol: no_application_protocol, RFC 7301 §3.2).
// Client authentication (client_authentication.cc): a CertificateRequest with an empty context,
// signature_algorithms (the config's signature_schemes()) and certificate_authorities (the
// verifier's trusted roots, when it names them); never in a resumed handshake (§4.3.2).
// Resumption: a ticket the client offers (pre_shared_key) is taken when the config's ticket store
// opens it, it has not expired, its suite's hash is the chosen suite's and its server name is
// the ClientHello's; its binder must then verify (decrypt_error). The flight then carries no
// Certificate or CertificateVerify. Mode: psk_dhe_ke when the client offers it with a usable key
// share (or without one but psk_ke is not possible: a HelloRetryRequest), else psk_ke when both
// sides allow it. 0-RTT comes later.
#pragma once

#include <memory>
#include <vector>

#include "handshake/connection_core.h"
#include "handshake/groups/key_share.h"
#include "handshake/transcript.h"
#include "volley/key_schedule.h"
#include "volley/session.h"

namespace volley::tls {

struct ClientHello;
struct ClientHelloOffer;

class Tls13Server final : public HandshakeMachine {
 public:
  explicit Tls13Server(ConnectionCore& core);
  ~Tls13Server() override;

  [[nodiscard]] TlsError start() override;
  [[nodiscard]] TlsError on_message(const HandshakeMessage& message) override;
  [[nodiscard]] TlsError next_write_keys() override;

 private:
  enum class State : uint8_t {
    kWaitClientHello,
    kWaitClientHello2,
    kWaitClientCertificate,
    kWaitClientCertificateVerify,
    kWaitFinished,
    kConnected,
  };

  TlsError on_client_hello(const HandshakeMessage& m);
  // choose settles suite, group, scheme and ALPN from |offer| (the first ClientHello) or checks
  // that the second ClientHello still allows the first one's choices.
  TlsError choose(const ClientHelloOffer& offer);
  TlsError send_hello_retry_request();
  TlsError send_server_flight(const ClientHelloOffer& offer, Bytes client_share);
  TlsError on_finished(const HandshakeMessage& m);
  // Client authentication (client_authentication.cc).
  TlsError append_certificate_request(std::vector<uint8_t>* flight);
  TlsError on_client_certificate(const HandshakeMessage& m);
  TlsError on_client_certificate_verify(const HandshakeMessage& m);

  // Resumption (server/server_resumption.cc).
  // choose_psk takes the first usable ticket of |offer| and verifies its binder over
  // |client_hello| (the whole message); |have_share|: the client sent a share for group_.
  TlsError choose_psk(const ClientHelloOffer& offer, Bytes client_hello, bool have_share);
  // send_tickets sends the config's NewSessionTickets once the client Finished is checked.
  TlsError send_tickets();

  ConnectionCore& core_;
  const Config& config_;
  State state_ = State::kWaitClientHello;
  std::vector<uint8_t> session_id_;  // the client's legacy_session_id, echoed
  std::vector<uint8_t> cookie_;      // the HelloRetryRequest's cookie, if it had one
  std::vector<uint8_t> first_hello_;  // the first ClientHello's body, until the second comes
  const CipherSuite* suite_ = nullptr;
  NamedGroup group_{};
  SignatureScheme scheme_{};
  bool sent_ccs_ = false;
  Transcript transcript_;
  KeySchedule schedule_;
  Secret client_hs_, server_hs_, client_ap_, server_ap_;
  // Resumption: the PSK taken and how; whether the client listed a mode this server accepts
  // (tickets go only to such a client).
  bool resumed_ = false;
  PskMode psk_mode_ = PskMode::kPskDheKe;
  uint16_t selected_identity_ = 0;
  Secret psk_;
  bool client_takes_tickets_ = false;
};

}  // namespace volley::tls
