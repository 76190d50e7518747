// Sealing TLS 1.3 records in batches: RecordProtection::seal_batch (one connection), seal_records
// (many connections) and the RecordBatchSealer both are built on.
//
// At 64-byte records the AEAD kernel spends about 22 cycles per record when it interleaves a batch,
// so everything here is per-record overhead of the same order: the common case (one payload piece,
// no padding policy) takes no loops, no out-of-line calls and no pointer chasing beyond the entry.
// Every record becomes one Job of the kernel's seal_batch. The Job points at the connection's IV
// and carries the sequence number, so no nonce is computed or stored here; a payload given apart
// from the record goes as a framed job, read by the kernel where it is (the content type and
// padding inserted by the kernel), so no payload is copied either except to gather pieces.
#include "engine/record/batch_sealer.h"

#include <cstring>

#include "engine/aead/aead_key_access.h"
#include "engine/common/secure_memory.h"

namespace volley {
namespace {

using aead_internal::Job;

// copy_short copies |n| bytes with inline 16-byte moves (overlapping at the end) rather than a
// call into the C library: for a 64-byte record the call costs more than the copy.
inline void copy_short(uint8_t* dst, const uint8_t* src, size_t n) noexcept {
  if (n < 16 || n > 256) {
    if (n != 0) std::memcpy(dst, src, n);
    return;
  }
  for (size_t i = 0; i + 16 < n; i += 16) std::memcpy(dst + i, src + i, 16);
  std::memcpy(dst + n - 16, src + n - 16, 16);
}

}  // namespace

// protectable_type reports whether records of |type| may be protected at all: alert, handshake or
// application_data (RFC 8446 §5.2; a change_cipher_spec record is never protected, §5, and type 0
// could not be told from padding, §5.4).
inline bool protectable_type(ContentType type) noexcept {
  return static_cast<uint8_t>(static_cast<uint8_t>(type) -
                              static_cast<uint8_t>(ContentType::kAlert)) <= 2;
}

// refusal gives the status of a record that cannot be sealed under this key at all, in the order
// the header documents: an exhausted sequence number first, then the content type, then the limit.
RecordStatus RecordBatchSealer::refusal(const RecordProtection& conn, const SealEntry& e) noexcept {
  if (conn.seq_ == UINT64_MAX) return RecordStatus::kSequenceExhausted;
  if (!protectable_type(e.type)) return RecordStatus::kInvalidContentType;
  return RecordStatus::kKeyUpdateRequired;
}

// write_record_header writes the header of a record with |inner_len| bytes of inner plaintext
// (RFC 8446 §5.2: opaque_type application_data, legacy_record_version 0x0303, length).
[[gnu::always_inline]] static inline void write_record_header(uint8_t* out,
                                                              size_t inner_len) noexcept {
  const size_t ciphertext_len = inner_len + kRecordTagLen;
  const uint8_t header[kRecordHeaderLen] = {static_cast<uint8_t>(ContentType::kApplicationData),
                                            0x03, 0x03, static_cast<uint8_t>(ciphertext_len >> 8),
                                            static_cast<uint8_t>(ciphertext_len)};
  std::memcpy(out, header, kRecordHeaderLen);
}

// write_record_frame writes the header and, after |content_len| bytes of content at out + 5, the
// content type and |padding| zeros.
[[gnu::always_inline]] static inline void write_record_frame(uint8_t* out, size_t content_len,
                                                             size_t padding,
                                                             ContentType type) noexcept {
  write_record_header(out, content_len + 1 + padding);
  uint8_t* const body = out + kRecordHeaderLen;
  body[content_len] = static_cast<uint8_t>(type);
  if (padding != 0) std::memset(body + content_len + 1, 0, padding);
}

// queue writes the header of a checked record whose content is |payload| (at out + 5 already, or
// in the caller's buffer), takes sequence number |seq| for it and queues its encryption: in place
// with the content type and padding written here, or as a framed job. An empty payload has
// nothing to read and is sealed in place.
[[gnu::always_inline]] inline void RecordBatchSealer::queue(
    const aead_internal::AeadKernel* kernel, const aead_internal::KeyState* key, const uint8_t* iv,
    uint64_t seq, SealEntry& e, const uint8_t* payload, size_t content_len,
    size_t padding) noexcept {
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  const size_t inner_len = content_len + 1 + padding;
  if (count_ == kMaxJobs || (count_ != 0 && kernel != kernel_)) flush();
  kernel_ = kernel;
  if (payload == body || content_len == 0) {
    write_record_frame(out, content_len, padding, e.type);
    jobs_[count_] = Job{.key = key, .iv = iv, .seq = seq, .aad = out,
                        .aad_len = kRecordHeaderLen, .in = body, .out = body,
                        .len = inner_len, .tag = body + inner_len, .content_len = 0, .type = 0, .inner = nullptr};
  } else {
    write_record_header(out, inner_len);  // the body is all written by the kernel
    jobs_[count_] = Job{.key = key, .iv = iv, .seq = seq, .aad = out,
                        .aad_len = kRecordHeaderLen, .in = payload, .out = body,
                        .len = inner_len, .tag = body + inner_len,
                        .content_len = static_cast<uint32_t>(content_len),
                        .type = static_cast<uint8_t>(e.type),
                        .inner = nullptr};
  }
  ++count_;
  e.written = kRecordHeaderLen + inner_len + kRecordTagLen;
}

// add_general handles whatever the fast path of add() leaves: several pieces, a padding policy,
// large payloads sealed from their own buffer, and every error, with its exact status.
RecordStatus RecordBatchSealer::add_general(RecordProtection& conn, SealEntry& e) noexcept {
  if (conn.suite_ == nullptr) return RecordStatus::kNotInitialized;
  const uint64_t seq = conn.seq_;
  // The usage limit is at most UINT64_MAX, so this one test also catches the last sequence
  // number, which is never used (the counter must not wrap to 0).
  if (seq >= conn.records_per_key() || !protectable_type(e.type)) {
    return refusal(conn, e);
  }

  const Bytes* const pieces = e.payload.data();
  const size_t n_pieces = e.payload.size();
  size_t content_len = 0;
  for (size_t i = 0; i < n_pieces; ++i) {
    // Bounded per piece so that the sum cannot wrap.
    if (pieces[i].size() > kMaxInnerPlaintextLen) return RecordStatus::kRecordTooLarge;
    content_len += pieces[i].size();
  }
  // RFC 8446 §5.1: no zero-length handshake (or alert) records; the reader refuses them.
  if (content_len == 0 && e.type != ContentType::kApplicationData) {
    return RecordStatus::kInvalidContentType;
  }
  const size_t limit = conn.inner_limit_;
  if (content_len >= limit) return RecordStatus::kRecordTooLarge;
  const size_t padding = e.padding == kPolicyPadding ? conn.padding_for(content_len) : e.padding;
  if (padding > limit - 1 - content_len) return RecordStatus::kRecordTooLarge;
  const size_t inner_len = content_len + 1 + padding;
  const size_t total = kRecordHeaderLen + inner_len + kRecordTagLen;
  if (e.out.size() < total) return RecordStatus::kOutputTooSmall;

  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  for (size_t i = 0, offset = 0; i < n_pieces; offset += pieces[i].size(), ++i) {
    if (pieces[i].data() != body + offset &&
        overlaps(pieces[i].data(), pieces[i].size(), out, total)) {
      return RecordStatus::kBadAliasing;
    }
  }

  // One piece goes as it is (framed when apart from the record); several are gathered into the
  // record first.
  const uint8_t* payload = body;
  if (n_pieces == 1) {
    payload = pieces[0].data();
  } else {
    for (size_t i = 0, offset = 0; i < n_pieces; offset += pieces[i].size(), ++i) {
      if (pieces[i].data() != body + offset)
        copy_short(body + offset, pieces[i].data(), pieces[i].size());
    }
  }
  queue(aead_internal::kernel_of(conn.key_), aead_internal::key_state_of(conn.key_), conn.iv_, seq,
        e, payload, content_len, padding);
  conn.seq_ = seq + 1;
  return RecordStatus::kOk;
}

void RecordBatchSealer::flush() noexcept {
  if (count_ == 0) return;
  kernel_->seal_batch(jobs_, count_);
  count_ = 0;
}

// Cursor is one connection's sealing state held in locals for the length of a batch. The batch
// writes bytes through pointers that may alias anything, so fields read from the connection itself
// would be reloaded for every record; copies in a cursor whose address never escapes stay in
// registers. The sequence number lives here too and is written back before anything else looks at
// the connection. The IV stays in the connection: jobs point at it.
struct RecordBatchSealer::Cursor {
  explicit Cursor(RecordProtection& c) noexcept
      : conn(&c),
        seq(c.seq_),
        max_records(c.records_per_key()),
        limit(c.inner_limit_),
        padding_policy(c.padding_.block > 1),
        kernel(aead_internal::kernel_of(c.key_)),
        key(aead_internal::key_state_of(c.key_)),
        iv(c.iv_) {}
  void write_back() const noexcept { conn->seq_ = seq; }

