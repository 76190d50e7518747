// volley/record.h: TLS 1.3 record protection (RFC 8446 §5), batched.
//
// A RecordProtection protects one direction of one connection: it holds the traffic key and iv of
// the current epoch (from the key schedule, volley/key_schedule.h, which owns every secret), the
// per-record nonce derivation (iv XOR sequence number, §5.3), the 64-bit sequence number and the
// key's usage limit (§5.5). It seals TLSInnerPlaintext = content || content type || zero padding
// into complete TLSCiphertext records (5-byte header, encrypted inner plaintext, 16-byte tag).
// Records are read through volley/record_reader.h, which frames every record (plaintext ones, the
// change_cipher_spec record) and opens protected ones with the reader's RecordProtection;
// volley/record_writer.h writes plaintext records, alerts and handshake messages.
//
// Batching is the point: seal_batch() seals many records of one connection, seal_records() many
// records of many connections, and RecordReader::read() opens every complete record in a buffer,
// each in one call. The AEAD kernels interleave independent records (several records' AES counter
// blocks in one wide register, ChaCha20 lanes carrying different records), so small records cost
// close to what the same bytes cost in one large record.
//
//   volley::TrafficKeys keys;
//   volley::traffic_keys(suite, &keys, client_application_traffic_secret_0);
//   volley::RecordProtection tx;
//   tx.init(suite, keys);
//   volley::SealEntry e[32] = ...;  // type, payload pieces, output buffer each
//   volley::SealResult r = tx.seal_batch(e);  // r.sealed records; e[i].written bytes in e[i].out
//
// Threads: a RecordProtection is a mutable object (its sequence number advances); use it from one
// thread at a time. Different RecordProtection objects are independent.
// Allocation: none. Secrets: the key and iv are wiped on destruction, on re-init and on any failed
// init or rekey; no traffic secret is kept.
// Errors are RecordStatus values; nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/aead.h"
#include "volley/alert.h"
#include "volley/cipher_suite.h"
#include "volley/key_schedule.h"
#include "volley/status.h"

