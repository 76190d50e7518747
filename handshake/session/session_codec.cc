// The encodings of volley/session.h: the server's session state inside a ticket, and the client
// session a CLI persists. Both are versioned, length-checked, and consumed whole.
#include <algorithm>

#include "engine/common/secure_memory.h"
#include "handshake/wire/wire_reader.h"
#include "handshake/wire/wire_writer.h"
#include "volley/session.h"

namespace volley::tls {
namespace {

constexpr char kClientMagic[] = "VOLLEY-SESSION-1\n";
constexpr size_t kClientMagicLen = sizeof(kClientMagic) - 1;

Bytes view(const std::string& s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

bool u64(WireReader& r, uint64_t* v) {
  uint32_t hi = 0, lo = 0;
  if (!r.u32(&hi) || !r.u32(&lo)) return false;
  *v = uint64_t{hi} << 32 | lo;
  return true;
}

void put_u64(WireWriter& w, uint64_t v) {
  w.u32(static_cast<uint32_t>(v >> 32));
  w.u32(static_cast<uint32_t>(v));
}

// A PSK is 32 or 48 bytes (the suites' hashes).
bool psk_from(Secret* out, Bytes b) {
  if (b.size() != 32 && b.size() != 48) return false;
  return out->assign(b) == Status::kOk;
}

}  // namespace

bool encode_server_session_state(std::vector<uint8_t>* out, const ServerSessionState& s) {
  WireWriter w(out);
  w.u8(ServerSessionState::kVersion);
  w.u16(s.suite);
  put_u64(w, s.issue_time_ms);
  w.u32(s.lifetime_s);
  w.u32(s.age_add);
  w.u32(s.max_early_data);
  w.vec8(s.psk.bytes());
  w.vec16(view(s.server_name));
  w.vec8(view(s.alpn));
  w.vec8(s.peer_cert_hash);
  return w.ok();
}

bool decode_server_session_state(ServerSessionState* out, Bytes in) {
  WireReader r(in);
  uint8_t version = 0;
  ServerSessionState s;
  Bytes psk, name, alpn, cert_hash;
  if (!r.u8(&version) || version != ServerSessionState::kVersion || !r.u16(&s.suite) ||
      !u64(r, &s.issue_time_ms) || !r.u32(&s.lifetime_s) || !r.u32(&s.age_add) ||
      !r.u32(&s.max_early_data) || !r.vec8(&psk) || !r.vec16(&name) || !r.vec8(&alpn) ||
      !r.vec8(&cert_hash) || !r.empty() || !psk_from(&s.psk, psk)) {
    return false;
  }
  if (!cert_hash.empty() && cert_hash.size() != 32) return false;
  s.server_name.assign(name.begin(), name.end());
  s.alpn.assign(alpn.begin(), alpn.end());
  s.peer_cert_hash.assign(cert_hash.begin(), cert_hash.end());
  *out = std::move(s);
  return true;
}

bool encode_client_session(std::vector<uint8_t>* out, const ClientSession& s) {
  WireWriter w(out);
  w.bytes(Bytes(reinterpret_cast<const uint8_t*>(kClientMagic), kClientMagicLen));
  w.u16(s.suite);
  w.u32(s.age_add);
  w.u32(s.lifetime_s);
  put_u64(w, s.received_ms);
  w.u32(s.max_early_data);
  w.vec8(s.psk.bytes());
  w.vec16(s.ticket);
  w.vec16(view(s.server_name));
  w.vec8(view(s.alpn));
  return w.ok();
}

bool decode_client_session(ClientSession* out, Bytes in) {
  WireReader r(in);
  Bytes magic, psk, ticket, name, alpn;
  ClientSession s;
  if (!r.bytes(kClientMagicLen, &magic) ||
      !std::equal(magic.begin(), magic.end(), kClientMagic) || !r.u16(&s.suite) ||
      !r.u32(&s.age_add) || !r.u32(&s.lifetime_s) || !u64(r, &s.received_ms) ||
      !r.u32(&s.max_early_data) || !r.vec8(&psk) || !r.vec16(&ticket) || ticket.empty() ||
      !r.vec16(&name) || !r.vec8(&alpn) || !r.empty() || !psk_from(&s.psk, psk) ||
      s.lifetime_s > kMaxTicketLifetimeSeconds) {
    return false;
  }
  s.ticket.assign(ticket.begin(), ticket.end());
  s.server_name.assign(name.begin(), name.end());
  s.alpn.assign(alpn.begin(), alpn.end());
  *out = std::move(s);
  return true;
}

void LruSessionCache::put(std::string_view server_name, ClientSession session) {
  if (max_servers_ == 0 || per_server_ == 0) return;
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.begin();
  while (it != entries_.end() && it->name != server_name) ++it;
  if (it == entries_.end()) {
    entries_.push_front(Entry{std::string(server_name), {}});
    if (entries_.size() > max_servers_) entries_.pop_back();
  } else {
    entries_.splice(entries_.begin(), entries_, it);
  }
  auto& sessions = entries_.front().sessions;
  sessions.push_front(std::move(session));
  while (sessions.size() > per_server_) sessions.pop_back();
}

std::optional<ClientSession> LruSessionCache::take(std::string_view server_name) {
  const std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->name != server_name) continue;
    std::optional<ClientSession> s(std::move(it->sessions.front()));
    it->sessions.pop_front();
    if (it->sessions.empty()) entries_.erase(it);
    return s;
  }
  return std::nullopt;
}

size_t LruSessionCache::size() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const Entry& e : entries_) n += e.sessions.size();
  return n;
}

}  // namespace volley::tls
