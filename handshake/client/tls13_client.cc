#include "handshake/client/tls13_client.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "engine/common/secure_memory.h"
#include "handshake/extension_builder.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/certificate.h"
#include "handshake/messages/client_hello.h"
#include "handshake/messages/encrypted_extensions.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/new_session_ticket.h"
#include "handshake/messages/server_hello.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {
namespace {

// The last eight bytes of a ServerHello.random from a TLS 1.3 server that negotiated TLS 1.2 or
// below (RFC 8446 §4.1.3); the last byte is 01 for TLS 1.2, 00 for older.
constexpr uint8_t kDowngradeSentinel[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

// is_ip_literal: RFC 6066 §3 forbids literal IPv4 and IPv6 addresses in server_name.
bool is_ip_literal(const std::string& name) {
  uint8_t addr[16];
  return inet_pton(AF_INET, name.c_str(), addr) == 1 || inet_pton(AF_INET6, name.c_str(), addr) == 1;
}

}  // namespace

Tls13Client::Tls13Client(ConnectionCore& core, std::string_view server_name)
    : core_(core), config_(core.config()), server_name_(server_name) {}

Tls13Client::~Tls13Client() { secure_wipe(random_, sizeof(random_)); }

bool Tls13Client::offered_suite(uint16_t code) const {
  for (const CipherSuite* s : config_.cipher_suites()) {
    if (s->iana_code == code) return true;
  }
  return false;
}

TlsError Tls13Client::add_key_share(NamedGroup group) {
  std::unique_ptr<KeyShare> share;
  const TlsError e = core_.draw_key_share(&share, group);
  if (e.ok()) shares_.push_back(std::move(share));
  return e;
}

TlsError Tls13Client::start() {
  if (config_.verifier() == nullptr) {
    return tls_internal("client config without a certificate verifier");
  }
  TlsError e = core_.random(MutableBytes(random_, sizeof(random_)));
  if (!e.ok()) return e;
  if (config_.middlebox_compatibility()) {
    // A non-empty legacy_session_id makes the handshake look like a TLS 1.2 resumption to
    // middleboxes (RFC 8446 Appendix D.4).
    session_id_.resize(32);
    e = core_.random(session_id_);
    if (!e.ok()) return e;
  }
  for (NamedGroup g : config_.key_share_groups()) {
    e = add_key_share(g);
    if (!e.ok()) return e;
  }
  take_session();
  // The first ClientHello's record says TLS 1.0, as most clients send it, for middleboxes that
  // expect it (RFC 8446 §5.1); every later record says TLS 1.2.
  core_.set_plaintext_version(0x0301);
  e = send_client_hello();
  core_.set_plaintext_version(kLegacyVersion);
  if (!e.ok()) return e;
  core_.allow_change_cipher_spec(true);  // §5: from the first ClientHello to the server Finished
  return kTlsOk;
}

TlsError Tls13Client::send_client_hello() {
  ExtensionBuilder ext;
  if (!server_name_.empty() && !is_ip_literal(server_name_)) {
    WireWriter w = ext.add(ExtensionType::kServerName);
    encode_server_name_ch(w, Bytes(reinterpret_cast<const uint8_t*>(server_name_.data()),
                                   server_name_.size()));
  }
  {
    const uint16_t versions[] = {kTls13};
    WireWriter w = ext.add(ExtensionType::kSupportedVersions);
    encode_supported_versions_ch(w, versions);
  }
  {
    std::vector<uint16_t> groups;
    for (NamedGroup g : config_.groups()) groups.push_back(static_cast<uint16_t>(g));
    WireWriter w = ext.add(ExtensionType::kSupportedGroups);
    encode_supported_groups(w, groups);
  }
  {
    std::vector<uint16_t> schemes;
    for (SignatureScheme s : config_.signature_schemes()) schemes.push_back(static_cast<uint16_t>(s));
    WireWriter w = ext.add(ExtensionType::kSignatureAlgorithms);
    encode_signature_algorithms(w, schemes);
  }
  {
    std::vector<KeyShareEntry> entries;
    for (const auto& s : shares_) {
      entries.push_back(KeyShareEntry{static_cast<uint16_t>(s->group()), s->key_exchange()});
    }
    WireWriter w = ext.add(ExtensionType::kKeyShare);
    encode_key_share_ch(w, entries);
  }
  if (!config_.alpn().empty()) {
    std::vector<Bytes> names;
    for (const std::string& p : config_.alpn()) {
      names.emplace_back(reinterpret_cast<const uint8_t*>(p.data()), p.size());
    }
    WireWriter w = ext.add(ExtensionType::kApplicationLayerProtocolNegotiation);
    encode_alpn(w, names);
  }
  if (config_.record_size_limit() != 0) {
    WireWriter w = ext.add(ExtensionType::kRecordSizeLimit);
    encode_record_size_limit(w, config_.record_size_limit());
  }
  if (!cookie_.empty()) {
    WireWriter w = ext.add(ExtensionType::kCookie);
    encode_cookie(w, cookie_);
  }
  add_psk_offer(ext);  // pre_shared_key must be last (RFC 8446 §4.2.11)

  std::vector<uint8_t> suites;
  for (const CipherSuite* s : config_.cipher_suites()) {
    suites.push_back(static_cast<uint8_t>(s->iana_code >> 8));
    suites.push_back(static_cast<uint8_t>(s->iana_code));
  }
  const uint8_t null_compression[1] = {0};
  ClientHello ch;
  ch.legacy_version = kLegacyVersion;
  ch.random = Bytes(random_, sizeof(random_));
  ch.legacy_session_id = session_id_;
  ch.cipher_suites = U16List{suites};
  ch.legacy_compression_methods = Bytes(null_compression, 1);
  ch.extensions = ext.list();
  core_.rewrite_extensions(ExtensionContext::kClientHello, &ch.extensions);

  std::vector<uint8_t> message;
  WireWriter w(&message);
  if (!encode_client_hello(w, ch) || !w.ok()) return tls_internal("ClientHello encoding failed");
  if (psk_offered_ && !ch.extensions.empty() &&
      ch.extensions.back().type == ExtensionType::kPreSharedKey) {
    const TlsError e = patch_binder(&message);
    if (!e.ok()) return e;
  }
  transcript_.add(message);
  return core_.send_handshake(message);
}

TlsError Tls13Client::on_message(const HandshakeMessage& m) {
  switch (state_) {
    case State::kWaitServerHello:
      return on_server_hello(m);
    case State::kWaitEncryptedExtensions:
      return on_encrypted_extensions(m);
    case State::kWaitCertificate:
      return m.type == HandshakeType::kCertificateRequest ? on_certificate_request(m)
                                                          : on_certificate(m);
    case State::kWaitCertificateVerify:
      return on_certificate_verify(m);
    case State::kWaitFinished:
      return on_finished(m);
    case State::kConnected:
      return on_post_handshake(m);
  }
  return tls_internal("client state");
}

TlsError Tls13Client::on_server_hello(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kServerHello) return tls_unexpected("expected ServerHello");
  ServerHello sh;
  TlsError e = decode_server_hello(&sh, m.body);
  if (!e.ok()) return e;

