// Sealing TLS 1.3 records in batches: RecordProtection::seal_batch (one connection), seal_records
// (many connections) and the RecordBatchSealer both are built on.
//
// At 64-byte records the AEAD kernel spends about 22 cycles per record when it interleaves a batch,
// so everything here is per-record overhead of the same order: the common case (one payload piece,
// no padding policy) takes no loops, no out-of-line calls and no pointer chasing beyond the entry.
// In seal_batch's steady state (records of one size, consecutive sequence numbers) that case queues
// only the record's body pointer for the kernel's seal_uniform, which derives the nonces itself:
// writing a 64-byte Job and a nonce per record, and reading them back, cost about 5 cycles.
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

// Payloads from this length on, given apart from the output, are sealed through the kernel's
// seal_framed when it has one: below it, copying the payload into the record and batching it with
// others costs less.
constexpr size_t kFramedThreshold = 256;

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

// queue writes the frame of a checked record whose content is in place at out + 5, takes its
// sequence number and queues its encryption.
void RecordBatchSealer::queue(RecordProtection& conn, SealEntry& e, size_t content_len,
                              size_t padding) noexcept {
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  const size_t inner_len = content_len + 1 + padding;
  const uint64_t seq = conn.seq_++;
  e.written = kRecordHeaderLen + inner_len + kRecordTagLen;
  const aead_internal::AeadKernel* kernel = conn.key_.kernel();
  if (count_ == kMaxJobs || (count_ != 0 && kernel != kernel_)) flush();
  kernel_ = kernel;
  write_record_frame(out, content_len, padding, e.type);
  record_nonce(conn.iv_, seq, nonces_[count_]);
  jobs_[count_] = {conn.key_.key_state(), nonces_[count_], out,       kRecordHeaderLen,
                   body,                  body,            inner_len, body + inner_len};
  ++count_;
}

// add_general handles whatever the fast path of add() leaves: several pieces, a padding policy,
// large payloads sealed from their own buffer, and every error, with its exact status.
RecordStatus RecordBatchSealer::add_general(RecordProtection& conn, SealEntry& e) noexcept {
  if (conn.suite_ == nullptr) return RecordStatus::kNotInitialized;
  const uint64_t seq = conn.seq_;
  // max_records_per_key is at most UINT64_MAX, so this one test also catches the last sequence
  // number, which is never used (the counter must not wrap to 0). RFC 8446 §5.4: the receiver
  // finds the type as the last non-zero byte, so it cannot be 0.
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
    if (pieces[i].data() != body + offset &&
        overlaps(pieces[i].data(), pieces[i].size(), out, total)) {
      return RecordStatus::kBadAliasing;
    }
  }

  const aead_internal::AeadKernel& kernel = *conn.key_.kernel();
  // The payload must cover the whole chunks the kernel reads; with long padding it may not, and
  // the record takes the paths below.
  if (n_pieces == 1 && content_len >= kFramedThreshold && pieces[0].data() != body &&
      kernel.seal_framed != nullptr &&
      inner_len - inner_len % kernel.frame_align <= content_len) {
    queue_framed(&kernel, conn.key_.key_state(), conn.iv_, seq, e, content_len, padding);
    conn.seq_ = seq + 1;
    return RecordStatus::kOk;
  }
  if (n_pieces == 1 && content_len >= kZeroCopyThreshold && pieces[0].data() != body) {
    // Sealed at once from the caller's buffer, without queueing.
    write_record_frame(out, content_len, padding, e.type);
    conn.seq_ = seq + 1;
    e.written = total;
    Slot16 nonce;
    record_nonce(conn.iv_, seq, nonce);
    const Bytes zc[3] = {pieces[0], Bytes(body + content_len, 1), Bytes(kZeros, padding)};
    // Arguments were checked above, so this cannot fail.
    (void)conn.key_.seal(Bytes(nonce, 12), Bytes(out, kRecordHeaderLen), zc,
                         MutableBytes(body, inner_len),
                         MutableBytes(body + inner_len, kRecordTagLen));
    return RecordStatus::kOk;
  }

  for (size_t i = 0, offset = 0; i < n_pieces; offset += pieces[i].size(), ++i) {
    if (pieces[i].data() != body + offset)
      copy_short(body + offset, pieces[i].data(), pieces[i].size());
  }
  queue(conn, e, content_len, padding);
  return RecordStatus::kOk;
}