  RecordProtection* conn;
  uint64_t seq;
  uint64_t max_records;
  size_t limit;
  bool padding_policy;
  const aead_internal::AeadKernel* kernel;
  const aead_internal::KeyState* key;
  const uint8_t* iv;
};

// try_fast seals the common record — one payload piece, no padding policy in force, nothing
// wrong — and returns false, having written nothing, for any other.
[[gnu::always_inline]] inline bool RecordBatchSealer::try_fast(Cursor& c, SealEntry& e) noexcept {
  if (e.payload.size() != 1) return false;
  const Bytes p = e.payload[0];
  const size_t len = p.size();
  // With a policy in force, kPolicyPadding (larger than any limit) fails the size test below.
  const size_t padding = e.padding == kPolicyPadding && !c.padding_policy ? 0 : e.padding;
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  // Evaluated in order: each size test relies on the ones before it not to wrap. max_records is at
  // most UINT64_MAX, so the first test also keeps the last sequence number unused. Handshake and
  // alert records, and every refusal, take add_general.
  if (c.seq >= c.max_records || e.type != ContentType::kApplicationData || len >= c.limit ||
      padding > c.limit - 1 - len ||
      e.out.size() < kRecordHeaderLen + len + 1 + padding + kRecordTagLen ||
      (p.data() != body &&
       overlaps(p.data(), len, out, kRecordHeaderLen + len + 1 + padding + kRecordTagLen))) {
    return false;
  }
  queue(c.kernel, c.key, c.iv, c.seq, e, p.data(), len, padding);
  ++c.seq;
  return true;
}

[[gnu::always_inline]] inline RecordStatus RecordBatchSealer::add(Cursor& c,
                                                                  SealEntry& e) noexcept {
  if (try_fast(c, e)) return RecordStatus::kOk;
  c.write_back();
  const RecordStatus s = add_general(*c.conn, e);
  c.seq = c.conn->seq_;
  return s;
}

SealResult RecordProtection::seal_batch(std::span<SealEntry> entries) noexcept {
  SealResult result;
  if (suite_ == nullptr) {
    if (!entries.empty()) result.status = RecordStatus::kNotInitialized;
    return result;
  }
  RecordBatchSealer sealer;
  RecordBatchSealer::Cursor cursor(*this);
  for (SealEntry& e : entries) {
    result.status = sealer.add(cursor, e);
    if (result.status != RecordStatus::kOk) break;
    ++result.sealed;
  }
  cursor.write_back();
  sealer.flush();
  return result;
}

SealResult seal_records(std::span<MultiSealEntry> entries) noexcept {
  SealResult result;
  RecordBatchSealer sealer;
  for (MultiSealEntry& e : entries) {
    if (e.connection == nullptr || !e.connection->initialized()) {
      result.status = RecordStatus::kNotInitialized;
      break;
    }
    // A cursor per record: records of one connection may follow each other, and each must see the
    // sequence number the previous one left.
    RecordBatchSealer::Cursor cursor(*e.connection);
    result.status = sealer.add(cursor, e.record);
    cursor.write_back();
    if (result.status != RecordStatus::kOk) break;
    ++result.sealed;
  }
  sealer.flush();
  return result;
}

}  // namespace volley
