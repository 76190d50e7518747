#include "handshake/server/tls13_server.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "handshake/extension_builder.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/server_hello.h"
#include "handshake/server/client_hello_offer.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {
namespace {


bool contains(const U16List& list, uint16_t value) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == value) return true;
  }
  return false;
}

}  // namespace

Tls13Server::Tls13Server(ConnectionCore& core) : core_(core), config_(core.config()) {}

Tls13Server::~Tls13Server() = default;

TlsError Tls13Server::start() {
  if (config_.credential() == nullptr || config_.credential()->chain().empty()) {
    return tls_internal("server config without a certificate and key");
  }
  core_.allow_change_cipher_spec(true);  // §5: from the ClientHello to the client Finished
  return kTlsOk;
}

TlsError Tls13Server::on_message(const HandshakeMessage& m) {
  switch (state_) {
    case State::kWaitClientHello:
    case State::kWaitClientHello2:
      if (m.type != HandshakeType::kClientHello) return tls_unexpected("expected ClientHello");
      return on_client_hello(m);
    case State::kWaitClientCertificate:
      if (m.type != HandshakeType::kCertificate) return tls_unexpected("expected client Certificate");
      return on_client_certificate(m);
    case State::kWaitClientCertificateVerify:
      if (m.type != HandshakeType::kCertificateVerify) {
        return tls_unexpected("expected client CertificateVerify");
      }
      return on_client_certificate_verify(m);
    case State::kWaitFinished:
      if (m.type != HandshakeType::kFinished) return tls_unexpected("expected client Finished");
      return on_finished(m);
    case State::kConnected:
      if (m.type != HandshakeType::kKeyUpdate) {
        return tls_unexpected("a handshake message after the handshake");
      }
      return on_key_update(core_, *suite_, &client_ap_, m);
  }
  return tls_internal("server state");
}

TlsError Tls13Server::choose(const ClientHelloOffer& offer) {
  const bool first = state_ == State::kWaitClientHello;
  const CipherSuite* suite = nullptr;
  for (const CipherSuite* s : config_.cipher_suites()) {
    if (contains(offer.cipher_suites, s->iana_code)) {
      suite = s;
      break;
    }
  }
  if (suite == nullptr) {
    return tls_fail(AlertDescription::kHandshakeFailure, "ClientHello: no cipher suite in common");
  }
  if (!first) {
    // The suite of the HelloRetryRequest stays (§4.1.4): the client must still offer it.
    if (!contains(offer.cipher_suites, suite_->iana_code)) {
      return tls_illegal("ClientHello2: the HelloRetryRequest's suite is not offered");
    }
    return kTlsOk;
  }
  suite_ = suite;

  const SigningCredential& credential = *config_.credential();
  bool have_scheme = false;
  for (SignatureScheme s : credential.schemes()) {
    if (contains(offer.signature_schemes, static_cast<uint16_t>(s))) {
      scheme_ = s;
      have_scheme = true;
      break;
    }
  }
  if (!have_scheme) {
    return tls_fail(AlertDescription::kHandshakeFailure,
                    "ClientHello: no signature scheme the certificate's key can sign with");
  }

  Negotiated& n = core_.mutable_negotiated();
  if (offer.has_server_name) n.server_name.assign(offer.server_name.begin(), offer.server_name.end());
  if (offer.has_alpn && !config_.alpn().empty()) {
    for (const std::string& p : config_.alpn()) {
      const bool offered = std::any_of(offer.alpn.begin(), offer.alpn.end(), [&p](Bytes name) {
        return name.size() == p.size() && std::memcmp(name.data(), p.data(), p.size()) == 0;
      });
      if (offered) {
        n.alpn = p;
        break;
      }
    }
    if (n.alpn.empty()) {
      return tls_fail(AlertDescription::kNoApplicationProtocol,
                      "ClientHello: no ALPN protocol in common");
    }
  }
  return kTlsOk;
}