namespace volley {

struct MultiSealEntry;
class RecordReader;
namespace record_internal {
struct RecordProtectionAccess;
}

// ContentType is the TLS record content type (RFC 8446 §5.1).
enum class ContentType : uint8_t {
  kInvalid = 0,
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
};

inline constexpr size_t kRecordHeaderLen = 5;
inline constexpr size_t kRecordTagLen = 16;
inline constexpr size_t kMaxPlaintextLen = 1 << 14;                 // content, RFC 8446 §5.1
inline constexpr size_t kMaxInnerPlaintextLen = kMaxPlaintextLen + 1;  // content + type + padding
inline constexpr size_t kMaxCiphertextLen = kMaxPlaintextLen + 256;   // RFC 8446 §5.2
// kMaxRecordLen is the largest TLSCiphertext on the wire volley accepts, header included.
inline constexpr size_t kMaxRecordLen = kRecordHeaderLen + kMaxCiphertextLen;

enum class RecordStatus : uint8_t {
  kOk = 0,
  kNeedMoreData,       // read: the stream ends inside a record header or body
  kAlert,              // read: a record failed; ReadResult::alert says which alert to send
  kKeyUpdateRequired,  // seal: this key reached its usage limit (RFC 8446 §5.5); update keys
  kSequenceExhausted,  // the sequence number would wrap: the connection must end
  kRecordTooLarge,     // seal: content + type + padding exceeds the record size limit
  kOutputTooSmall,     // the output buffer cannot hold the (first) record
  kBadAliasing,        // input and output overlap without being exactly in place
  kInvalidContentType, // seal: a type that may not be protected (only 21, 22, 23 may), or an
                       // empty handshake or alert record (RFC 8446 §5.1, §5.4)
  kNotInitialized,
};

std::string_view record_status_name(RecordStatus s);

// kPolicyPadding asks for the connection's PaddingPolicy instead of an explicit padding length.
inline constexpr size_t kPolicyPadding = SIZE_MAX;

// PaddingPolicy chooses the zero padding of records sealed with kPolicyPadding: the inner
// plaintext (content + content type) is padded up to a multiple of |block| bytes (0 or 1: no
// padding), never beyond the record size limit.
struct PaddingPolicy {
  size_t block = 0;
};

// SealEntry describes one record to seal. |payload| is the content, as pieces read in order. Each
// piece is either exactly in place (where its bytes go in the record: piece 0 at out.data() + 5)
// or disjoint from |out|. The |out| buffers of the entries of one batch must not overlap each
// other, and no piece may overlap another entry's |out|: a batch reads payloads where they are,
// possibly after sealing other records. |padding| is the number of zero bytes after the content
// type, or kPolicyPadding. On success |written| is the size of the whole record, which starts
// at out.data().
struct SealEntry {
  ContentType type = ContentType::kApplicationData;
  Pieces payload;
  size_t padding = kPolicyPadding;
  MutableBytes out;
  size_t written = 0;
};

// OpenedRecord is one record returned by RecordReader::read(): its content type and its content
// (for a protected record, with the inner content type and padding removed), which lies in the
// stream (read in place) or in the output buffer given to read().
struct OpenedRecord {
  ContentType type = ContentType::kInvalid;
  MutableBytes content;
};

// SealResult tells what seal_batch() or seal_records() did: |sealed| entries were sealed, in order;
// |status| is kOk, or why the entry after them could not be.
struct SealResult {
  RecordStatus status = RecordStatus::kOk;
  size_t sealed = 0;
};

// ReadResult tells what RecordReader::read() did. |records| records were returned, occupying the
// first |consumed| bytes of the stream (with any change_cipher_spec record dropped among them).
// |status| is kOk when read() stopped because the stream or the records array was used up, because
// the output buffer had no room for the next record, or after a record that is not
// application_data (the caller acts on it, e.g. installs new keys, before reading on);
// kNeedMoreData when the stream ends inside a record (not consumed); kOutputTooSmall when the
// output buffer cannot hold even the first record; kSequenceExhausted; kAlert when a record failed:
// |alert| is the alert to send, that record and everything after it are left unconsumed, and the
// reader is dead (every later call returns the same failure).
struct ReadResult {
  RecordStatus status = RecordStatus::kOk;
  AlertDescription alert = AlertDescription::kCloseNotify;  // meaningful only with kAlert
  size_t records = 0;
  size_t consumed = 0;
};

class RecordProtection {
 public:
  RecordProtection() = default;
  ~RecordProtection();
  RecordProtection(const RecordProtection&) = delete;
  RecordProtection& operator=(const RecordProtection&) = delete;

  // init sets up record protection for |suite| with |keys| (derived by traffic_keys(),
  // volley/key_schedule.h), sequence number 0, on the AEAD backend called |backend| or on the best
  // one for this CPU. Errors: kBadKeyLength unless keys.key() is suite.key_len bytes; the backend
  // errors of AeadKey::init. On error the object is left uninitialised, any earlier key wiped.
  [[nodiscard]] Status init(const CipherSuite& suite, const TrafficKeys& keys,
                            std::string_view backend = {}) noexcept;

  // rekey installs the next keys of this direction for the same suite, on the same backend (a
  // forced backend stays forced), with the sequence number back at 0: a KeyUpdate (RFC 8446 §4.6.3,
  // keys from next_application_traffic_secret() then traffic_keys()), or the next epoch.
  // Errors: kNotInitialized, kBadKeyLength. On any error the object is wiped and uninitialised, as
  // a failed init() leaves it: nothing can be sealed or opened under a half-installed key.
  [[nodiscard]] Status rekey(const TrafficKeys& keys) noexcept;

  bool initialized() const noexcept { return suite_ != nullptr; }
  const CipherSuite& suite() const noexcept { return *suite_; }
  std::string_view backend_name() const noexcept { return key_.backend_name(); }

  // sequence is the sequence number the next record will use.
  uint64_t sequence() const noexcept { return seq_; }
  // advance_sequence moves the sequence number forward to |seq|, e.g. to open a record of a
  // capture (volley record --seq). kInvalidArgument if |seq| is below sequence(): a sequence number
  // is never used twice under one key (that would reuse a nonce). kNotInitialized before init().
  [[nodiscard]] Status advance_sequence(uint64_t seq) noexcept;