  const Extension* sv = find_extension(sh.extensions, ExtensionType::kSupportedVersions);
  if (sv == nullptr) {
    // A server that negotiated TLS 1.2 or older. A TLS 1.3 server doing so marks its random
    // (§4.1.3): that is a downgrade attack on a client offering TLS 1.3.
    if (sh.random.size() == 32 && std::memcmp(sh.random.data() + 24, kDowngradeSentinel, 7) == 0 &&
        sh.random[31] <= 1) {
      return tls_illegal("ServerHello: downgrade sentinel from a TLS 1.3 server");
    }
    return tls_fail(AlertDescription::kProtocolVersion, "the server does not speak TLS 1.3");
  }
  uint16_t version = 0;
  e = decode_supported_versions_sh(&version, sv->body);
  if (!e.ok()) return e;
  if (version != kTls13) return tls_illegal("ServerHello: a version that was not offered");
  if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                  session_id_.begin(), session_id_.end())) {
    return tls_illegal("ServerHello: legacy_session_id_echo differs from the one sent");
  }
  if (!offered_suite(sh.cipher_suite)) return tls_illegal("ServerHello: a suite that was not offered");
  if (suite_ != nullptr && suite_->iana_code != sh.cipher_suite) {
    return tls_illegal("ServerHello: a suite other than the HelloRetryRequest's");
  }
  if (sh.legacy_compression_method != 0) return tls_illegal("ServerHello: compression");
  for (const Extension& x : sh.extensions) {
    const bool answered = x.type == ExtensionType::kSupportedVersions ||
                          x.type == ExtensionType::kKeyShare ||
                          (sh.is_hello_retry_request && x.type == ExtensionType::kCookie) ||
                          (!sh.is_hello_retry_request && psk_offered_ &&
                           x.type == ExtensionType::kPreSharedKey);
    if (!answered) return tls_unsupported_extension("ServerHello: an extension that was not offered");
  }
  suite_ = cipher_suite_by_code(sh.cipher_suite);
  if (sh.is_hello_retry_request) return on_hello_retry_request(sh, m);

  e = on_server_psk(sh);
  if (!e.ok()) return e;
  const Extension* ks = find_extension(sh.extensions, ExtensionType::kKeyShare);
  const KeyShare* mine = nullptr;
  Secret ecdhe;  // stays empty for psk_ke: HashLen zeros (RFC 8446 §7.1)
  if (ks == nullptr) {
    if (!resumed_ || !offers_psk_mode(PskMode::kPskKe)) {
      return tls_fail(AlertDescription::kMissingExtension, "ServerHello without key_share");
    }
  } else {
    if (resumed_ && !offers_psk_mode(PskMode::kPskDheKe)) {
      return tls_illegal("ServerHello: key_share in a psk_ke handshake");
    }
    KeyShareEntry entry;
    e = decode_key_share_sh(&entry, ks->body);
    if (!e.ok()) return e;
    for (const auto& s : shares_) {
      if (static_cast<uint16_t>(s->group()) == entry.group) mine = s.get();
    }
    if (mine == nullptr) {
      return tls_illegal("ServerHello: key share for a group without a client share");
    }
    e = mine->shared_secret(&ecdhe, entry.key_exchange);
    if (!e.ok()) return e;
  }

  transcript_.start(suite_->hash);
  transcript_.add(m.message);
  uint8_t h[Transcript::kMaxHashSize];
  const Bytes hello_hash = transcript_.hash(h);
  e = derive_handshake_secrets(schedule_, *suite_, ecdhe.bytes(), hello_hash, &client_hs_,
                               &server_hs_, resumed_ ? session_->psk.bytes() : Bytes());
  if (!e.ok()) return e;
  session_.reset();  // a ticket is used once (RFC 8446 Appendix C.4)
  e = install_traffic_secret(core_, *suite_, Direction::kRead, server_hs_);
  if (!e.ok()) return e;
  e = install_traffic_secret(core_, *suite_, Direction::kWrite, client_hs_);
  if (!e.ok()) return e;
  Negotiated& n = core_.mutable_negotiated();
  n.suite = suite_;
  if (mine != nullptr) n.group = mine->group();
  n.hello_retry = hello_retry_;
  n.resumed = resumed_;
  shares_.clear();  // the private keys go as soon as they are used
  state_ = State::kWaitEncryptedExtensions;
  return kTlsOk;
}

