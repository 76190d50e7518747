#include "handshake/messages/extension_bodies.h"

#include <bitset>

#include "handshake/messages/codec_internal.h"
#include "handshake/wire/wire_reader.h"

namespace volley::tls {
namespace {

using codec::decode_error;
using codec::illegal_parameter;

// read_u16_list takes the content of a list of u16 values: non-empty and of even length.
bool read_u16_list(U16List* out, Bytes list) noexcept {
  if (list.empty() || list.size() % 2 != 0) return false;
  out->bytes = list;
  return true;
}

void write_u16s(WireWriter& w, std::span<const uint16_t> values) {
  for (const uint16_t v : values) w.u16(v);
}

// decode_u16_list16 is the shape supported_groups and signature_algorithms share.
TlsError decode_u16_list16(U16List* out, Bytes body, const char* reason) noexcept {
  WireReader r(body);
  Bytes list;
  U16List values;
  if (!r.vec16(&list) || !r.empty() || !read_u16_list(&values, list)) return decode_error(reason);
  *out = values;
  return kTlsOk;
}

void encode_u16_list16(WireWriter& w, std::span<const uint16_t> values) {
  const size_t list = w.begin_vec16();
  write_u16s(w, values);
  w.end_vec(list);
}

// A body that is exactly one integer.
template <typename T>
TlsError decode_single(T* out, Bytes body, bool (WireReader::*read)(T*), const char* reason) {
  WireReader r(body);
  T v{};
  if (!(r.*read)(&v) || !r.empty()) return decode_error(reason);
  *out = v;
  return kTlsOk;
}

// read_key_share_entry: group, then a non-empty u16-prefixed key_exchange.
bool read_key_share_entry(WireReader& r, KeyShareEntry* e) noexcept {
  WireReader look = r;
  KeyShareEntry entry;
  if (!look.u16(&entry.group) || !look.vec16(&entry.key_exchange) || entry.key_exchange.empty()) {
    return false;
  }
  *e = entry;
  r = look;
  return true;
}

void write_key_share_entry(WireWriter& w, const KeyShareEntry& e) {
  w.u16(e.group);
  w.vec16(e.key_exchange);
}

}  // namespace

std::vector<uint16_t> U16List::to_vector() const {
  std::vector<uint16_t> v(size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = (*this)[i];
  return v;
}

void encode_server_name_ch(WireWriter& w, Bytes host_name) {
  const size_t list = w.begin_vec16();
  w.u8(0);  // host_name
  w.vec16(host_name);
  w.end_vec(list);
}

TlsError decode_server_name_ch(Bytes* host_name, Bytes body) {
  WireReader r(body);
  Bytes list;
  if (!r.vec16(&list) || !r.empty()) return decode_error("server_name: bad length");
  WireReader entries(list);
  uint8_t name_type = 0;
  Bytes name;
  if (!entries.u8(&name_type) || !entries.vec16(&name)) {
    return decode_error("server_name: truncated entry");
  }
  if (name_type != 0) return illegal_parameter("server_name: name type is not host_name");
  if (!entries.empty()) return decode_error("server_name: more than one name");
  if (name.empty()) return decode_error("server_name: empty host_name");
  *host_name = name;
  return kTlsOk;
}

TlsError decode_empty_body(Bytes body) {
  return body.empty() ? kTlsOk : decode_error("extension: body must be empty");
}

void encode_supported_versions_ch(WireWriter& w, std::span<const uint16_t> versions) {
  const size_t list = w.begin_vec8();
  write_u16s(w, versions);
  w.end_vec(list);
}

TlsError decode_supported_versions_ch(U16List* versions, Bytes body) {
  WireReader r(body);
  Bytes list;
  U16List values;
  if (!r.vec8(&list) || !r.empty() || !read_u16_list(&values, list)) {
    return decode_error("supported_versions: bad list");
  }
  *versions = values;
  return kTlsOk;
}

void encode_supported_versions_sh(WireWriter& w, uint16_t version) { w.u16(version); }

TlsError decode_supported_versions_sh(uint16_t* version, Bytes body) {
  return decode_single(version, body, &WireReader::u16, "supported_versions: bad length");
}

void encode_supported_groups(WireWriter& w, std::span<const uint16_t> groups) {
  encode_u16_list16(w, groups);
}

TlsError decode_supported_groups(U16List* groups, Bytes body) {
  return decode_u16_list16(groups, body, "supported_groups: bad list");
}

void encode_signature_algorithms(WireWriter& w, std::span<const uint16_t> schemes) {
  encode_u16_list16(w, schemes);
}

TlsError decode_signature_algorithms(U16List* schemes, Bytes body) {
  return decode_u16_list16(schemes, body, "signature_algorithms: bad list");
}

void encode_key_share_ch(WireWriter& w, std::span<const KeyShareEntry> shares) {
  const size_t list = w.begin_vec16();
  for (const KeyShareEntry& e : shares) write_key_share_entry(w, e);
  w.end_vec(list);
}

TlsError decode_key_share_ch(std::vector<KeyShareEntry>* shares, Bytes body) {
  shares->clear();
  WireReader r(body);
  Bytes list;
  if (!r.vec16(&list) || !r.empty()) return decode_error("key_share: bad length");
  // One bit per group value (see decode_extensions).
  std::bitset<65536> seen;
  WireReader entries(list);
  while (!entries.empty()) {
    KeyShareEntry e;
    if (!read_key_share_entry(entries, &e)) {
      shares->clear();
      return decode_error("key_share: bad entry");
    }
    // §4.2.8: "Clients MUST NOT offer multiple KeyShareEntry values for the same group".
    if (seen.test(e.group)) {
      shares->clear();
      return illegal_parameter("key_share: two shares of one group");
    }
    seen.set(e.group);
    shares->push_back(e);
  }
  return kTlsOk;
}

void encode_key_share_sh(WireWriter& w, const KeyShareEntry& share) {
  write_key_share_entry(w, share);
}

TlsError decode_key_share_sh(KeyShareEntry* share, Bytes body) {
  WireReader r(body);
  if (!read_key_share_entry(r, share) || !r.empty()) return decode_error("key_share: bad entry");
  return kTlsOk;
}

void encode_key_share_hrr(WireWriter& w, uint16_t group) { w.u16(group); }

TlsError decode_key_share_hrr(uint16_t* group, Bytes body) {
  return decode_single(group, body, &WireReader::u16, "key_share: bad length");
}

void encode_alpn(WireWriter& w, std::span<const Bytes> names) {
  const size_t list = w.begin_vec16();
  for (const Bytes name : names) w.vec8(name);
  w.end_vec(list);
}

TlsError decode_alpn_ch(std::vector<Bytes>* names, Bytes body) {
  names->clear();
  WireReader r(body);
  Bytes list;
  if (!r.vec16(&list) || !r.empty() || list.empty()) return decode_error("alpn: bad list");
  WireReader entries(list);
  while (!entries.empty()) {
    Bytes name;
    if (!entries.vec8(&name) || name.empty()) {
      names->clear();
      return decode_error("alpn: bad protocol name");
    }
    names->push_back(name);
  }
  return kTlsOk;
}

void encode_alpn_ee(WireWriter& w, Bytes name) { encode_alpn(w, std::span<const Bytes>(&name, 1)); }

TlsError decode_alpn_ee(Bytes* name, Bytes body) {
  WireReader r(body);
  Bytes list;
  if (!r.vec16(&list) || !r.empty()) return decode_error("alpn: bad list");
  WireReader entries(list);
  Bytes one;
  if (!entries.vec8(&one) || one.empty() || !entries.empty()) {
    return decode_error("alpn: the server must select exactly one protocol");
  }
  *name = one;
  return kTlsOk;
}

void encode_record_size_limit(WireWriter& w, uint16_t limit) { w.u16(limit); }

TlsError decode_record_size_limit(uint16_t* limit, Bytes body) {
  uint16_t v = 0;
  if (TlsError e = decode_single(&v, body, &WireReader::u16, "record_size_limit: bad length");
      !e.ok()) {
    return e;
  }
  if (v < kMinRecordSizeLimit) return illegal_parameter("record_size_limit: below 64");
  *limit = v;
  return kTlsOk;
}

void encode_cookie(WireWriter& w, Bytes cookie) { w.vec16(cookie); }

TlsError decode_cookie(Bytes* cookie, Bytes body) {
  WireReader r(body);
  Bytes c;
  if (!r.vec16(&c) || !r.empty() || c.empty()) return decode_error("cookie: bad length");
  *cookie = c;
  return kTlsOk;
}

void encode_psk_key_exchange_modes(WireWriter& w, Bytes modes) { w.vec8(modes); }

TlsError decode_psk_key_exchange_modes(Bytes* modes, Bytes body) {
  WireReader r(body);
  Bytes m;
  if (!r.vec8(&m) || !r.empty() || m.empty()) {
    return decode_error("psk_key_exchange_modes: bad list");
  }
  *modes = m;
  return kTlsOk;
}

void encode_early_data_nst(WireWriter& w, uint32_t max_early_data_size) {
  w.u32(max_early_data_size);
}

TlsError decode_early_data_nst(uint32_t* max_early_data_size, Bytes body) {
  return decode_single(max_early_data_size, body, &WireReader::u32, "early_data: bad length");
}

void encode_pre_shared_key_ch(WireWriter& w, const OfferedPsks& psks) {
  const size_t identities = w.begin_vec16();
  for (const PskIdentity& id : psks.identities) {
    w.vec16(id.identity);
    w.u32(id.obfuscated_ticket_age);
  }
  w.end_vec(identities);
  const size_t binders = w.begin_vec16();
  for (const Bytes b : psks.binders) w.vec8(b);
  w.end_vec(binders);
}

TlsError decode_pre_shared_key_ch(OfferedPsks* psks, Bytes body) {
  psks->identities.clear();
  psks->binders.clear();
  WireReader r(body);
  Bytes identities, binders;
  if (!r.vec16(&identities) || !r.vec16(&binders) || !r.empty()) {
    return decode_error("pre_shared_key: bad length");
  }
  OfferedPsks out;
  for (WireReader ids(identities); !ids.empty();) {
    PskIdentity id;
    if (!ids.vec16(&id.identity) || id.identity.empty() || !ids.u32(&id.obfuscated_ticket_age)) {
      return decode_error("pre_shared_key: bad identity");
    }
    out.identities.push_back(id);
  }
  for (WireReader bs(binders); !bs.empty();) {
    Bytes b;
    if (!bs.vec8(&b) || b.size() < kMinPskBinderLen) {
      return decode_error("pre_shared_key: bad binder");
    }
    out.binders.push_back(b);
  }
  if (out.identities.empty() || out.identities.size() != out.binders.size()) {
    // §4.2.11: identities<7..2^16-1>, binders<33..2^16-1>, one binder per identity.
    return decode_error("pre_shared_key: identities and binders do not match");
  }
  *psks = std::move(out);
  return kTlsOk;
}

size_t pre_shared_key_binders_len(const OfferedPsks& psks) noexcept {
  size_t len = 2;
  for (const Bytes b : psks.binders) len += 1 + b.size();
  return len;
}

void encode_pre_shared_key_sh(WireWriter& w, uint16_t selected_identity) {
  w.u16(selected_identity);
}

TlsError decode_pre_shared_key_sh(uint16_t* selected_identity, Bytes body) {
  return decode_single(selected_identity, body, &WireReader::u16, "pre_shared_key: bad length");
}

}  // namespace volley::tls
