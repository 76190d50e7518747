// Internals of the record layer that benchmarks and tests may reach, and the framing rules the
// reader and the protected-record opener share. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "volley/record.h"
#include "volley/record_reader.h"

namespace volley::record_internal {

// RecordProtectionAccess reaches what the public API hides: the AEAD key under the record layer
// (benchmarks compare the two) and an unchecked sequence number, which may move backwards. Reusing
// a sequence number reuses a nonce: only benchmarks that re-seal the same records and tests may
// call set_sequence.
struct RecordProtectionAccess {
  static const AeadKey& aead_key(const RecordProtection& rp) noexcept { return rp.key_; }
  static void set_sequence(RecordProtection& rp, uint64_t seq) noexcept { rp.seq_ = seq; }
  // lower_usage_limit makes an AES-GCM key of |rp| good for |records| records instead of 2^24.5
  // (RFC 8446 §5.5), from now on and across rekeys, so that a test reaches the limit, and the
  // KeyUpdates it forces, within seconds. UINT64_MAX restores the suite's limit; a value above
  // the suite's has no effect, and ChaCha20-Poly1305, which has no usage limit, ignores it.
  static void lower_usage_limit(RecordProtection& rp, uint64_t records) noexcept {
    rp.test_limit_ = records;
  }
};

// RecordReaderAccess reaches a reader's record protection, for RecordProtectionAccess.
struct RecordReaderAccess {
  static RecordProtection& protection(RecordReader& reader) noexcept { return reader.protection_; }
};

// install_keys is what RecordReader::install_keys and RecordWriter::install_keys do to their
// protection: within the suite in use and without a backend named, a rekey (the backend kept);
// otherwise a fresh init.
inline Status install_keys(RecordProtection& rp, const CipherSuite& suite, const TrafficKeys& keys,
                           std::string_view backend) noexcept {
  if (backend.empty() && rp.initialized() && &rp.suite() == &suite) return rp.rekey(keys);
  return rp.init(suite, keys, backend);
}

// RecordHeader is the 5-byte header every TLS record starts with (RFC 8446 §5.1):
// ContentType type, ProtocolVersion legacy_record_version, uint16 length.
struct RecordHeader {
  uint8_t type;
  uint16_t version;
  size_t length;
};

// read_header decodes the header at |p| (kRecordHeaderLen bytes must be readable).
inline RecordHeader read_header(const uint8_t* p) noexcept {
  return {p[0], static_cast<uint16_t>(p[1] << 8 | p[2]), size_t{p[3]} << 8 | p[4]};
}

// write_header encodes a header at |p|.
inline void write_header(uint8_t* p, ContentType type, uint16_t version, size_t length) noexcept {
  p[0] = static_cast<uint8_t>(type);
  p[1] = static_cast<uint8_t>(version >> 8);
  p[2] = static_cast<uint8_t>(version);
  p[3] = static_cast<uint8_t>(length >> 8);
  p[4] = static_cast<uint8_t>(length);
}

// kTls12Version is legacy_record_version on every record volley sends but a first ClientHello's
// (RFC 8446 §5.1).
inline constexpr uint16_t kTls12Version = 0x0303;

// ContentCheck is the verdict on a record's content type and length, plaintext or decrypted.
struct ContentCheck {
  bool ok;
  AlertDescription alert;
};

// check_content applies RFC 8446 §5.1 and §6 to a record of |type| with |len| bytes of content:
// only alert, handshake and application_data records carry content (change_cipher_spec is the
// reader's business before this); handshake and alert records are never empty (unexpected_message,
// §5.1: "Implementations MUST NOT send zero-length fragments of Handshake types", and §5.4: alerts
// likewise); an alert record holds exactly one alert, two bytes (decode_error otherwise).
inline ContentCheck check_content(uint8_t type, size_t len) noexcept {
  switch (static_cast<ContentType>(type)) {
    case ContentType::kApplicationData:
      return {true, AlertDescription::kCloseNotify};
    case ContentType::kHandshake:
      if (len == 0) return {false, AlertDescription::kUnexpectedMessage};
      return {true, AlertDescription::kCloseNotify};
    case ContentType::kAlert:
      if (len == 0) return {false, AlertDescription::kUnexpectedMessage};
      if (len != kAlertLen) return {false, AlertDescription::kDecodeError};
      return {true, AlertDescription::kCloseNotify};
    default:
      return {false, AlertDescription::kUnexpectedMessage};
  }
}

}  // namespace volley::record_internal
