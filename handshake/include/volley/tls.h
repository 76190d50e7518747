// volley/tls.h: TLS 1.3 connections (RFC 8446), client and server, sans-I/O.
//
// A Connection never touches a socket. The caller moves bytes:
//
//   auto config = volley::tls::ConfigBuilder()
//                     .verifier(volley::tls::make_openssl_verifier_system())   // volley/pki.h
//                     .alpn({"h2", "http/1.1"})
//                     .build();                          // shared by every connection
//   volley::tls::Connection conn = volley::tls::Connection::client(config, "example.com");
//   for (;;) {
//     send_all(socket, conn.pending_output());  conn.consume_output(n_sent);
//     conn.receive(bytes_from_socket);          // drives the handshake, decrypts records
//     if (conn.failed()) { report(conn.error()); break; }
//     if (conn.is_connected()) { conn.write(request); size_t n = conn.read(buffer); ... }
//   }
//
// A Config is immutable once built and shared (std::shared_ptr<const Config>) by any number of
// connections on any number of threads. A Connection is a mutable object: one thread at a time.
//
// Errors: every failure — a malformed or unexpected message, a certificate that does not verify,
// a record that does not authenticate, an alert from the peer — ends the connection. The
// connection queues the alert RFC 8446 §6 names (not for an alert received), moves to the failed
// state, and from then on error() says which alert and why; receive() consumes nothing more,
// read() returns nothing, write() refuses. pending_output() still holds the alert to send.
//
// Application data: write() seals through the record layer's batch seal, so a large write is one
// batched call; read() returns plaintext in the order it arrived. Nothing is delivered after an
// error, or after the peer's close_notify (read() then reports end of stream).
//
// Allocation: a connection allocates its buffers on the heap, bounded: at most one maximal record
// of unprocessed input is buffered beyond what receive() could frame, and at most
// Config::max_buffered_plaintext of decrypted application data waits for read().
//
// Secrets: every secret of the connection (key schedule, traffic keys, key share private keys,
// buffered plaintext) is wiped when the connection is destroyed, and the handshake secrets as
// soon as the application keys are installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "volley/bytes.h"
#include "volley/cipher_suite.h"
#include "volley/named_group.h"
#include "volley/pki.h"
#include "volley/session.h"
#include "volley/tls_error.h"

namespace volley::tls {

// RandomSource fills |out| with random bytes; returns false if it could not. The default is the
// operating system's (getrandom). Tests inject a deterministic one to replay RFC 8448 traces.
// Every random byte a connection uses comes from it, drawn in this order (one call each):
//   client: ClientHello.random (32); legacy_session_id (32, middlebox compatibility only); the
//           private key of each key_share_groups() group in order; after a HelloRetryRequest,
//           the private key of the group it asks for.
//   server: ServerHello.random (32), then its key share's private key; after the handshake, 4
//           bytes (ticket_age_add) per NewSessionTicket.
// A private key is one draw of its size (32 bytes for X25519 and secp256r1, 48 for secp384r1),
// used as is: X25519 clamps it (RFC 7748 §5); an EC scalar outside [1, order - 1] is rejected
// and drawn again (at most 8 times), never reduced, so it stays uniform.
using RandomSource = bool (*)(void* context, MutableBytes out);

class ConnectionCore;
class ConfigBuilder;
namespace testing {
struct ConnectionAccess;  // handshake/testing/connection_access.h (tests only)
}

// ClientAuth is whether a server asks for a client certificate (mutual TLS, RFC 8446 §4.3.2).
//   kNone:     no CertificateRequest (the default).
//   kOptional: a CertificateRequest; a client may answer with an empty Certificate and is then
//              connected unauthenticated (Negotiated::peer_certificates empty). A chain it does
//              send must verify, and its CertificateVerify check, like a required one.
//   kRequired: a CertificateRequest; an empty Certificate is certificate_required (§4.4.2.4).
// The client's chain is checked by the config's verifier() with CertificateRole::kClient (the
// clientAuth purpose, no host name) at verify_time(), and its CertificateVerify against the
// signature_schemes() the CertificateRequest offered. Only during the handshake: post-handshake
// authentication (§4.6.2) is not supported, a volley client never sends post_handshake_auth and a
// volley server never asks after the handshake.
enum class ClientAuth : uint8_t { kNone, kOptional, kRequired };

// Config is what many connections share: the suites, groups and signature schemes offered or
// accepted (in preference order), ALPN protocols, the verifier for the peer's certificates, this
// endpoint's credential, and limits. Immutable; build one with ConfigBuilder.
class Config {
 public:
  const std::vector<const CipherSuite*>& cipher_suites() const noexcept { return suites_; }
  const std::vector<NamedGroup>& groups() const noexcept { return groups_; }
  // key_share_groups: the groups a client sends a key share for in its first ClientHello
  // (default: the first of groups()).
  const std::vector<NamedGroup>& key_share_groups() const noexcept { return key_share_groups_; }
  const std::vector<SignatureScheme>& signature_schemes() const noexcept { return schemes_; }
  const std::vector<std::string>& alpn() const noexcept { return alpn_; }
  const CertificateVerifier* verifier() const noexcept { return verifier_.get(); }
  const SigningCredential* credential() const noexcept { return credential_.get(); }
  uint16_t record_size_limit() const noexcept { return record_size_limit_; }
  size_t max_buffered_plaintext() const noexcept { return max_buffered_plaintext_; }
  bool middlebox_compatibility() const noexcept { return middlebox_compatibility_; }
  // strict_group_preference: a server takes the first of its groups() the client supports even
  // when that costs a HelloRetryRequest (see ConfigBuilder).
  bool strict_group_preference() const noexcept { return strict_group_preference_; }
  // client_auth (server): whether the server asks for a client certificate (see ClientAuth).
  ClientAuth client_auth() const noexcept { return client_auth_; }
  const std::string& aead_backend() const noexcept { return aead_backend_; }
  // verify_time is the time to check certificates at: fixed by the builder, or now.
  VerifyTime verify_time() const;

