// handshake/messages/extension_bodies.h: the bodies of the extensions TLS 1.3 uses (RFC 8446
// §4.2.x, RFC 6066 §3, RFC 7301 §3.1, RFC 8449 §4).
//
// Encoders write only the extension's body (the extension_data of an Extension) to a WireWriter;
// a value too long for its length prefix makes the writer fail (ok() false). Decoders take the
// body, check every length and every rule the RFC states about the encoding (non-empty lists,
// even lengths, no trailing bytes), and fill views into it; they return decode_error, or
// illegal_parameter where the RFC names it. What a body means for the handshake (is this group
// offered, is this version acceptable) is the state machine's business. Threads: pure functions.
// Nothing throws except bad_alloc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "handshake/wire/wire_writer.h"
#include "volley/bytes.h"
#include "volley/tls_error.h"

namespace volley::tls {

// kTls13 is TLS 1.3's value in supported_versions (RFC 8446 §4.2.1).
inline constexpr uint16_t kTls13 = 0x0304;

// U16List views a list of big-endian u16 values (groups, signature schemes, versions, cipher
// suites) where it lies in the message; the decoders guarantee an even length.
struct U16List {
  Bytes bytes;

  size_t size() const noexcept { return bytes.size() / 2; }
  uint16_t operator[](size_t i) const noexcept {
    return static_cast<uint16_t>(bytes[2 * i] << 8 | bytes[2 * i + 1]);
  }
  // to_vector copies the values out (for an encoder, or a comparison).
  std::vector<uint16_t> to_vector() const;
};

struct KeyShareEntry {
  uint16_t group = 0;
  Bytes key_exchange;
};

// server_name in a ClientHello (RFC 6066 §3): a list of exactly one entry, of type host_name, not
// empty. Another name type is illegal_parameter. In EncryptedExtensions the body is empty
// (decode_empty_body).
void encode_server_name_ch(WireWriter& w, Bytes host_name);
[[nodiscard]] TlsError decode_server_name_ch(Bytes* host_name, Bytes body);

// decode_empty_body accepts only an empty body: server_name in EncryptedExtensions, early_data in
// ClientHello and EncryptedExtensions, post_handshake_auth.
[[nodiscard]] TlsError decode_empty_body(Bytes body);

// supported_versions (§4.2.1): in a ClientHello a u8-prefixed list of 1 to 127 versions; in a
// ServerHello or HelloRetryRequest the one selected.
void encode_supported_versions_ch(WireWriter& w, std::span<const uint16_t> versions);
[[nodiscard]] TlsError decode_supported_versions_ch(U16List* versions, Bytes body);
void encode_supported_versions_sh(WireWriter& w, uint16_t version);
[[nodiscard]] TlsError decode_supported_versions_sh(uint16_t* version, Bytes body);

// supported_groups (§4.2.7) and signature_algorithms (§4.2.3; signature_algorithms_cert has the
// same body): a u16-prefixed, non-empty list of u16 values.
void encode_supported_groups(WireWriter& w, std::span<const uint16_t> groups);
[[nodiscard]] TlsError decode_supported_groups(U16List* groups, Bytes body);
void encode_signature_algorithms(WireWriter& w, std::span<const uint16_t> schemes);
[[nodiscard]] TlsError decode_signature_algorithms(U16List* schemes, Bytes body);

// key_share (§4.2.8): the client's list (possibly empty, to ask for a HelloRetryRequest; two
// shares of one group are illegal_parameter), the server's one share, or in a HelloRetryRequest
// the group it selects. An empty key_exchange is decode_error.
void encode_key_share_ch(WireWriter& w, std::span<const KeyShareEntry> shares);
[[nodiscard]] TlsError decode_key_share_ch(std::vector<KeyShareEntry>* shares, Bytes body);
void encode_key_share_sh(WireWriter& w, const KeyShareEntry& share);
[[nodiscard]] TlsError decode_key_share_sh(KeyShareEntry* share, Bytes body);
void encode_key_share_hrr(WireWriter& w, uint16_t group);
[[nodiscard]] TlsError decode_key_share_hrr(uint16_t* group, Bytes body);

// application_layer_protocol_negotiation (RFC 7301 §3.1): the client's non-empty list of
// non-empty names; the server's list of exactly one.
void encode_alpn(WireWriter& w, std::span<const Bytes> names);
[[nodiscard]] TlsError decode_alpn_ch(std::vector<Bytes>* names, Bytes body);
void encode_alpn_ee(WireWriter& w, Bytes name);
[[nodiscard]] TlsError decode_alpn_ee(Bytes* name, Bytes body);

// record_size_limit (RFC 8449 §4): a u16; below 64 is illegal_parameter.
inline constexpr uint16_t kMinRecordSizeLimit = 64;
void encode_record_size_limit(WireWriter& w, uint16_t limit);
[[nodiscard]] TlsError decode_record_size_limit(uint16_t* limit, Bytes body);

// cookie (§4.2.2): a non-empty u16-prefixed opaque value.
void encode_cookie(WireWriter& w, Bytes cookie);
[[nodiscard]] TlsError decode_cookie(Bytes* cookie, Bytes body);

// psk_key_exchange_modes (§4.2.9): a non-empty u8-prefixed list of modes, one byte each. Unknown
// modes are kept (the server ignores them).
enum class PskKeyExchangeMode : uint8_t { kPskKe = 0, kPskDheKe = 1 };
void encode_psk_key_exchange_modes(WireWriter& w, Bytes modes);
[[nodiscard]] TlsError decode_psk_key_exchange_modes(Bytes* modes, Bytes body);

// early_data in a NewSessionTicket (§4.2.10): max_early_data_size.
void encode_early_data_nst(WireWriter& w, uint32_t max_early_data_size);
[[nodiscard]] TlsError decode_early_data_nst(uint32_t* max_early_data_size, Bytes body);

// pre_shared_key (§4.2.11). The client offers identities (each non-empty) and as many binders
// (each 32 to 255 bytes); the server selects one by index.
struct PskIdentity {
  Bytes identity;
  uint32_t obfuscated_ticket_age = 0;
};
struct OfferedPsks {
  std::vector<PskIdentity> identities;
  std::vector<Bytes> binders;
};
inline constexpr size_t kMinPskBinderLen = 32;
void encode_pre_shared_key_ch(WireWriter& w, const OfferedPsks& psks);
[[nodiscard]] TlsError decode_pre_shared_key_ch(OfferedPsks* psks, Bytes body);
// pre_shared_key_binders_len is the length of the binders list at the end of a ClientHello that
// offers |psks|, its u16 prefix included: the bytes the binder hash leaves out (§4.2.11.2).
size_t pre_shared_key_binders_len(const OfferedPsks& psks) noexcept;
void encode_pre_shared_key_sh(WireWriter& w, uint16_t selected_identity);
[[nodiscard]] TlsError decode_pre_shared_key_sh(uint16_t* selected_identity, Bytes body);

}  // namespace volley::tls
