// The server's side of resumption (RFC 8446 §4.2.9, §4.2.11, §4.6.1): taking a ticket the client
// offers, checking its binder, and issuing tickets after the handshake.
#include <algorithm>
#include <string_view>

#include "engine/common/secure_memory.h"
#include "handshake/handshake_steps.h"
#include "handshake/messages/new_session_ticket.h"
#include "handshake/server/client_hello_offer.h"
#include "handshake/server/tls13_server.h"
#include "handshake/wire/wire_writer.h"

namespace volley::tls {
namespace {

// kMaxIdentitiesTried bounds the tickets one ClientHello makes this server open.
constexpr size_t kMaxIdentitiesTried = 8;

bool lists_mode(Bytes modes, PskMode mode) {
  return std::find(modes.begin(), modes.end(), static_cast<uint8_t>(mode)) != modes.end();
}

// open_ticket opens |ticket| with |store| and decodes the state; false for anything unusable.
bool open_ticket(ServerSessionState* out, const SessionTicketStore& store, Bytes ticket) {
  std::vector<uint8_t> plain;
  const bool ok = store.open(&plain, ticket) && decode_server_session_state(out, plain);
  if (!plain.empty()) secure_wipe(plain.data(), plain.size());
  return ok;
}

}  // namespace

TlsError Tls13Server::choose_psk(const ClientHelloOffer& offer, Bytes client_hello,
                                 bool have_share) {
  resumed_ = false;
  psk_.wipe();
  const bool dhe_ok =
      lists_mode(offer.psk_modes, PskMode::kPskDheKe) && config_.accepts_psk_mode(PskMode::kPskDheKe);
  const bool ke_ok =
      lists_mode(offer.psk_modes, PskMode::kPskKe) && config_.accepts_psk_mode(PskMode::kPskKe);
  client_takes_tickets_ = dhe_ok || ke_ok;
  const SessionTicketStore* store = config_.ticket_store();
  if (!offer.has_pre_shared_key || store == nullptr || !client_takes_tickets_) return kTlsOk;
  // psk_dhe_ke when the client sent a share for the group (or psk_ke is not possible, at the
  // cost of a HelloRetryRequest), psk_ke otherwise.
  const PskMode mode = dhe_ok && (have_share || !ke_ok) ? PskMode::kPskDheKe : PskMode::kPskKe;

  const std::string_view sni(reinterpret_cast<const char*>(offer.server_name.data()),
                             offer.has_server_name ? offer.server_name.size() : 0);
  const uint64_t now = config_.now_ms();
  const size_t n = std::min(offer.psks.identities.size(), kMaxIdentitiesTried);
  for (size_t i = 0; i < n; ++i) {
    ServerSessionState state;
    if (!open_ticket(&state, *store, offer.psks.identities[i].identity)) continue;
    const CipherSuite* suite = cipher_suite_by_code(state.suite);
    const bool usable = suite != nullptr && suite->hash == suite_->hash &&
                        state.psk.size() == suite_->hash_len && now >= state.issue_time_ms &&
                        now - state.issue_time_ms < uint64_t{state.lifetime_s} * 1000 &&
                        state.server_name == sni;
    if (!usable) continue;

    // The binder of the identity chosen must verify, over the ClientHello up to its binders list
    // (after a HelloRetryRequest, behind message_hash and the HelloRetryRequest: §4.2.11.2).
    if (offer.binders_len > client_hello.size()) return tls_internal("binders beyond the message");
    Transcript t = transcript_;
    t.start(suite_->hash);
    t.add(client_hello.first(client_hello.size() - offer.binders_len));
    uint8_t h[Transcript::kMaxHashSize];
    const Bytes truncated_hash = t.hash(h);
    KeySchedule early;
    Secret binder_key;
    if (early.init(*suite_, state.psk.bytes()) != Status::kOk ||
        early.binder_key(&binder_key, PskKind::kResumption) != Status::kOk) {
      return tls_internal("binder key");
    }
    switch (verify_finished(*suite_, binder_key, truncated_hash, offer.psks.binders[i])) {
      case Status::kOk:
        break;
      case Status::kAuthFailed:
        return tls_fail(AlertDescription::kDecryptError, "ClientHello: PSK binder does not verify");
      default:
        return tls_internal("binder check");
    }
    psk_ = state.psk;
    psk_mode_ = mode;
    selected_identity_ = static_cast<uint16_t>(i);
    resumed_ = true;
    return kTlsOk;
  }
  return kTlsOk;  // no usable ticket: a full handshake
}

TlsError Tls13Server::send_tickets() {
  const SessionTicketStore* store = config_.ticket_store();
  if (store == nullptr || config_.ticket_count() == 0 || !client_takes_tickets_) return kTlsOk;
  uint8_t h[Transcript::kMaxHashSize];
  Secret resumption_master;
  if (schedule_.resumption_master_secret(&resumption_master, transcript_.hash(h)) != Status::kOk) {
    return tls_internal("resumption master secret");
  }
  const Negotiated& n = core_.negotiated();
  std::vector<uint8_t> flight, state_bytes;
  for (uint8_t i = 0; i < config_.ticket_count(); ++i) {
    // A one-byte counter is a fresh nonce per ticket of this connection (§4.6.1).
    const uint8_t nonce[1] = {i};
    ServerSessionState state;
    state.suite = suite_->iana_code;
    state.issue_time_ms = config_.now_ms();
    state.lifetime_s = std::min(config_.ticket_lifetime(), kMaxTicketLifetimeSeconds);
    uint8_t age_add[4];
    TlsError e = core_.random(MutableBytes(age_add, sizeof(age_add)));
    if (!e.ok()) return e;
    state.age_add = uint32_t{age_add[0]} << 24 | uint32_t{age_add[1]} << 16 |
                    uint32_t{age_add[2]} << 8 | age_add[3];
    state.server_name = n.server_name;
    state.alpn = n.alpn;
    if (resumption_psk(*suite_, &state.psk, resumption_master, Bytes(nonce, 1)) != Status::kOk) {
      return tls_internal("resumption PSK");
    }
    state_bytes.clear();
    std::vector<uint8_t> ticket;
    const bool sealed =
        encode_server_session_state(&state_bytes, state) && store->seal(&ticket, state_bytes);
    secure_wipe(state_bytes.data(), state_bytes.size());
    if (!sealed || ticket.empty() || ticket.size() > 0xffff) continue;  // this one is not sent
    NewSessionTicket nst;
    nst.ticket_lifetime = state.lifetime_s;
    nst.ticket_age_add = state.age_add;
    nst.ticket_nonce = Bytes(nonce, 1);
    nst.ticket = ticket;
    WireWriter w(&flight);
    if (!encode_new_session_ticket(w, nst) || !w.ok()) return tls_internal("NewSessionTicket");
  }
  return flight.empty() ? kTlsOk : core_.send_handshake(flight);
}

}  // namespace volley::tls