TlsError Tls13Server::on_client_hello(const HandshakeMessage& m) {
  ClientHello ch;
  TlsError e = decode_client_hello(&ch, m.body);
  if (!e.ok()) return e;
  ClientHelloOffer offer;
  e = decode_client_hello_offer(&offer, ch);
  if (!e.ok()) return e;

  if (state_ == State::kWaitClientHello) {
    session_id_.assign(ch.legacy_session_id.begin(), ch.legacy_session_id.end());
    first_hello_.assign(m.body.begin(), m.body.end());
  } else {
    ClientHello first;
    e = decode_client_hello(&first, first_hello_);
    if (e.ok()) e = check_second_client_hello(first, ch);
    if (!e.ok()) return e;
    first_hello_ = {};
  }
  // A cookie must be the one this server's HelloRetryRequest carried, copied unchanged (RFC 8446
  // §4.2.2); volley's server only sends one when a test's hooks put it there.
  if (!std::equal(offer.cookie.begin(), offer.cookie.end(), cookie_.begin(), cookie_.end())) {
    return tls_illegal(cookie_.empty() ? "ClientHello: a cookie this server did not send"
                                       : "ClientHello2: not the cookie of the HelloRetryRequest");
  }
  e = choose(offer);
  if (!e.ok()) return e;

  // The group: the first of the server's groups the client offered a share for (strict
  // preference: the first it supports, share or not); failing that, the first of the server's
  // groups the client supports, asked for by HelloRetryRequest.
  const KeyShareEntry* share = nullptr;
  if (state_ == State::kWaitClientHello2) {
    // §4.1.2: the second ClientHello carries exactly one share, for the group asked for.
    if (offer.shares.size() != 1 || offer.shares[0].group != static_cast<uint16_t>(group_)) {
      return tls_illegal("ClientHello2: not the one key share the HelloRetryRequest asked for");
    }
    share = &offer.shares[0];
  } else {
    auto share_for = [&offer](NamedGroup g) -> const KeyShareEntry* {
      for (const KeyShareEntry& s : offer.shares) {
        if (s.group == static_cast<uint16_t>(g)) return &s;
      }
      return nullptr;
    };
    const auto& groups = config_.groups();
    const auto supported = std::find_if(groups.begin(), groups.end(), [&offer](NamedGroup g) {
      return contains(offer.groups, static_cast<uint16_t>(g));
    });
    if (supported == groups.end()) {
      return tls_fail(AlertDescription::kHandshakeFailure,
                      "ClientHello: no key exchange group in common");
    }
    group_ = *supported;
    share = share_for(group_);
    if (share == nullptr && !config_.strict_group_preference()) {
      for (NamedGroup g : groups) {
        share = share_for(g);
        if (share != nullptr) {
          group_ = g;
          break;
        }
      }
    }
  }
  e = choose_psk(offer, m.message, share != nullptr);
  if (!e.ok()) return e;
  if (share == nullptr && !(resumed_ && psk_mode_ == PskMode::kPskKe)) {
    transcript_.start(suite_->hash);
    transcript_.add(m.message);
    return send_hello_retry_request();
  }
  transcript_.start(suite_->hash);
  transcript_.add(m.message);
  return send_server_flight(offer, share != nullptr ? share->key_exchange : Bytes());
}

TlsError Tls13Server::send_hello_retry_request() {
  transcript_.restart_after_hello_retry();
  // key_share before supported_versions, the order of RFC 8448 §5 (any order is legal, §4.2).
  ExtensionBuilder ext;
  {
    WireWriter w = ext.add(ExtensionType::kKeyShare);
    encode_key_share_hrr(w, static_cast<uint16_t>(group_));
  }
  {
    WireWriter w = ext.add(ExtensionType::kSupportedVersions);
    encode_supported_versions_sh(w, kTls13);
  }
  ServerHello hrr;
  hrr.legacy_version = kLegacyVersion;
  hrr.random = Bytes(kHelloRetryRequestRandom, sizeof(kHelloRetryRequestRandom));
  hrr.legacy_session_id_echo = session_id_;
  hrr.cipher_suite = suite_->iana_code;
  hrr.legacy_compression_method = 0;
  hrr.extensions = ext.list();
  hrr.is_hello_retry_request = true;
  core_.rewrite_extensions(ExtensionContext::kHelloRetryRequest, &hrr.extensions);
  if (const Extension* cookie = find_extension(hrr.extensions, ExtensionType::kCookie)) {
    Bytes sent;
    const TlsError e = decode_cookie(&sent, cookie->body);
    if (!e.ok() || sent.empty()) return tls_internal("HelloRetryRequest: a malformed cookie");
    cookie_.assign(sent.begin(), sent.end());
  }
  std::vector<uint8_t> message;
  WireWriter w(&message);
  if (!encode_server_hello(w, hrr) || !w.ok()) return tls_internal("HelloRetryRequest encoding");
  transcript_.add(message);
  TlsError e = core_.send_handshake(message);
  if (!e.ok()) return e;
  // Middlebox compatibility: change_cipher_spec right after the server's first handshake
  // message, when the client asked for the mode with a session id (RFC 8446 Appendix D.4).
  if (config_.middlebox_compatibility() && !session_id_.empty()) {
    e = core_.send_change_cipher_spec();
    if (!e.ok()) return e;
    sent_ccs_ = true;
  }
  core_.mutable_negotiated().hello_retry = true;
  state_ = State::kWaitClientHello2;
  return kTlsOk;
}