  // Resumption (volley/session.h). ticket_count: NewSessionTickets a server sends after each
  // handshake (0: none); ticket_lifetime: their lifetime in seconds; ticket_store: what seals and
  // opens them (null: none sent or accepted); session_cache: where a client keeps tickets (null:
  // none); psk_modes: the modes a client offers, in order, or a server accepts.
  uint8_t ticket_count() const noexcept { return ticket_count_; }
  uint32_t ticket_lifetime() const noexcept { return ticket_lifetime_; }
  const SessionTicketStore* ticket_store() const noexcept { return ticket_store_.get(); }
  ClientSessionCache* session_cache() const noexcept { return session_cache_.get(); }
  const std::vector<PskMode>& psk_modes() const noexcept { return psk_modes_; }
  bool accepts_psk_mode(PskMode mode) const noexcept;
  // now_ms is the clock of tickets: the builder's, or the system's.
  uint64_t now_ms() const { return clock_(clock_context_); }

 private:
  friend class ConfigBuilder;
  friend class ConnectionCore;
  Config() = default;

  std::vector<const CipherSuite*> suites_;
  std::vector<NamedGroup> groups_;
  std::vector<NamedGroup> key_share_groups_;
  std::vector<SignatureScheme> schemes_;
  std::vector<std::string> alpn_;
  std::shared_ptr<const CertificateVerifier> verifier_;
  std::shared_ptr<const SigningCredential> credential_;
  uint16_t record_size_limit_ = 0;  // 0: none sent
  size_t max_buffered_plaintext_ = 1 << 20;
  bool middlebox_compatibility_ = true;
  bool strict_group_preference_ = false;
  ClientAuth client_auth_ = ClientAuth::kNone;
  std::string aead_backend_;
  RandomSource random_ = nullptr;
  void* random_context_ = nullptr;
  VerifyTime verify_time_{};
  bool fixed_verify_time_ = false;
  uint8_t ticket_count_ = 2;
  uint32_t ticket_lifetime_ = 7200;
  std::shared_ptr<const SessionTicketStore> ticket_store_;
  std::shared_ptr<ClientSessionCache> session_cache_;
  bool session_cache_set_ = false;
  std::vector<PskMode> psk_modes_{PskMode::kPskDheKe};
  Clock clock_ = &system_clock_ms;
  void* clock_context_ = nullptr;
};

// ConfigBuilder collects the settings of a Config; build() checks them and freezes them.
// Defaults: all three suites (AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM), groups X25519 then
// secp256r1 with a key share for the first group only (X25519 unless groups() says otherwise), the signature schemes volley verifies, no ALPN,
// middlebox compatibility mode on (RFC 8446 Appendix D.4; what browsers do), no record size limit.
class ConfigBuilder {
 public:
  ConfigBuilder();
  // A copy is an independent builder (a base configuration to derive variants from).
  ConfigBuilder(const ConfigBuilder&) = default;
  ConfigBuilder& operator=(const ConfigBuilder&) = default;
  ConfigBuilder& cipher_suites(std::vector<const CipherSuite*> suites);
  ConfigBuilder& groups(std::vector<NamedGroup> groups);
  ConfigBuilder& key_share_groups(std::vector<NamedGroup> groups);
  ConfigBuilder& signature_schemes(std::vector<SignatureScheme> schemes);
  ConfigBuilder& alpn(std::vector<std::string> protocols);
  ConfigBuilder& verifier(std::shared_ptr<const CertificateVerifier> verifier);
  ConfigBuilder& credential(std::shared_ptr<const SigningCredential> credential);
  ConfigBuilder& record_size_limit(uint16_t limit);
  ConfigBuilder& max_buffered_plaintext(size_t bytes);
  ConfigBuilder& middlebox_compatibility(bool on);
  // strict_group_preference (server): on, the server uses the first of its groups() that the
  // client supports, asking for that group's key share with a HelloRetryRequest when the client
  // sent none for it (RFC 8446 §4.1.4, §4.2.8): a server that wants a group for its own reasons
  // (policy, FIPS, a hybrid) pays a round trip for it. Off (the default): the first of its
  // groups() the client sent a share for, with a HelloRetryRequest only when it sent none usable.
  // A client ignores it.
  ConfigBuilder& strict_group_preference(bool on);
  // client_auth (server) asks clients for a certificate (see ClientAuth); needs a verifier(),
  // whose trusted roots' names go in the CertificateRequest's certificate_authorities
  // (CertificateVerifier::certificate_authorities). A client ignores it.
  //
  // A client answers a CertificateRequest with its credential() (chain and key), signing with
  // the first scheme of the request's signature_algorithms (the server's order) that the
  // credential can sign with; without a credential, or without a common scheme, it sends an empty
  // Certificate and lets the server decide. It does not look at certificate_authorities.
  ConfigBuilder& client_auth(ClientAuth mode);
  // aead_backend forces the record layer's AEAD backend by name (volley/dispatch.h).
  ConfigBuilder& aead_backend(std::string backend);
  ConfigBuilder& random_source(RandomSource source, void* context);
  // verify_time fixes the time certificates are checked at (tests replaying old traces); the
  // default is the clock at each handshake.
  ConfigBuilder& verify_time(VerifyTime now);

