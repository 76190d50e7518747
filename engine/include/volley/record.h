// volley/record.h: TLS 1.3 record protection (RFC 8446 §5), batched.
//
// A RecordProtection protects one direction of one connection: it owns the traffic key, the
// per-record nonce derivation (iv XOR sequence number, §5.3), the 64-bit sequence number and the
// key's usage limit (§5.5). It seals TLSInnerPlaintext = content || content type || zero padding
// into complete TLSCiphertext records (5-byte header, encrypted inner plaintext, 16-byte tag), and
// opens a received byte stream into records.
//
// Batching is the point: seal_batch() seals many records of one connection, seal_records() many
// records of many connections, and open() every complete record in a buffer, each in one call. The
// AEAD kernels interleave independent records (several records' AES counter blocks in one wide
// register, ChaCha20 lanes carrying different records), so small records cost close to what the
// same bytes cost in one large record.
//
//   volley::RecordProtection tx;
//   tx.init_from_secret(volley::kTlsAes128GcmSha256, client_application_traffic_secret_0);
//   volley::SealEntry e[32] = ...;  // type, payload pieces, output buffer each
//   volley::RecordStatus st;
//   size_t n = tx.seal_batch(e, &st);  // e[i].written bytes of record i are in e[i].out
//
// Threads: a RecordProtection is a mutable object (its sequence number advances); use it from one
// thread at a time. Different RecordProtection objects are independent.
// Allocation: none. Secrets: keys, iv and traffic secret are wiped on destruction and on re-init.
// Errors are RecordStatus values; nothing here throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "volley/aead.h"
#include "volley/cipher_suite.h"
#include "volley/status.h"

namespace volley {

struct MultiSealEntry;

// ContentType is the TLS 1.3 content type (RFC 8446 §5.1).
enum class ContentType : uint8_t {
  kInvalid = 0,
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
};

// AlertDescription is the TLS alert a failed record maps to (RFC 8446 §6.2).
enum class AlertDescription : uint8_t {
  kNone = 0,
  kUnexpectedMessage = 10,  // the inner plaintext has no non-zero content type
  kBadRecordMac = 20,       // authentication failed
  kRecordOverflow = 22,     // ciphertext > 2^14 + 256, or inner plaintext over the limit
  kDecodeError = 50,        // malformed record header
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
  kNeedMoreData,       // open: the stream ends inside a record header or body
  kAlert,              // open: a record failed; OpenResult::alert says which alert to send
  kKeyUpdateRequired,  // seal: this key reached its usage limit (RFC 8446 §5.5); update keys
  kSequenceExhausted,  // the sequence number would wrap: the connection must end
  kRecordTooLarge,     // seal: content + type + padding exceeds the record size limit
  kOutputTooSmall,     // seal: the output buffer cannot hold the record
  kBadAliasing,        // input and output overlap without being exactly in place
  kInvalidContentType, // seal: content type 0, which the receiver could not tell from padding
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

// OpenedRecord is one record opened by RecordProtection::open(): its content type and its content
// (type and padding removed), which lies in the output buffer given to open().
struct OpenedRecord {
  ContentType type = ContentType::kInvalid;
  MutableBytes content;
};

// OpenResult tells what open() did. |records| records were opened (and the sequence number
// advanced by as many); they occupied the first |consumed| bytes of the stream. |status| is kOk when
// open() stopped because the stream or the |records| array was used up, kNeedMoreData when the
// stream ends inside a record (that partial record is not consumed), kAlert when a record failed
// (|alert| says why; that record and all after it are left unprocessed and unconsumed, except that
// the failed record's output bytes are zeroed).
struct OpenResult {
  RecordStatus status = RecordStatus::kOk;
  AlertDescription alert = AlertDescription::kNone;
  size_t records = 0;
  size_t consumed = 0;
};

class RecordProtection {
 public:
  RecordProtection() = default;
  ~RecordProtection();
  RecordProtection(const RecordProtection&) = delete;
  RecordProtection& operator=(const RecordProtection&) = delete;

  // init sets up record protection with a traffic |key| (suite.key_len bytes) and |iv| (12
  // bytes), sequence number 0, on |backend| or the best AEAD backend. Without a traffic secret,
  // update_keys() is unavailable. Errors: kBadKeyLength, kBadNonceLength (iv), backend errors.
  [[nodiscard]] Status init(const CipherSuite& suite, Bytes key, Bytes iv,
                            std::string_view backend = {}) noexcept;

