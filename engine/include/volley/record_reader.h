// volley/record_reader.h: the receiving side of a TLS 1.3 connection's record layer (RFC 8446 §5).
//
// A RecordReader frames every record a peer sends, whatever its type: before keys are installed it
// passes plaintext handshake and alert records through (TLSPlaintext, §5.1); it drops the one
// change_cipher_spec record of middlebox compatibility mode (§5, Appendix D.4) while the handshake
// allows it; once keys are installed it opens protected records (TLSCiphertext, §5.2) in batches
// through its RecordProtection. It returns to the caller after every record that is not
// application_data, so that the caller can act on it — process a handshake message, install the
// next keys after the peer's Finished or a KeyUpdate — before the next record is opened: records
// under the next key that follow in the same buffer are left for the next call, untouched.
//
//   volley::RecordReader reader;                     // plaintext: expects ServerHello
//   reader.allow_change_cipher_spec(true);           // the handshake has begun
//   volley::OpenedRecord recs[32];
//   volley::ReadResult r = reader.read(recs, stream);   // ... a ServerHello record
//   reader.install_keys(suite, server_handshake_keys);  // then protected records
//
// Every failure is a ReadResult with status kAlert and the alert RFC 8446 names; the reader is then
// dead and returns the same failure on every later call.
//
// Threads: a RecordReader is mutable; use it from one thread at a time. Allocation: none.
// Secrets: those of its RecordProtection (see volley/record.h). Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/alert.h"
#include "volley/bytes.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/status.h"

namespace volley {
namespace record_internal {
struct RecordReaderAccess;
}

class RecordReader {
 public:
  RecordReader() = default;
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // install_keys makes every following record a protected one, under |keys| of |suite| (from the
  // key schedule: traffic_keys()), with sequence number 0. Called at each key change of this
  // direction: handshake keys, application keys, each KeyUpdate. With an empty |backend|, a change
  // within the same suite keeps the AEAD backend of the keys it replaces (a forced backend stays
  // forced); otherwise |backend| is as for RecordProtection::init. The record size limit is kept.
  // Errors: those of RecordProtection::init; the reader is then dead.
  [[nodiscard]] Status install_keys(const CipherSuite& suite, const TrafficKeys& keys,
                                    std::string_view backend = {}) noexcept;

  // allow_change_cipher_spec opens (true) or closes (false) the window in which one
  // change_cipher_spec record of the single byte 0x01, unprotected, is dropped (RFC 8446 §5: after
  // the first ClientHello is sent or received, until the peer's Finished is received). Outside the
  // window, a second one inside it, any other value or a protected one: unexpected_message.
  void allow_change_cipher_spec(bool allowed) noexcept { ccs_allowed_ = allowed; }

  // read frames the records at the start of |stream| and opens them in place: plaintext records'
  // content is left where it is, protected records' content is decrypted where its ciphertext was,
  // and records[i].content points into |stream|. At most records.size() records are returned. See
  // ReadResult (volley/record.h) for what is consumed and reported. Rules (RFC 8446 §5):
  //   - legacy_record_version is ignored (§5.1: "MUST be ignored for all purposes");
  //   - a record type the reader does not expect at this point, assigned or not, is
  //     unexpected_message (§5): application_data before keys, plaintext handshake or alert after
  //     them, change_cipher_spec outside its window, any other value always;
  //   - a plaintext record over 2^14 bytes, or a protected one over 2^14 + 256 or whose inner
  //     plaintext exceeds the record size limit, is record_overflow (§5.1, §5.2, RFC 8449);
  //   - a record that fails authentication, or is shorter than a tag, is bad_record_mac (§5.2);
  //   - an empty handshake or alert record, or a protected record whose inner type is not alert,
  //     handshake or application_data, is unexpected_message; an alert record that is not exactly
  //     one alert (two bytes) is decode_error (§5.1, §5.4, §6).
  [[nodiscard]] ReadResult read(std::span<OpenedRecord> records, MutableBytes stream) noexcept;

  // read, writing content into |out| instead, which must not overlap |stream| (kBadAliasing).
  // The content of a record that starts at offset k of |stream| is written at offset k + 5 of
  // |out|; records that do not fit in |out| are left for the next call (kOutputTooSmall when not
  // even the first one fits). |stream| is not modified.
  [[nodiscard]] ReadResult read(std::span<OpenedRecord> records, MutableBytes out,
                                Bytes stream) noexcept;

  // set_record_size_limit applies this endpoint's record_size_limit (RFC 8449) to protected
  // records, as RecordProtection::set_record_size_limit does.
  [[nodiscard]] Status set_record_size_limit(size_t limit) noexcept {
    return protection_.set_record_size_limit(limit);
  }

  // advance_sequence moves the receive sequence number forward, as
  // RecordProtection::advance_sequence does (to open a record of a capture).
  [[nodiscard]] Status advance_sequence(uint64_t seq) noexcept {
    return protection_.advance_sequence(seq);
  }

  bool keys_installed() const noexcept { return protection_.initialized(); }
  // failed reports that a record failed and the reader is dead.
  bool failed() const noexcept { return failure_.status != RecordStatus::kOk; }
  // protection is the reader's record protection: suite, backend, sequence number, limits.
  const RecordProtection& protection() const noexcept { return protection_; }

 private:
  friend struct record_internal::RecordReaderAccess;

  ReadResult read_impl(const uint8_t* stream, size_t stream_len, uint8_t* out,
                       size_t out_len, std::span<OpenedRecord> records) noexcept;
  ReadResult fail(ReadResult r, AlertDescription alert) noexcept;

  RecordProtection protection_;
  bool ccs_allowed_ = false;
  bool ccs_dropped_ = false;
  ReadResult failure_;  // status kOk until a record fails; then the failure, for every call
};

}  // namespace volley