  // Resumption (volley/session.h). Defaults: a server sends 2 tickets (as OpenSSL does) of 7200
  // seconds, sealed by a StatelessTicketStore with its own TicketKeys (a new random key per
  // Config, rotated every 12 hours); a client keeps tickets in an LruSessionCache of its own;
  // psk_dhe_ke only.
  // tickets: 0 to 16 tickets per handshake (0: none).
  ConfigBuilder& tickets(uint8_t count);
  // ticket_lifetime: 1 to 604800 seconds (RFC 8446 §4.6.1).
  ConfigBuilder& ticket_lifetime(uint32_t seconds);
  ConfigBuilder& ticket_store(std::shared_ptr<const SessionTicketStore> store);
  // session_cache shares a cache between configs; null turns client resumption off.
  ConfigBuilder& session_cache(std::shared_ptr<ClientSessionCache> cache);
  // psk_modes: a client offers these, in order; a server accepts these, preferring psk_dhe_ke
  // when the client sent a usable key share, then psk_ke. Not empty.
  ConfigBuilder& psk_modes(std::vector<PskMode> modes);
  ConfigBuilder& clock(Clock clock, void* context);

  // build returns the Config, or null with |*error| set (an empty suite or group list, a key
  // share for a group not offered, a record size limit below 64, an ALPN name empty or over 255
  // bytes, a plaintext allowance below one record, client_auth without a verifier). |error| may be null. The signature schemes
  // default to those the verifier supports.
  std::shared_ptr<const Config> build(TlsError* error = nullptr) const;

