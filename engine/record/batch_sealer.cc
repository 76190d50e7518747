// Sealing TLS 1.3 records in batches: RecordProtection::seal_batch (one connection), seal_records
// (many connections) and the RecordBatchSealer both are built on.
//
// At 64-byte records the AEAD kernel spends about 33 cycles per record when it interleaves a batch,
// so everything here is per-record overhead of the same order: the common case (one payload piece,
// no padding policy) takes no loops, no out-of-line calls and no pointer chasing beyond the entry.
#include "engine/record/batch_sealer.h"

#include <cstring>

#include "engine/common/secure_memory.h"
#include "engine/record/record_nonce.h"

namespace volley {
namespace {

// Payloads this large, given apart from the output, are encrypted straight from where they are
// (as pieces) rather than copied into the record first: the copy would cost more than batching
// gains on a record this long.
constexpr size_t kZeroCopyThreshold = 2048;

// Zeros for padding pieces of zero-copy records.
constexpr uint8_t kZeros[kMaxInnerPlaintextLen] = {};

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

// refusal gives the status of a record that cannot be sealed under this key at all, in the order
// the header documents: an exhausted sequence number first, then the content type, then the limit.
RecordStatus RecordBatchSealer::refusal(const RecordProtection& conn, const SealEntry& e) noexcept {
  if (conn.seq_ == UINT64_MAX) return RecordStatus::kSequenceExhausted;
  if (e.type == ContentType::kInvalid) return RecordStatus::kInvalidContentType;
  return RecordStatus::kKeyUpdateRequired;
}

// queue writes the header, content type and padding of a checked record whose content is already
// in place at out + 5, takes its sequence number and queues its encryption.
[[gnu::always_inline]] inline void RecordBatchSealer::queue(RecordProtection& conn, SealEntry& e, size_t content_len,
                                     size_t padding) noexcept {
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  const size_t inner_len = content_len + 1 + padding;
  // RFC 8446 §5.2: opaque_type application_data, legacy_record_version 0x0303, length.
  const size_t ciphertext_len = inner_len + kRecordTagLen;
  const uint8_t header[kRecordHeaderLen] = {static_cast<uint8_t>(ContentType::kApplicationData),
                                            0x03, 0x03, static_cast<uint8_t>(ciphertext_len >> 8),
                                            static_cast<uint8_t>(ciphertext_len)};
  std::memcpy(out, header, kRecordHeaderLen);
  body[content_len] = static_cast<uint8_t>(e.type);
  if (padding != 0) std::memset(body + content_len + 1, 0, padding);
  const uint64_t seq = conn.seq_++;
  e.written = kRecordHeaderLen + ciphertext_len;

  const aead_internal::AeadKernel* kernel = conn.key_.kernel();
  if (count_ == kMaxJobs || (count_ != 0 && kernel != kernel_)) flush();
  kernel_ = kernel;
  record_nonce(conn.iv_, seq, nonces_[count_]);
  jobs_[count_] = {conn.key_.key_state(), nonces_[count_], out, kRecordHeaderLen, body, body, inner_len,
                   body + inner_len};
  ++count_;
}

// add_general handles whatever the fast path of add() leaves: several pieces, a padding policy,
// large payloads sealed from their own buffer, and every error, with its exact status.
RecordStatus RecordBatchSealer::add_general(RecordProtection& conn, SealEntry& e) noexcept {
  if (conn.suite_ == nullptr) return RecordStatus::kNotInitialized;
  const uint64_t seq = conn.seq_;
  // max_records_per_key is at most UINT64_MAX, so this one test also catches the last sequence
  // number, which is never used (the counter must not wrap to 0). RFC 8446 §5.4: the receiver finds
  // the type as the last non-zero byte, so it cannot be 0.
  if (seq >= conn.suite_->aead->max_records_per_key || e.type == ContentType::kInvalid) {
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
    if (pieces[i].data() != body + offset && overlaps(pieces[i].data(), pieces[i].size(), out, total)) {
      return RecordStatus::kBadAliasing;
    }
  }

  if (n_pieces == 1 && content_len >= kZeroCopyThreshold && pieces[0].data() != body) {
    // Sealed at once from the caller's buffer; queue() is not used, so take the sequence number
    // and write the header here.
    const size_t ciphertext_len = inner_len + kRecordTagLen;
    const uint8_t header[kRecordHeaderLen] = {static_cast<uint8_t>(ContentType::kApplicationData),
                                              0x03, 0x03, static_cast<uint8_t>(ciphertext_len >> 8),
                                              static_cast<uint8_t>(ciphertext_len)};
    std::memcpy(out, header, kRecordHeaderLen);
    body[content_len] = static_cast<uint8_t>(e.type);
    if (padding != 0) std::memset(body + content_len + 1, 0, padding);
    conn.seq_ = seq + 1;
    e.written = total;
    NonceSlot nonce;
    record_nonce(conn.iv_, seq, nonce);
    const Bytes zc[3] = {pieces[0], Bytes(body + content_len, 1), Bytes(kZeros, padding)};
    // Arguments were checked above, so this cannot fail.
    (void)conn.key_.seal(Bytes(nonce, 12), Bytes(out, kRecordHeaderLen), zc, MutableBytes(body, inner_len),
                         MutableBytes(body + inner_len, kRecordTagLen));
    return RecordStatus::kOk;
  }

  for (size_t i = 0, offset = 0; i < n_pieces; offset += pieces[i].size(), ++i) {
    if (pieces[i].data() != body + offset) copy_short(body + offset, pieces[i].data(), pieces[i].size());
  }
  queue(conn, e, content_len, padding);
  return RecordStatus::kOk;
}

// add is the fast path, inlined into the batch loops: one payload piece, no padding policy in
// force, short or already in place, and nothing wrong. Anything else, including every error, goes
// to add_general, which re-checks from the start and returns the exact status.
[[gnu::always_inline]] inline RecordStatus RecordBatchSealer::add(RecordProtection& conn,
                                                                  SealEntry& e) noexcept {
  if (e.payload.size() != 1 || conn.suite_ == nullptr) return add_general(conn, e);
  const Bytes p = e.payload[0];
  const size_t len = p.size();
  // A padding policy with a block size sends the record to add_general (kPolicyPadding is larger
  // than any limit).
  const size_t padding =
      e.padding == kPolicyPadding && conn.padding_.block <= 1 ? 0 : e.padding;
  const size_t limit = conn.inner_limit_;
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  // Evaluated in order: each size test relies on the ones before it not to wrap.
  if (conn.seq_ >= conn.suite_->aead->max_records_per_key || e.type == ContentType::kInvalid ||
      len >= limit || padding > limit - 1 - len ||
      e.out.size() < kRecordHeaderLen + len + 1 + padding + kRecordTagLen ||
      (p.data() != body &&
       (len >= kZeroCopyThreshold ||
        overlaps(p.data(), len, out, kRecordHeaderLen + len + 1 + padding + kRecordTagLen)))) {
    return add_general(conn, e);
  }
  if (p.data() != body) copy_short(body, p.data(), len);
  queue(conn, e, len, padding);
  return RecordStatus::kOk;
}

void RecordBatchSealer::flush() noexcept {
  if (count_ == 0) return;
  kernel_->seal_batch(jobs_, count_);
  count_ = 0;
}

size_t RecordProtection::seal_batch(std::span<SealEntry> entries, RecordStatus* status) noexcept {
  RecordBatchSealer sealer;
  size_t sealed = 0;
  RecordStatus s = RecordStatus::kOk;
  for (SealEntry& e : entries) {
    s = sealer.add(*this, e);
    if (s != RecordStatus::kOk) break;
    ++sealed;
  }
  sealer.flush();
  *status = s;
  return sealed;
}

size_t seal_records(std::span<MultiSealEntry> entries, RecordStatus* status) noexcept {
  RecordBatchSealer sealer;
  size_t sealed = 0;
  RecordStatus s = RecordStatus::kOk;
  for (MultiSealEntry& e : entries) {
    s = e.connection == nullptr ? RecordStatus::kNotInitialized : sealer.add(*e.connection, e.record);
    if (s != RecordStatus::kOk) break;
    ++sealed;
  }
  sealer.flush();
  *status = s;
  return sealed;
}

}  // namespace volley