TlsError Tls13Client::on_hello_retry_request(const ServerHello& hrr, const HandshakeMessage& m) {
  if (hello_retry_) return tls_unexpected("a second HelloRetryRequest");  // §4.1.4
  const Extension* ks = find_extension(hrr.extensions, ExtensionType::kKeyShare);
  const Extension* cookie = find_extension(hrr.extensions, ExtensionType::kCookie);
  if (ks == nullptr && cookie == nullptr) {
    return tls_illegal("HelloRetryRequest that would not change the ClientHello");  // §4.1.4
  }
  transcript_.start(suite_->hash);
  transcript_.restart_after_hello_retry();
  transcript_.add(m.message);
  hello_retry_ = true;
  if (cookie != nullptr) {
    Bytes c;
    const TlsError e = decode_cookie(&c, cookie->body);
    if (!e.ok()) return e;
    cookie_.assign(c.begin(), c.end());
  }
  if (ks != nullptr) {
    uint16_t group = 0;
    TlsError e = decode_key_share_hrr(&group, ks->body);
    if (!e.ok()) return e;
    const auto& groups = config_.groups();
    if (std::find(groups.begin(), groups.end(), static_cast<NamedGroup>(group)) == groups.end()) {
      return tls_illegal("HelloRetryRequest: a group that was not offered");
    }
    for (const auto& s : shares_) {
      if (static_cast<uint16_t>(s->group()) == group) {
        return tls_illegal("HelloRetryRequest: a group the client already sent a share for");
      }
    }
    shares_.clear();
    e = add_key_share(static_cast<NamedGroup>(group));
    if (!e.ok()) return e;
  }
  if (session_ && session_suite_->hash != suite_->hash) {
    // The PSK cannot serve the suite the server chose: the second ClientHello drops it (§4.1.4).
    session_.reset();
    psk_offered_ = false;
  }
  if (config_.middlebox_compatibility() && !sent_ccs_) {
    const TlsError e = core_.send_change_cipher_spec();  // before the second flight (App. D.4)
    if (!e.ok()) return e;
    sent_ccs_ = true;
  }
  return send_client_hello();
}