  // init_from_secret derives key = HKDF-Expand-Label(secret, "key", "", key_len) and
  // iv = HKDF-Expand-Label(secret, "iv", "", 12) (RFC 8446 §7.3) and keeps |traffic_secret| for
  // KeyUpdate. Errors: kBadKeyLength unless traffic_secret.size() == suite.hash_len.
  [[nodiscard]] Status init_from_secret(const CipherSuite& suite, Bytes traffic_secret,
                                        std::string_view backend = {}) noexcept;

  // update_keys moves to the next traffic secret, HKDF-Expand-Label(secret, "traffic upd", "",
  // hash_len) (RFC 8446 §7.2), derives its key and iv, and resets the sequence number to 0.
  // Errors: kNotInitialized unless set up with init_from_secret().
  [[nodiscard]] Status update_keys() noexcept;

  bool initialized() const noexcept { return suite_ != nullptr; }
  const CipherSuite& suite() const noexcept { return *suite_; }
  std::string_view backend_name() const noexcept { return key_.backend_name(); }

  // sequence is the sequence number the next record will use.
  uint64_t sequence() const noexcept { return seq_; }
  // set_sequence sets it, e.g. to resume from a capture (volley record --seq).
  void set_sequence(uint64_t seq) noexcept { seq_ = seq; }

  // key_update_recommended reports that this key is close to its usage limit (RFC 8446 §5.5: 2^24.5
  // records for AES-GCM): the caller should send a KeyUpdate and call update_keys() soon. seal()
  // refuses with kKeyUpdateRequired once the limit itself is reached.
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
  // at the first entry that cannot be sealed: returns how many were sealed and sets |*status| to
  // kOk or to the reason the next one could not be (nothing is written for it, and the sequence
  // number stays at the first unsealed record).
  [[nodiscard]] size_t seal_batch(std::span<SealEntry> entries, RecordStatus* status) noexcept;

  // open opens the records at the start of |stream| in place: each record's content is decrypted
  // where its ciphertext was, and records[i].content points into |stream|. At most
  // records.size() records are opened. See OpenResult for what is consumed and reported.
  [[nodiscard]] OpenResult open(MutableBytes stream, std::span<OpenedRecord> records) noexcept;

  // open, decrypting into |out| instead, which must not overlap |stream| (kBadAliasing). The
  // content of a record that starts at offset k of |stream| is written at offset k + 5 of |out|;
  // |out| must be at least as long as the part of |stream| that is opened (records whose
  // ciphertext does not fit in |out| are left for the next call). |stream| is not modified.
  [[nodiscard]] OpenResult open(Bytes stream, MutableBytes out,
                                std::span<OpenedRecord> records) noexcept;

  // Internal: the AEAD key of the current traffic key, for benchmarks that compare the record
  // layer with the kernel underneath it.
  const AeadKey& aead_key() const noexcept { return key_; }

 private:
  friend class RecordBatchSealer;

  Status set_traffic_key(Bytes key, Bytes iv, std::string_view backend) noexcept;
  Status derive_from_secret(std::string_view backend) noexcept;
  OpenResult open_impl(const uint8_t* stream, size_t stream_len, uint8_t* out, size_t out_len,
                       std::span<OpenedRecord> records) noexcept;
  void wipe() noexcept;

  AeadKey key_;
  const CipherSuite* suite_ = nullptr;
  uint8_t iv_[12] = {};
  uint8_t secret_[64] = {};
  bool has_secret_ = false;
  uint64_t seq_ = 0;
  size_t inner_limit_ = kMaxInnerPlaintextLen;
  PaddingPolicy padding_;
};

// MultiSealEntry is one record of seal_records(): which connection it belongs to, and the record.
struct MultiSealEntry {
  RecordProtection* connection;
  SealEntry record;
};

// seal_records seals records of many connections (different keys, suites may differ) in one call,
// interleaving them in the AEAD kernels. Records of the same connection get consecutive sequence
// numbers in the order they appear. Stops at the first record that cannot be sealed, like
// RecordProtection::seal_batch: returns how many were sealed, |*status| says why it stopped.
[[nodiscard]] size_t seal_records(std::span<MultiSealEntry> entries, RecordStatus* status) noexcept;

}  // namespace volley