TlsError Tls13Server::send_server_flight(const ClientHelloOffer& offer, Bytes client_share) {
  // The draws in the client's order: the random, then the key share (RFC 8448's pools are laid
  // out so; RFC 8446 sets no order).
  uint8_t random[32];
  TlsError e = core_.random(MutableBytes(random, sizeof(random)));
  if (!e.ok()) return e;
  const bool dhe = !(resumed_ && psk_mode_ == PskMode::kPskKe);
  std::unique_ptr<KeyShare> mine;
  Secret ecdhe;  // psk_ke: empty, HashLen zeros (RFC 8446 §7.1)
  if (dhe) {
    e = core_.draw_key_share(&mine, group_);
    if (!e.ok()) return e;
    e = mine->shared_secret(&ecdhe, client_share);
    if (!e.ok()) return e;
  }

  // key_share before supported_versions, the order of RFC 8448's ServerHellos (any order is
  // legal, RFC 8446 §4.2).
  ExtensionBuilder sh_ext;
  if (dhe) {
    WireWriter w = sh_ext.add(ExtensionType::kKeyShare);
    encode_key_share_sh(w, KeyShareEntry{static_cast<uint16_t>(group_), mine->key_exchange()});
  }
  {
    WireWriter w = sh_ext.add(ExtensionType::kSupportedVersions);
    encode_supported_versions_sh(w, kTls13);
  }
  if (resumed_) {
    WireWriter w = sh_ext.add(ExtensionType::kPreSharedKey);
    encode_pre_shared_key_sh(w, selected_identity_);
  }
  ServerHello sh;
  sh.legacy_version = kLegacyVersion;
  sh.random = Bytes(random, sizeof(random));
  sh.legacy_session_id_echo = session_id_;
  sh.cipher_suite = suite_->iana_code;
  sh.legacy_compression_method = 0;
  sh.extensions = sh_ext.list();
  sh.is_hello_retry_request = false;
  core_.rewrite_extensions(ExtensionContext::kServerHello, &sh.extensions);
  std::vector<uint8_t> hello;
  WireWriter hw(&hello);
  if (!encode_server_hello(hw, sh) || !hw.ok()) return tls_internal("ServerHello encoding");
  transcript_.add(hello);
  e = core_.send_handshake(hello);
  if (!e.ok()) return e;
  if (config_.middlebox_compatibility() && !session_id_.empty() && !sent_ccs_) {
    e = core_.send_change_cipher_spec();
    if (!e.ok()) return e;
    sent_ccs_ = true;
  }

  uint8_t h[Transcript::kMaxHashSize];
  const Bytes hello_hash = transcript_.hash(h);
  e = derive_handshake_secrets(schedule_, *suite_, ecdhe.bytes(), hello_hash, &client_hs_,
                               &server_hs_, resumed_ ? psk_.bytes() : Bytes());
  if (!e.ok()) return e;
  psk_.wipe();
  mine.reset();  // the private key goes as soon as it is used
  e = install_traffic_secret(core_, *suite_, Direction::kWrite, server_hs_);
  if (!e.ok()) return e;
  e = install_traffic_secret(core_, *suite_, Direction::kRead, client_hs_);
  if (!e.ok()) return e;

  // EncryptedExtensions, Certificate, CertificateVerify, Finished: one flight, one call into the
  // record layer.
  std::vector<uint8_t> flight;
  Negotiated& n = core_.mutable_negotiated();
  ExtensionBuilder ee_ext;
  if (offer.has_server_name) ee_ext.add(ExtensionType::kServerName);  // empty: acknowledged
  if (!n.alpn.empty()) {
    WireWriter w = ee_ext.add(ExtensionType::kApplicationLayerProtocolNegotiation);
    encode_alpn_ee(w, Bytes(reinterpret_cast<const uint8_t*>(n.alpn.data()), n.alpn.size()));
  }
  // record_size_limit (RFC 8449 §4): answered only when offered; this server's own limit is its
  // config's, or the protocol maximum.
  const uint16_t own_limit = config_.record_size_limit() != 0 ? config_.record_size_limit() : 16385;
  if (offer.has_record_size_limit) {
    WireWriter w = ee_ext.add(ExtensionType::kRecordSizeLimit);
    encode_record_size_limit(w, own_limit);
  }
  {
    EncryptedExtensions ee{ee_ext.list()};
    core_.rewrite_extensions(ExtensionContext::kEncryptedExtensions, &ee.extensions);
    WireWriter w(&flight);
    if (!encode_encrypted_extensions(w, ee) || !w.ok()) {
      return tls_internal("EncryptedExtensions encoding");
    }
  }
  transcript_.add(flight);
  size_t at = flight.size();
  // Resumed: the PSK authenticates this server (RFC 8446 §2.2), and a server authenticating with
  // a PSK sends no CertificateRequest (§4.3.2).
  const bool asks_client = !resumed_ && config_.client_auth() != ClientAuth::kNone;
  if (asks_client) {
    e = append_certificate_request(&flight);
    if (!e.ok()) return e;
    transcript_.add(Bytes(flight).subspan(at));
    at = flight.size();
  }
  if (!resumed_) {
    e = append_certificate(&flight, config_.credential()->chain());
    if (!e.ok()) return e;
    transcript_.add(Bytes(flight).subspan(at));
    at = flight.size();
    e = append_certificate_verify(&flight, *config_.credential(), scheme_,
                                  CertificateRole::kServer, transcript_.hash(h));
    if (!e.ok()) return e;
    transcript_.add(Bytes(flight).subspan(at));
    at = flight.size();
  }
  e = append_finished(&flight, *suite_, server_hs_, transcript_.hash(h));
  if (!e.ok()) return e;
  transcript_.add(Bytes(flight).subspan(at));
  e = core_.send_handshake(flight);
  if (!e.ok()) return e;

  const Bytes server_finished_hash = transcript_.hash(h);
  e = derive_application_secrets(schedule_, server_finished_hash, &client_ap_, &server_ap_);
  if (!e.ok()) return e;
  e = install_traffic_secret(core_, *suite_, Direction::kWrite, server_ap_);
  if (!e.ok()) return e;
  if (offer.has_record_size_limit) {
    e = core_.set_peer_record_size_limit(offer.record_size_limit);
    if (e.ok()) e = core_.set_own_record_size_limit(own_limit);
    if (!e.ok()) return e;
  }
  n.suite = suite_;
  if (dhe) n.group = group_;
  n.resumed = resumed_;
  state_ = asks_client ? State::kWaitClientCertificate : State::kWaitFinished;
  return kTlsOk;
}

TlsError Tls13Server::on_finished(const HandshakeMessage& m) {
  uint8_t h[Transcript::kMaxHashSize];
  TlsError e = check_finished(*suite_, client_hs_, transcript_.hash(h), m);
  if (!e.ok()) return e;
  transcript_.add(m.message);
  e = install_traffic_secret(core_, *suite_, Direction::kRead, client_ap_);
  if (!e.ok()) return e;
  core_.allow_change_cipher_spec(false);
  client_hs_.wipe();
  server_hs_.wipe();
  core_.handshake_complete();
  state_ = State::kConnected;
  // A test's stand-in for the NewSessionTickets (testing/message_hooks.h), else the tickets.
  const Bytes post = core_.hooks_post_handshake();
  return post.empty() ? send_tickets() : core_.send_handshake(post);
}

TlsError Tls13Server::next_write_keys() {
  if (state_ != State::kConnected) return tls_internal("KeyUpdate before the handshake completed");
  return advance_traffic_secret(core_, *suite_, Direction::kWrite, &server_ap_);
}

}  // namespace volley::tls