  // records_left is how many more records this key may protect before its usage limit (RFC 8446
  // §5.5: 2^24.5 records for AES-GCM; for ChaCha20-Poly1305 the sequence space, less its last
  // value, which is never used). 0 when uninitialised.
  uint64_t records_left() const noexcept;

  // key_update_recommended reports that this key is close to its usage limit (RFC 8446 §5.5: 2^24.5
  // records for AES-GCM): the caller should send a KeyUpdate and rekey() soon. seal() refuses with
  // kKeyUpdateRequired once the limit itself is reached.
  bool key_update_recommended() const noexcept;

  // set_record_size_limit applies a peer's record_size_limit (RFC 8449): the largest
  // TLSInnerPlaintext (content + type + padding) to send, or, on the receiving side, to accept.
  // Valid values are 64 .. 2^14 + 1 (kInvalidArgument otherwise).
  [[nodiscard]] Status set_record_size_limit(size_t limit) noexcept;
  size_t record_size_limit() const noexcept { return inner_limit_; }
  // max_content_len is the most content one record can carry: record_size_limit() - 1.
  size_t max_content_len() const noexcept { return inner_limit_ - 1; }

  void set_padding_policy(PaddingPolicy policy) noexcept { padding_ = policy; }
  // padding_for returns the padding the policy gives a record with |content_len| bytes of content.
  size_t padding_for(size_t content_len) const noexcept;

  // sealed_size is the size of a record with |content_len| bytes of content and |padding| zero
  // bytes of padding: 5 + content_len + 1 + padding + 16.
  static constexpr size_t sealed_size(size_t content_len, size_t padding) noexcept {
    return kRecordHeaderLen + content_len + 1 + padding + kRecordTagLen;
  }

  // seal seals one record (see SealEntry) with the next sequence number.
  [[nodiscard]] RecordStatus seal(SealEntry& entry) noexcept;

  // seal_batch seals |entries| in order, with consecutive sequence numbers, as one batch. It stops
  // at the first entry that cannot be sealed: the result says how many were sealed, and its status
  // is kOk or the reason the next one could not be (nothing is written for it, and the sequence
  // number stays at the first unsealed record).
  [[nodiscard]] SealResult seal_batch(std::span<SealEntry> entries) noexcept;

 private:
  friend class RecordBatchSealer;
  friend class RecordReader;
  friend struct record_internal::RecordProtectionAccess;

  // open_protected opens the run of TLSCiphertext records at the start of |stream| (see
  // record_open.cc); the reader frames everything else.
  ReadResult open_protected(const uint8_t* stream, size_t stream_len, uint8_t* out,
                            size_t out_len, std::span<OpenedRecord> records) noexcept;
  void wipe() noexcept;
  // records_per_key is the usage limit seal() applies (suite_ must be set): the suite's, or the
  // lower one a test set through record_internal.h.
  uint64_t records_per_key() const noexcept;

  AeadKey key_;
  const CipherSuite* suite_ = nullptr;
  uint8_t iv_[TrafficKeys::kIvSize] = {};
  uint64_t seq_ = 0;
  size_t inner_limit_ = kMaxInnerPlaintextLen;
  PaddingPolicy padding_;
  // test_limit_ lowers the AES-GCM usage limit so that tests reach it in thousands of records
  // (record_internal::RecordProtectionAccess::lower_usage_limit); UINT64_MAX: the suite's own.
  // Kept across init() and rekey(), as a property of the object, not of one key.
  uint64_t test_limit_ = UINT64_MAX;
};

// MultiSealEntry is one record of seal_records(): which connection it belongs to, and the record.
struct MultiSealEntry {
  RecordProtection* connection;
  SealEntry record;
};

// seal_records seals records of many connections (different keys, suites may differ) in one call,
// interleaving them in the AEAD kernels. Records of the same connection get consecutive sequence
// numbers in the order they appear. Stops at the first record that cannot be sealed, like
// RecordProtection::seal_batch, whose result it returns the same way.
[[nodiscard]] SealResult seal_records(std::span<MultiSealEntry> entries) noexcept;

}  // namespace volley