 private:
  Config config_;
};

// HandshakeState is where a connection is, seen from outside.
enum class HandshakeState : uint8_t {
  kHandshaking,  // the handshake is under way
  kConnected,    // application data flows both ways
  kClosed,       // both close_notify alerts exchanged (or the peer's, and read() drained)
  kFailed,       // an error ended the connection; error() says which
};

// Negotiated is what the handshake settled, valid once connected.
struct Negotiated {
  const CipherSuite* suite = nullptr;
  NamedGroup group{};
  SignatureScheme peer_signature_scheme{};
  std::string alpn;                          // empty: none
  std::string server_name;                   // the client's SNI
  // The peer's verified chain, DER, leaf first: the server's on a client; on a server, the
  // client's when it authenticated (ClientAuth), else empty. certificate_names (volley/pki.h)
  // reads the leaf's subject and subjectAltNames. peer_signature_scheme is the scheme of the
  // peer's CertificateVerify (meaningless when peer_certificates is empty).
  std::vector<std::vector<uint8_t>> peer_certificates;
  bool hello_retry = false;                  // a HelloRetryRequest was needed
  bool resumed = false;                      // a ticket's PSK was accepted (no certificate)
};

class Connection {
 public:
  // client starts a client connection to |server_name| (SNI and the host the certificate must
  // match; empty: no SNI, and the verifier is asked to check no name). The ClientHello is in
  // pending_output() at once.
  static Connection client(std::shared_ptr<const Config> config, std::string_view server_name);
  // server starts a server connection that waits for a ClientHello.
  static Connection server(std::shared_ptr<const Config> config);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // receive takes bytes from the peer: it frames records, drives the handshake, decrypts
  // application data for read(). Returns the number of bytes taken, which is all of |in| unless
  // the connection failed or closed, or decrypted data reached max_buffered_plaintext (read()
  // first, then give the rest again).
  size_t receive(Bytes in);

  // pending_output views the bytes to send to the peer; consume_output(n) drops the first |n|
  // after they were sent. The view is invalidated by any other call.
  Bytes pending_output() const noexcept;
  void consume_output(size_t n) noexcept;

  // write seals |data| as application-data records (one batched seal) into the output. Returns
  // the number of bytes taken: all of |data| once connected, 0 before (nothing is queued for
  // later; 0-RTT comes with sessions) and after an error or close.
  size_t write(Bytes data);

  // read copies decrypted application data into |out| and returns how much; 0 when there is
  // none (see peer_closed() for end of stream).
  size_t read(MutableBytes out) noexcept;

  // close queues close_notify (RFC 8446 §6.1); write() refuses afterwards.
  void close();

  // update_keys queues a KeyUpdate (RFC 8446 §4.6.3) and moves this side's sending keys to their
  // next generation: everything written from now on is protected under the new keys. With
  // |request_peer_update| the peer is asked to update its sending keys too (update_requested); it
  // answers with a KeyUpdate of its own before its next application data, which receive() handles
  // like any other. Returns true when the KeyUpdate is queued; false, queuing nothing, before the
  // handshake completed and after close() or an error; false too if the keys could not be moved,
  // which ends the connection (error() says why).
  //
  // KeyUpdates also happen without the application: write() sends one before the sending key
  // reaches its usage limit (§5.5: 2^24.5 records for AES-GCM; for ChaCha20-Poly1305, before the
  // sequence number runs out), so no write fails on it. receive() answers the peer's
  // update_requested with one KeyUpdate(update_not_requested), queued at the end of the receive()
  // call: several requests handled by one call get one answer, and any KeyUpdate this side sends
  // counts as the answer. A peer that sends more than 32 KeyUpdates in a row, without application
  // data between them, ends the connection with unexpected_message (its answer to this side's
  // update_requested is not counted), as does a KeyUpdate before the handshake completed or one
  // that does not end its record (§5.1).
  bool update_keys(bool request_peer_update);

  HandshakeState state() const noexcept;
  bool is_connected() const noexcept { return state() == HandshakeState::kConnected; }
  bool failed() const noexcept { return state() == HandshakeState::kFailed; }
  // peer_closed: the peer sent close_notify and every byte before it has been read.
  bool peer_closed() const noexcept;
  // error is the failure that ended the connection: the alert sent (or received, see
  // error_from_peer) and why. ok() while no error.
  TlsError error() const noexcept;
  bool error_from_peer() const noexcept;
  const Negotiated& negotiated() const noexcept;

 private:
  friend struct testing::ConnectionAccess;
  explicit Connection(std::unique_ptr<ConnectionCore> core);
  std::unique_ptr<ConnectionCore> core_;
};

}  // namespace volley::tls