TlsError Tls13Client::on_encrypted_extensions(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kEncryptedExtensions) {
    return tls_unexpected("expected EncryptedExtensions");
  }
  EncryptedExtensions ee;
  TlsError e = decode_encrypted_extensions(&ee, m.body);
  if (!e.ok()) return e;
  Negotiated& n = core_.mutable_negotiated();
  for (const Extension& x : ee.extensions) {
    switch (x.type) {
      case ExtensionType::kServerName:
        if (server_name_.empty()) return tls_unsupported_extension("EncryptedExtensions: server_name");
        e = decode_empty_body(x.body);
        break;
      case ExtensionType::kApplicationLayerProtocolNegotiation: {
        if (config_.alpn().empty()) return tls_unsupported_extension("EncryptedExtensions: ALPN");
        Bytes selected;
        e = decode_alpn_ee(&selected, x.body);
        if (!e.ok()) return e;
        const std::string name(selected.begin(), selected.end());
        const auto& offered = config_.alpn();
        if (std::find(offered.begin(), offered.end(), name) == offered.end()) {
          return tls_illegal("EncryptedExtensions: an ALPN protocol that was not offered");
        }
        n.alpn = name;
        break;
      }
      case ExtensionType::kRecordSizeLimit: {
        if (config_.record_size_limit() == 0) {
          return tls_unsupported_extension("EncryptedExtensions: record_size_limit");
        }
        uint16_t limit = 0;
        e = decode_record_size_limit(&limit, x.body);
        if (!e.ok()) return e;
        // The server understood the extension: both limits apply from now on (RFC 8449 §4).
        e = core_.set_peer_record_size_limit(limit);
        if (e.ok()) e = core_.set_own_record_size_limit(config_.record_size_limit());
        break;
      }
      case ExtensionType::kSupportedGroups:  // the server's preferences, for later connections
        break;
      default:
        return tls_unsupported_extension("EncryptedExtensions: an extension that was not offered");
    }
    if (!e.ok()) return e;
  }
  transcript_.add(m.message);
  // A resumed handshake has no Certificate or CertificateVerify: the PSK authenticates the server
  // (RFC 8446 §2.2); one arriving is then unexpected_message.
  state_ = resumed_ ? State::kWaitFinished : State::kWaitCertificate;
  return kTlsOk;
}