// queue_framed writes the header of a checked record, under sequence number |seq|, and queues it
// for the kernel's seal_framed, which reads the payload straight from the caller's buffer and
// inserts the content type and the padding.
[[gnu::always_inline]] inline void RecordBatchSealer::queue_framed(
    const aead_internal::AeadKernel* kernel, const aead_internal::KeyState* key, const uint8_t* iv,
    uint64_t seq, SealEntry& e, size_t content_len, size_t padding) noexcept {
  if (framed_count_ == kMaxJobs || (framed_count_ != 0 && kernel != framed_kernel_)) {
    flush_framed();
  }
  framed_kernel_ = kernel;
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  const size_t inner_len = content_len + 1 + padding;
  write_record_header(out, inner_len);  // the body is all written by the kernel
  record_nonce(iv, seq, framed_nonces_[framed_count_]);
  framed_jobs_[framed_count_] = {key,       framed_nonces_[framed_count_],
                                 out,       kRecordHeaderLen,
                                 e.payload[0].data(), body,
                                 inner_len, body + inner_len};
  frames_[framed_count_] = {content_len, static_cast<uint8_t>(e.type)};
  ++framed_count_;
  e.written = kRecordHeaderLen + inner_len + kRecordTagLen;
}

void RecordBatchSealer::flush_framed() noexcept {
  if (framed_count_ == 0) return;
  framed_kernel_->seal_framed(framed_jobs_, frames_, framed_count_);
  framed_count_ = 0;
}

void RecordBatchSealer::flush_run() noexcept {
  if (run_count_ == 0) return;
  // Every record of the run has the same header (one length), so the first one's is the AAD.
  run_kernel_->seal_uniform(run_key_, run_iv_, run_seq_, run_bodies_[0] - kRecordHeaderLen,
                            kRecordHeaderLen, run_bodies_, run_len_, run_count_);
  run_count_ = 0;
}

void RecordBatchSealer::flush() noexcept {
  flush_framed();
  flush_run();
  if (count_ == 0) return;
  kernel_->seal_batch(jobs_, count_);
  count_ = 0;
}

// Cursor is one connection's sealing state held in locals for the length of a batch. The batch
// writes bytes through pointers that may alias anything, so fields read from the connection itself
// would be reloaded for every record; copies in a cursor whose address never escapes stay in
// registers. The sequence number lives here too and is written back before anything else looks at
// the connection. |runs|: the cursor lasts the whole batch (one connection), so its records may
// go to the kernel as a run of consecutive sequence numbers.
struct RecordBatchSealer::Cursor {
  Cursor(RecordProtection& c, bool whole_batch) noexcept
      : conn(&c),
        seq(c.seq_),
        max_records(c.suite_->aead->max_records_per_key),
        limit(c.inner_limit_),
        padding_policy(c.padding_.block > 1),
        kernel(c.key_.kernel()),
        key(c.key_.key_state()),
        // A payload from its own buffer is copied into the record below this length; from it on,
        // it is sealed without the copy (framed, or by add_general).
        copy_limit(kernel->seal_framed != nullptr ? kFramedThreshold : kZeroCopyThreshold),
        framed(kernel->seal_framed != nullptr),
        frame_align(kernel->frame_align),
        runs(whole_batch && kernel->seal_uniform != nullptr) {
    std::memcpy(iv, c.iv_, sizeof(iv));
  }
  void write_back() const noexcept { conn->seq_ = seq; }

  RecordProtection* conn;
  uint64_t seq;
  uint64_t max_records;
  size_t limit;
  bool padding_policy;
  const aead_internal::AeadKernel* kernel;
  const aead_internal::KeyState* key;
  size_t copy_limit;
  bool framed;
  size_t frame_align;
  bool runs;
  uint8_t iv[12];
};

