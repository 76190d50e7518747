// volley/record_writer.h: the sending side of a TLS 1.3 connection's record layer (RFC 8446 §5)
// for everything but bulk application data: handshake messages (split into records), alerts and
// the change_cipher_spec record of middlebox compatibility mode (Appendix D.4). Before keys are
// installed they go out as TLSPlaintext records; after, as protected records through the writer's
// RecordProtection, which is also what application data is sealed with (protection().seal_batch(),
// or seal_records() across connections).
//
//   volley::RecordWriter writer;
//   writer.set_plaintext_version(0x0301);               // a client's first ClientHello
//   volley::WriteResult w = writer.write_handshake(out, client_hello);
//   writer.install_keys(suite, client_handshake_keys);  // then protected records
//
// Every write is whole or nothing: on error nothing is written and no sequence number is spent.
// Threads: a RecordWriter is mutable; use it from one thread at a time. Allocation: none.
// Secrets: those of its RecordProtection (see volley/record.h). Nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "volley/alert.h"
#include "volley/bytes.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/record.h"
#include "volley/status.h"

namespace volley {

// WriteResult is what a RecordWriter write did: |written| bytes of records at the start of the
// output buffer when |status| is kOk, none otherwise.
struct WriteResult {
  RecordStatus status = RecordStatus::kOk;
  size_t written = 0;
};

class RecordWriter {
 public:
  RecordWriter() = default;
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // install_keys protects every following record under |keys| of |suite|, sequence number 0, as
  // RecordReader::install_keys does for the other direction (an empty |backend| keeps the one of
  // the keys being replaced within a suite). Errors: those of RecordProtection::init, after which
  // nothing can be written until keys are installed successfully.
  [[nodiscard]] Status install_keys(const CipherSuite& suite, const TrafficKeys& keys,
                                    std::string_view backend = {}) noexcept;

  // set_plaintext_version sets legacy_record_version of the plaintext records written from now on:
  // 0x0303 by default; a client may send its first ClientHello with 0x0301 (RFC 8446 §5.1), as
  // many do for middleboxes that expect it.
  void set_plaintext_version(uint16_t version) noexcept { plaintext_version_ = version; }

  // handshake_size is the number of bytes write_handshake() writes for |message_len| bytes of
  // handshake messages in the current state (fragment headers, and once keys are installed the
  // content type, padding by the protection's policy and tags). 0 for an empty message.
  size_t handshake_size(size_t message_len) const noexcept;

  // write_handshake writes |messages| (one or more whole handshake messages) to |out| as handshake
  // records, each carrying at most 2^14 bytes (plaintext) or the record size limit less one
  // (protected). Errors: kInvalidContentType for an empty |messages| (RFC 8446 §5.1 forbids empty
  // handshake records); kOutputTooSmall if |out| is shorter than handshake_size(); once keys are
  // installed, kKeyUpdateRequired or kSequenceExhausted when the key cannot protect that many
  // records, kBadAliasing if |messages| overlaps |out|. Nothing is written on error.
  [[nodiscard]] WriteResult write_handshake(MutableBytes out, Bytes messages) noexcept;

  // write_alert writes one alert record, its level given by alert_level() (RFC 8446 §6): 7 bytes
  // plaintext, or protected (sealed_size(2, padding)). Errors as for write_handshake.
  [[nodiscard]] WriteResult write_alert(MutableBytes out, AlertDescription alert) noexcept;

  // write_change_cipher_spec writes the 6-byte change_cipher_spec record (type 20, the byte 0x01),
  // always unprotected (RFC 8446 §5, Appendix D.4). kOutputTooSmall if |out| is shorter.
  [[nodiscard]] WriteResult write_change_cipher_spec(MutableBytes out) noexcept;

  bool keys_installed() const noexcept { return protection_.initialized(); }
  // protection seals application data under the installed keys, and holds the sequence number,
  // limits and padding policy that the writes above use too.
  RecordProtection& protection() noexcept { return protection_; }
  const RecordProtection& protection() const noexcept { return protection_; }

 private:
  WriteResult write_plaintext(MutableBytes out, ContentType type, Bytes content) const noexcept;
  WriteResult write_protected(MutableBytes out, ContentType type, Bytes content) noexcept;

  RecordProtection protection_;
  uint16_t plaintext_version_ = 0x0303;
};

}  // namespace volley