TlsError Tls13Client::on_certificate(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kCertificate) return tls_unexpected("expected Certificate");
  Certificate c;
  TlsError e = decode_certificate(&c, m.body);
  if (!e.ok()) return e;
  if (!c.certificate_request_context.empty()) {
    return tls_illegal("server Certificate with a request context");  // §4.4.2
  }
  if (c.entries.empty()) {
    return tls_fail(AlertDescription::kDecodeError, "empty server Certificate");  // §4.4.2.4
  }
  std::vector<Bytes> chain;
  for (const CertificateEntry& entry : c.entries) chain.push_back(entry.cert_data);
  e = config_.verifier()->verify_chain(chain, server_name_, CertificateRole::kServer,
                                       config_.verify_time());
  if (!e.ok()) return e;
  Negotiated& n = core_.mutable_negotiated();
  n.peer_certificates.clear();
  for (Bytes cert : chain) n.peer_certificates.emplace_back(cert.begin(), cert.end());
  transcript_.add(m.message);
  state_ = State::kWaitCertificateVerify;
  return kTlsOk;
}

TlsError Tls13Client::on_certificate_verify(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kCertificateVerify) return tls_unexpected("expected CertificateVerify");
  uint8_t h[Transcript::kMaxHashSize];
  Negotiated& n = core_.mutable_negotiated();
  const TlsError e = check_certificate_verify(
      &n.peer_signature_scheme, *config_.verifier(), n.peer_certificates.front(),
      CertificateRole::kServer, config_.signature_schemes(), transcript_.hash(h), m);
  if (!e.ok()) return e;
  transcript_.add(m.message);
  state_ = State::kWaitFinished;
  return kTlsOk;
}

TlsError Tls13Client::on_finished(const HandshakeMessage& m) {
  if (m.type != HandshakeType::kFinished) return tls_unexpected("expected Finished");
  uint8_t h[Transcript::kMaxHashSize];
  TlsError e = check_finished(*suite_, server_hs_, transcript_.hash(h), m);
  if (!e.ok()) return e;
  transcript_.add(m.message);
  const Bytes server_finished_hash = transcript_.hash(h);
  e = derive_application_secrets(schedule_, server_finished_hash, &client_ap_, &server_ap_);
  if (!e.ok()) return e;
  e = install_traffic_secret(core_, *suite_, Direction::kRead, server_ap_);
  if (!e.ok()) return e;
  core_.allow_change_cipher_spec(false);

  if (config_.middlebox_compatibility() && !sent_ccs_) {
    e = core_.send_change_cipher_spec();
    if (!e.ok()) return e;
    sent_ccs_ = true;
  }
  std::vector<uint8_t> flight;
  if (certificate_requested_) {
    e = append_client_authentication(&flight);
    if (!e.ok()) return e;
  }
  const size_t finished_at = flight.size();
  e = append_finished(&flight, *suite_, client_hs_, transcript_.hash(h));
  if (!e.ok()) return e;
  transcript_.add(Bytes(flight).subspan(finished_at));
  e = core_.send_handshake(flight);
  if (!e.ok()) return e;
  if (schedule_.resumption_master_secret(&resumption_master_, transcript_.hash(h)) !=
      Status::kOk) {
    return tls_internal("resumption master secret");
  }
  e = install_traffic_secret(core_, *suite_, Direction::kWrite, client_ap_);
  if (!e.ok()) return e;
  client_hs_.wipe();
  server_hs_.wipe();
  core_.handshake_complete();
  state_ = State::kConnected;
  return kTlsOk;
}

TlsError Tls13Client::on_post_handshake(const HandshakeMessage& m) {
  switch (m.type) {
    case HandshakeType::kNewSessionTicket:
      return on_new_session_ticket(m);
    case HandshakeType::kKeyUpdate:
      return on_key_update(core_, *suite_, &server_ap_, m);
    default:
      return tls_unexpected("a handshake message after the handshake");
  }
}

TlsError Tls13Client::next_write_keys() {
  if (state_ != State::kConnected) return tls_internal("KeyUpdate before the handshake completed");
  return advance_traffic_secret(core_, *suite_, Direction::kWrite, &client_ap_);
}

}  // namespace volley::tls
