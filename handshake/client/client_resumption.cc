// The client's side of resumption (RFC 8446 §4.2.9, §4.2.11, §4.6.1): offering a ticket from the
// session cache, checking the server's answer, keeping the tickets it sends.
#include <algorithm>

#include "engine/common/secure_memory.h"
#include "handshake/client/tls13_client.h"
#include "handshake/extension_builder.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/extension_bodies.h"
#include "handshake/messages/extensions.h"
#include "handshake/messages/new_session_ticket.h"
#include "handshake/messages/server_hello.h"

namespace volley::tls {
namespace {

// kMaxCacheTakes bounds how many stale tickets one connection discards from the cache.
constexpr int kMaxCacheTakes = 8;

}  // namespace

bool Tls13Client::offers_psk_mode(PskMode mode) const {
  const auto& modes = config_.psk_modes();
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

void Tls13Client::take_session() {
  ClientSessionCache* cache = config_.session_cache();
  if (cache == nullptr) return;
  const uint64_t now = config_.now_ms();
  for (int i = 0; i < kMaxCacheTakes; ++i) {
    std::optional<ClientSession> s = cache->take(server_name_);
    if (!s) return;
    const CipherSuite* suite = cipher_suite_by_code(s->suite);
    if (suite == nullptr || s->expired(now) || s->psk.size() != suite->hash_len) continue;
    // Only a PSK whose hash one of the offered suites uses can be accepted (§4.2.11).
    const auto& suites = config_.cipher_suites();
    if (std::none_of(suites.begin(), suites.end(),
                     [suite](const CipherSuite* c) { return c->hash == suite->hash; })) {
      continue;
    }
    session_ = std::move(s);
    session_suite_ = suite;
    return;
  }
}

void Tls13Client::add_psk_offer(ExtensionBuilder& ext) {
  if (config_.session_cache() == nullptr) return;
  // The modes go out whenever tickets can be kept, offered or not: servers (OpenSSL's too) send
  // tickets only to a client that lists a mode, and a second ClientHello may not drop it.
  {
    std::vector<uint8_t> modes;
    for (PskMode m : config_.psk_modes()) modes.push_back(static_cast<uint8_t>(m));
    WireWriter w = ext.add(ExtensionType::kPskKeyExchangeModes);
    encode_psk_key_exchange_modes(w, modes);
  }
  if (!session_) return;
  // obfuscated_ticket_age = age in ms + ticket_age_add, mod 2^32 (§4.2.11.1).
  const uint64_t age = config_.now_ms() - session_->received_ms;
  const std::vector<uint8_t> zero_binder(session_suite_->hash_len);
  OfferedPsks psks;
  psks.identities.push_back(
      PskIdentity{session_->ticket, static_cast<uint32_t>(age + session_->age_add)});
  psks.binders.push_back(zero_binder);
  WireWriter w = ext.add(ExtensionType::kPreSharedKey);
  encode_pre_shared_key_ch(w, psks);
  psk_offered_ = true;
}

TlsError Tls13Client::patch_binder(std::vector<uint8_t>* message) {
  // The binder list is the message's tail: u16 length, u8 length, the binder (§4.2.11.2).
  const size_t hash_len = session_suite_->hash_len;
  const size_t binders_len = 2 + 1 + hash_len;
  if (message->size() < binders_len) return tls_internal("ClientHello shorter than its binders");
  Transcript t = transcript_;  // after a HelloRetryRequest: message_hash, HelloRetryRequest
  t.start(session_suite_->hash);
  t.add(Bytes(*message).first(message->size() - binders_len));
  uint8_t h[Transcript::kMaxHashSize];
  const Bytes truncated_hash = t.hash(h);
  KeySchedule early;
  Secret binder_key;
  const std::span<uint8_t> binder(message->data() + message->size() - hash_len, hash_len);
  if (early.init(*session_suite_, session_->psk.bytes()) != Status::kOk ||
      early.binder_key(&binder_key, PskKind::kResumption) != Status::kOk ||
      finished_verify_data(*session_suite_, binder, binder_key, truncated_hash) != Status::kOk) {
    return tls_internal("PSK binder");
  }
  return kTlsOk;
}

TlsError Tls13Client::on_server_psk(const ServerHello& sh) {
  const Extension* x = find_extension(sh.extensions, ExtensionType::kPreSharedKey);
  if (x == nullptr) return kTlsOk;  // a full handshake
  uint16_t selected = 0;
  const TlsError e = decode_pre_shared_key_sh(&selected, x->body);
  if (!e.ok()) return e;
  // One identity offered: index 0 is the only one in range (§4.2.11).
  if (selected != 0) return tls_illegal("ServerHello: selected_identity out of range");
  if (session_suite_->hash != suite_->hash) {
    return tls_illegal("ServerHello: a suite whose hash is not the PSK's");
  }
  resumed_ = true;
  return kTlsOk;
}

TlsError Tls13Client::on_new_session_ticket(const HandshakeMessage& m) {
  NewSessionTicket t;
  TlsError e = decode_new_session_ticket(&t, m.body);  // lifetime > 7 days: illegal_parameter
  if (!e.ok()) return e;
  ClientSessionCache* cache = config_.session_cache();
  if (cache == nullptr || t.ticket_lifetime == 0) return kTlsOk;  // 0: discard at once (§4.6.1)
  ClientSession s;
  for (const Extension& x : t.extensions) {
    if (x.type == ExtensionType::kEarlyData) {
      e = decode_early_data_nst(&s.max_early_data, x.body);
      if (!e.ok()) return e;
    }
  }
  if (resumption_psk(*suite_, &s.psk, resumption_master_, t.ticket_nonce) != Status::kOk) {
    return tls_internal("resumption PSK");
  }
  const Negotiated& n = core_.negotiated();
  s.suite = suite_->iana_code;
  s.ticket.assign(t.ticket.begin(), t.ticket.end());
  s.age_add = t.ticket_age_add;
  s.lifetime_s = t.ticket_lifetime;
  s.received_ms = config_.now_ms();
  s.server_name = server_name_;
  s.alpn = n.alpn;
  cache->put(server_name_, std::move(s));
  return kTlsOk;
}

}  // namespace volley::tls