// try_fast seals the common record — one payload piece, no padding policy in force, short or
// already in place, nothing wrong — and returns false, having written nothing, for any other.
[[gnu::always_inline]] inline bool RecordBatchSealer::try_fast(Cursor& c, SealEntry& e) noexcept {
  if (e.payload.size() != 1) return false;
  const Bytes p = e.payload[0];
  const size_t len = p.size();
  // With a policy in force, kPolicyPadding (larger than any limit) fails the size test below.
  const size_t padding = e.padding == kPolicyPadding && !c.padding_policy ? 0 : e.padding;
  uint8_t* const out = e.out.data();
  uint8_t* const body = out + kRecordHeaderLen;
  // Evaluated in order: each size test relies on the ones before it not to wrap. max_records is at
  // most UINT64_MAX, so the first test also keeps the last sequence number unused.
  if (c.seq >= c.max_records || e.type == ContentType::kInvalid || len >= c.limit ||
      padding > c.limit - 1 - len ||
      e.out.size() < kRecordHeaderLen + len + 1 + padding + kRecordTagLen ||
      (p.data() != body &&
       overlaps(p.data(), len, out, kRecordHeaderLen + len + 1 + padding + kRecordTagLen))) {
    return false;
  }
  const size_t inner_len = len + 1 + padding;
  if (p.data() != body) {
    if (len >= c.copy_limit) {
      // Sealed from the caller's buffer when the kernel can (its content must cover the whole
      // chunks the kernel reads), else by add_general.
      if (!c.framed || inner_len - inner_len % c.frame_align > len) return false;
      queue_framed(c.kernel, c.key, c.iv, c.seq, e, len, padding);
      ++c.seq;
      return true;
    }
    copy_short(body, p.data(), len);
  }
  e.written = kRecordHeaderLen + inner_len + kRecordTagLen;
  if (c.runs) {
    if (run_count_ == kMaxJobs) flush_run();
    if (run_count_ == 0) {
      run_kernel_ = c.kernel;
      run_key_ = c.key;
      std::memcpy(run_iv_, c.iv, sizeof(run_iv_));
      run_seq_ = c.seq;
      run_len_ = inner_len;
    }
    // A record of another length, or after one that took another queue (and a sequence number),
    // goes to the job queue below.
    if (inner_len == run_len_ && c.seq - run_seq_ == run_count_ && c.key == run_key_) {
      write_record_frame(out, len, padding, e.type);
      run_bodies_[run_count_++] = body;
      ++c.seq;
      return true;
    }
  }
  if (count_ == kMaxJobs || (count_ != 0 && c.kernel != kernel_)) flush();
  kernel_ = c.kernel;
  write_record_frame(out, len, padding, e.type);
  record_nonce(c.iv, c.seq, nonces_[count_]);
  jobs_[count_] = {c.key,
                   nonces_[count_],
                   out,
                   kRecordHeaderLen,
                   body,
                   body,
                   inner_len,
                   body + inner_len};
  ++count_;
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

size_t RecordProtection::seal_batch(std::span<SealEntry> entries, RecordStatus* status) noexcept {
  *status = RecordStatus::kOk;
  if (suite_ == nullptr) {
    if (!entries.empty()) *status = RecordStatus::kNotInitialized;
    return 0;
  }
  RecordBatchSealer sealer;
  RecordBatchSealer::Cursor cursor(*this, true);
  size_t sealed = 0;
  for (SealEntry& e : entries) {
    *status = sealer.add(cursor, e);
    if (*status != RecordStatus::kOk) break;
    ++sealed;
  }
  cursor.write_back();
  sealer.flush();
  return sealed;
}

size_t seal_records(std::span<MultiSealEntry> entries, RecordStatus* status) noexcept {
  *status = RecordStatus::kOk;
  RecordBatchSealer sealer;
  size_t sealed = 0;
  for (MultiSealEntry& e : entries) {
    if (e.connection == nullptr || !e.connection->initialized()) {
      *status = RecordStatus::kNotInitialized;
      break;
    }
    // A cursor per record: records of one connection may follow each other, and each must see the
    // sequence number the previous one left.
    RecordBatchSealer::Cursor cursor(*e.connection, false);
    *status = sealer.add(cursor, e.record);
    cursor.write_back();
    if (*status != RecordStatus::kOk) break;
    ++sealed;
  }
  sealer.flush();
  return sealed;
}

}  // namespace volley
